//go:build cgo

// libseccomp's static library comes from Debian, built against glibc with
// _FORTIFY_SOURCE, and berth links musl (Makefile): the one fortified call
// it makes (in seccomp_export_pfc, which berth never calls) needs glibc's
// checked fprintf. Here it is without the check.
#ifndef __GLIBC__
#include <stdarg.h>
#include <stdio.h>

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...);

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
	(void)flag;
	va_list ap;
	va_start(ap, fmt);
	int n = vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}
#endif
