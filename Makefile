# berth: build, run a demo container, and test.
GO        ?= go
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/sbin
VERSION   ?= $(shell cat VERSION 2>/dev/null || echo 0.1.0-dev)
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
GO_TAGS   ?= netgo osusergo urfave_cli_no_docs
LDFLAGS   := -s -w -X main.version=$(VERSION) -X main.gitCommit=$(COMMIT) -extldflags -static
BUNDLE    ?= tests/integration/bundle

export CGO_ENABLED := 1
export PATH := /usr/local/go/bin:$(PATH)

# berth links musl statically (musl-gcc, from musl-tools), not glibc: glibc's
# static start-up asks the CPU for its cache sizes, a dozen CPUID
# instructions that each trap to the hypervisor on a VM, in every berth
# process and every stage (docs/performance.md). musl-gcc sees only musl's
# own headers and libraries: .musl/ lends it the kernel's headers and
# Debian's libseccomp (see libcontainer/seccomp/fortify_musl.c).
MUSL_DIR  := $(CURDIR)/.musl
MULTIARCH := $(shell gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
MUSL_ENV  := CC=musl-gcc CGO_CFLAGS='-O2 -g -idirafter $(MUSL_DIR)/include' CGO_LDFLAGS='-L$(MUSL_DIR)/lib'

.PHONY: all build berth-fault deps run bundle test unit integration fuzz fuzz-short bench diff-runc install clean

all: build

build: $(MUSL_DIR)/ok
	$(MUSL_ENV) $(GO) build -trimpath -tags '$(GO_TAGS)' -ldflags '$(LDFLAGS)' -o berth .

# A test build that dies at a named step (BERTH_FAULT=<step>): tests/integration/crash.bats.
berth-fault: build
	$(MUSL_ENV) $(GO) build -trimpath -tags '$(GO_TAGS) faultinject' -ldflags '$(LDFLAGS)' -o berth-fault .

$(MUSL_DIR)/ok:
	@command -v musl-gcc >/dev/null || { echo "musl-gcc missing: make deps installs musl-tools" >&2; exit 1; }
	mkdir -p $(MUSL_DIR)/include $(MUSL_DIR)/lib
	ln -sfn /usr/include/linux /usr/include/asm-generic /usr/include/seccomp.h /usr/include/seccomp-syscalls.h $(MUSL_DIR)/include/
	ln -sfn /usr/include/$(MULTIARCH)/asm $(MUSL_DIR)/include/asm
	ln -sfn /usr/lib/$(MULTIARCH)/libseccomp.a $(MUSL_DIR)/lib/libseccomp.a
	touch $@

# Debian packages the build and the tests need (idempotent, quiet when present).
deps:
	@bash tests/deps.sh

bundle: $(BUNDLE)/config.json

$(BUNDLE)/config.json: tests/integration/mkbundle.sh
	bash tests/integration/mkbundle.sh $(BUNDLE)

# One command: install what is needed, build, and run a real container.
run: deps build bundle
	bash tests/demo.sh ./berth $(BUNDLE)

unit: $(MUSL_DIR)/ok
	$(GO) test -tags '$(GO_TAGS)' ./...
	# The C init's path resolution (nsenter/inroot.c) has its own tests,
	# and so have how the Go runtime starts (nsenter/goruntime.c), its heap
	# (goheap.c) and the split of mount options (nsenter/mountdata.c):
	# with the system's libc, and with musl, which berth links.
	for cc in "$(CC)" "musl-gcc -static -idirafter $(MUSL_DIR)/include"; do \
		$$cc -Wall -Wextra -o nsenter/ctest/inroot_test nsenter/ctest/inroot_test.c nsenter/inroot.c && \
		nsenter/ctest/inroot_test && \
		$$cc -Wall -Wextra -pthread -Wl,--wrap=pthread_create -Wl,--wrap=mmap -o nsenter/ctest/goruntime_test nsenter/ctest/goruntime_test.c nsenter/goruntime.c nsenter/goheap.c && \
		nsenter/ctest/goruntime_test && \
		$$cc -Wall -Wextra -Wl,--wrap=mmap -o nsenter/ctest/goheap_test nsenter/ctest/goheap_test.c nsenter/goheap.c && \
		nsenter/ctest/goheap_test && \
		$$cc -Wall -Wextra -o nsenter/ctest/mountdata_test nsenter/ctest/mountdata_test.c nsenter/mountdata.c && \
		nsenter/ctest/mountdata_test || exit 1; \
	done

integration: build berth-fault bundle
	BERTH=$(CURDIR)/berth BERTH_FAULT_BIN=$(CURDIR)/berth-fault bash tests/run-bats.sh tests/integration

# Short fuzz runs of config and state loading, and of the generated spec
# decoder against encoding/json (make fuzz for long ones). The budget is a
# count of executions, not a duration: Go 1.26's fuzz coordinator can report
# a spurious "context deadline exceeded" when a -fuzztime duration ends while
# a worker is mid-call (golang/go#75804, fixed in 1.27); a count never arms
# that deadline.
FUZZEXECS ?= 150000
fuzz-short:
	$(GO) test -run XXX -fuzz FuzzLoadAndValidate -fuzztime $(FUZZEXECS)x ./specconv/
	# A binary that links nsenter/ starts with one P (nsenter/goruntime.c), so
	# the fuzzer would default to one worker.
	$(GO) test -run XXX -fuzz FuzzLoadState -fuzztime $(FUZZEXECS)x -parallel $$(nproc) ./libcontainer/
	$(GO) test -run XXX -fuzz FuzzAgreesWithEncodingJSON -fuzztime $(FUZZEXECS)x ./internal/specjson/

# About five minutes per target on two cores.
fuzz:
	$(MAKE) fuzz-short FUZZEXECS=5000000

# The long soak: 1000 sequential lifecycles and 500 signals forwarded by a
# foreground run (tests/integration/soak.bats; make test runs 25 cycles).
.PHONY: soak
soak: build bundle
	SOAK_CYCLES=1000 BERTH=$(CURDIR)/berth bats tests/integration/soak.bats

# Real callers on ./berth: a private containerd (ctr) and podman (tests/clients).
.PHONY: test-clients
test-clients: build
	BERTH=$(CURDIR)/berth bash tests/clients/run.sh

# The cgroup v2 lane: the cgroup suites in a qemu VM with only cgroup2, then
# the systemd cgroup driver in a second boot with systemd as init, checkpoint
# on a hybrid layout in a third, SELinux enforcing in a fourth (tests/vm).
.PHONY: test-vm
test-vm: build bundle
	BERTH=$(CURDIR)/berth GO_TAGS='$(GO_TAGS)' bash tests/vm/run.sh
	BERTH=$(CURDIR)/berth GO_TAGS='$(GO_TAGS)' BERTH_VM_INIT=systemd bash tests/vm/run.sh
	BERTH=$(CURDIR)/berth GO_TAGS='$(GO_TAGS)' BERTH_VM_CGROUP=hybrid bash tests/vm/run.sh
	BERTH=$(CURDIR)/berth GO_TAGS='$(GO_TAGS)' BERTH_VM_LSM=selinux bash tests/vm/run.sh

test: deps build bundle unit fuzz-short integration test-clients test-vm

# Speed and memory against runc and crun (not part of make test: it reports,
# it does not fail). BENCH_FLAGS="-reps 5 -many 0" for a quick look.
bench: deps build bundle
	bash tests/bench/run.sh $(BENCH_FLAGS)

# berth and runc on the same random configs, compared by what the container
# sees and what the runtime says (not part of make test: it reports).
# DIFF_FLAGS="-n 200 -k 3 -seed 1" for more cases or a given draw; -shared
# first runs them as on a systemd host (/ shared, each rootfs a mount).
diff-runc: deps build bundle
	bash tests/diff/run.sh $(DIFF_FLAGS)

install: build
	install -D -m 0755 berth $(DESTDIR)$(BINDIR)/berth

clean:
	rm -rf berth berth-fault .musl $(BUNDLE) nsenter/ctest/inroot_test nsenter/ctest/goruntime_test nsenter/ctest/mountdata_test
