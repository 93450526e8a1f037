// Package winlink holds link-time shims for the Windows cross build with
// Debian's mingw-w64 10 (gcc-mingw-w64-x86-64, msvcrt runtime).
//
// go-fitz's bundled libmupdf_windows_amd64.a was compiled with a newer,
// UCRT-based mingw-w64 and _FORTIFY_SOURCE. Linked with Debian's toolchain
// it misses two kinds of symbols:
//
//   - __intrinsic_setjmpex, which UCRT headers use for setjmp (MuPDF's
//     fz_try). It takes the same arguments as msvcrt's _setjmp (jmp_buf and
//     the caller's frame) and fills the same _JUMP_BUFFER, so the shim is a
//     tail jump to msvcrt's _setjmp: the caller's return address and stack
//     stay exactly as with a direct call, which setjmp requires. This is what
//     mingw-w64's own setjmp macro does for msvcrt.
//   - the fortify checks __memcpy_chk, __chk_fail, … (GCC libssp semantics),
//     defined in C here so that link order does not matter.
//
// Every Windows main that links go-fitz imports this package for its side
// effect: import _ "poststelle/packaging/winlink". On other systems it is empty.
package winlink
