package main

// go-fitz's Windows MuPDF needs these shims with Debian's mingw-w64
// (see packaging/winlink). Added by packaging.
import _ "poststelle/packaging/winlink"
