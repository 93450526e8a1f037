// Package pgm prepares page images for tesseract: conversion to 8-bit gray
// the way image/draw does it, and binary PGM (P5) encoding, which every
// leptonica build reads without decompression cost. It is pure Go and is
// used both by the linked pool (ocr) and by the process-per-page engine
// (ocr/tessexec), so neither imports the other for it.
package pgm
