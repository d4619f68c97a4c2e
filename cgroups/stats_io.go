package cgroups

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// statBlkioV1 reads the first family of blkio statistics the kernel has,
// in runc's order: BFQ with debug files, BFQ, CFQ, recursive throttle
// counters, plain throttle counters.
func statBlkioV1(dir string, st *Stats) error {
	b := &st.Blkio
	type f struct {
		file string
		dst  *[]BlkioEntry
	}
	debug := func(p string) []f {
		return []f{
			{p + "sectors_recursive", &b.SectorsRecursive},
			{p + "io_service_time_recursive", &b.IoServiceTimeRecursive},
			{p + "io_wait_time_recursive", &b.IoWaitTimeRecursive},
			{p + "io_merged_recursive", &b.IoMergedRecursive},
			{p + "io_queued_recursive", &b.IoQueuedRecursive},
			{p + "time_recursive", &b.IoTimeRecursive},
			{p + "io_serviced_recursive", &b.IoServicedRecursive},
			{p + "io_service_bytes_recursive", &b.IoServiceBytesRecursive},
		}
	}
	groups := [][]f{
		debug("blkio.bfq."),
		{{"blkio.bfq.io_serviced_recursive", &b.IoServicedRecursive}, {"blkio.bfq.io_service_bytes_recursive", &b.IoServiceBytesRecursive}},
		debug("blkio."),
		{{"blkio.throttle.io_serviced_recursive", &b.IoServicedRecursive}, {"blkio.throttle.io_service_bytes_recursive", &b.IoServiceBytesRecursive}},
		{{"blkio.throttle.io_serviced", &b.IoServicedRecursive}, {"blkio.throttle.io_service_bytes", &b.IoServiceBytesRecursive}},
	}
	for _, g := range groups {
		first, err := readBlkioFile(dir, g[0].file)
		if err != nil || first == nil {
			continue // family absent (or empty): try the next one
		}
		*g[0].dst = first
		for _, x := range g[1:] {
			if *x.dst, err = readBlkioFile(dir, x.file); err != nil {
				return err
			}
		}
		return nil
	}
	return nil
}

// readBlkioFile parses "MAJ:MIN [Op] value" lines, skipping "Total N".
// A missing file is an error the caller may treat as "absent".
func readBlkioFile(dir, name string) ([]BlkioEntry, error) {
	s, err := readFile(dir, name)
	if err != nil {
		return nil, err
	}
	var out []BlkioEntry
	for _, line := range strings.Split(s, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || (len(fields) == 2 && fields[0] == "Total") {
			continue
		}
		maj, min, ok := strings.Cut(fields[0], ":")
		var e BlkioEntry
		var err1, err2, err3 error
		e.Major, err1 = strconv.ParseUint(maj, 10, 64)
		e.Minor, err2 = strconv.ParseUint(min, 10, 64)
		switch len(fields) {
		case 2:
			e.Value, err3 = strconv.ParseUint(fields[1], 10, 64)
		case 3:
			e.Op = fields[1]
			e.Value, err3 = strconv.ParseUint(fields[2], 10, 64)
		default:
			ok = false
		}
		if !ok || err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("parse %s/%s: bad line %q", dir, name, line)
		}
		out = append(out, e)
	}
	return out, nil
}

// statIOV2 reads io.stat ("MAJ:MIN rbytes=.. wbytes=.. rios=.. wios=..
// dbytes=.. dios=..") into the Read/Write/Discard entries runc reports.
func statIOV2(dir string, st *Stats) error {
	s, err := readFile(dir, "io.stat")
	if err != nil {
		return optional(err)
	}
	for _, line := range strings.Split(s, "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		maj, min, _ := strings.Cut(fields[0], ":")
		major, err1 := strconv.ParseUint(maj, 10, 64)
		minor, err2 := strconv.ParseUint(min, 10, 64)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("parse %s/io.stat: bad line %q", dir, line)
		}
		for _, kv := range fields[1:] {
			k, v, _ := strings.Cut(kv, "=")
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				continue // e.g. cost.* keys with non-integer values
			}
			var dst *[]BlkioEntry
			var op string
			switch k {
			case "rbytes", "wbytes", "dbytes":
				dst = &st.Blkio.IoServiceBytesRecursive
			case "rios", "wios", "dios":
				dst = &st.Blkio.IoServicedRecursive
			default:
				continue
			}
			op = map[byte]string{'r': "Read", 'w': "Write", 'd': "Discard"}[k[0]]
			*dst = append(*dst, BlkioEntry{Major: major, Minor: minor, Op: op, Value: n})
		}
	}
	return nil
}

// hugePageSizes lists the huge page sizes of the host as the cgroup file
// names spell them ("2MB", "1GB"), from /sys/kernel/mm/hugepages.
func hugePageSizes() []string {
	ents, err := os.ReadDir("/sys/kernel/mm/hugepages")
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		kb, ok := strings.CutPrefix(e.Name(), "hugepages-")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSuffix(kb, "kB"), 10, 64)
		if err != nil {
			continue
		}
		out = append(out, pageSizeName(n))
	}
	return out
}

// pageSizeName spells a size in KiB as the kernel's hugetlb files do.
func pageSizeName(kb uint64) string {
	switch {
	case kb >= 1<<20:
		return strconv.FormatUint(kb>>20, 10) + "GB"
	case kb >= 1<<10:
		return strconv.FormatUint(kb>>10, 10) + "MB"
	}
	return strconv.FormatUint(kb, 10) + "KB"
}

// statHugetlb reads per-size usage: v1 files (usage_in_bytes,
// max_usage_in_bytes, failcnt) or v2 ones (current, and the "max" count
// of hugetlb.<size>.events as failcnt). Sizes without files are skipped.
func statHugetlb(dir string, st *Stats, v2 bool) error {
	for _, ps := range hugePageSizes() {
		p := "hugetlb." + ps
		var h Hugetlb
		var err error
		if v2 {
			if h.Usage, err = readUint(dir, p+".current"); err != nil {
				if optional(err) != nil {
					return err
				}
				continue
			}
			if ev, err := readKeyValues(dir, p+".events"); err == nil {
				h.Failcnt = ev["max"]
			}
		} else {
			if h.Usage, err = readUint(dir, p+".usage_in_bytes"); err != nil {
				if optional(err) != nil {
					return err
				}
				continue
			}
			h.Max, _ = readUint(dir, p+".max_usage_in_bytes")
			h.Failcnt, _ = readUint(dir, p+".failcnt")
		}
		st.Hugetlb[ps] = h
	}
	return nil
}
