//go:build !windows

package ocr

/*
#include <malloc.h>
static void limit_arenas(void) { mallopt(M_ARENA_MAX, 2); }
static void trim(void) { malloc_trim(0); }
*/
import "C"

// limitArenas keeps glibc from creating an allocation arena per thread:
// tesseract and MuPDF run on whichever threads Go schedules them, and
// per-thread arenas would keep freed page buffers as resident memory.
func limitArenas() { C.limit_arenas() }

// TrimMemory gives freed C memory (page buffers of tesseract and MuPDF)
// back to the operating system. Called after each page.
func TrimMemory() { C.trim() }
