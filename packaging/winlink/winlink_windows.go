//go:build windows && cgo

package winlink

/*
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Fortify checks (GCC's libssp semantics): abort when the destination is
// too small. Defined here rather than linked from libssp.a so that link
// order does not matter and a plain `go build` works.
void __chk_fail(void) {
	fputs("*** buffer overflow detected ***: terminated\n", stderr);
	abort();
}

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dstlen) {
	if (n > dstlen) __chk_fail();
	return memcpy(dst, src, n);
}

void *__memmove_chk(void *dst, const void *src, size_t n, size_t dstlen) {
	if (n > dstlen) __chk_fail();
	return memmove(dst, src, n);
}

void *__memset_chk(void *dst, int c, size_t n, size_t dstlen) {
	if (n > dstlen) __chk_fail();
	return memset(dst, c, n);
}

char *__strcat_chk(char *dst, const char *src, size_t dstlen) {
	size_t a = strlen(dst), b = strlen(src);
	if (a + b + 1 > dstlen) __chk_fail();
	memcpy(dst + a, src, b + 1);
	return dst;
}

char *__strcpy_chk(char *dst, const char *src, size_t dstlen) {
	size_t n = strlen(src);
	if (n + 1 > dstlen) __chk_fail();
	return memcpy(dst, src, n + 1);
}

char *__strncpy_chk(char *dst, const char *src, size_t n, size_t dstlen) {
	if (n > dstlen) __chk_fail();
	return strncpy(dst, src, n);
}

char *__strncat_chk(char *dst, const char *src, size_t n, size_t dstlen) {
	size_t a = strlen(dst), b = strnlen(src, n);
	if (a + b + 1 > dstlen) __chk_fail();
	memcpy(dst + a, src, b);
	dst[a + b] = 0;
	return dst;
}
*/
import "C"
