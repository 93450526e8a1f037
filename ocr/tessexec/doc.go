// Package tessexec recognises text by running the tesseract command-line
// program (tesseract.exe on Windows) as a child process, one process per
// page, with TSV output for words, boxes and confidences and "--psm 0" for
// orientation detection.
//
// It exists for platforms where Poststelle cannot link libtesseract (the
// Windows build is cross-compiled with mingw-w64, and no tesseract import
// library exists for it): it implements the same mailroom.Recognizer and the
// same Orientation method as ocr.Pool and builds the page text in the same
// reading order. It is portable and tested on Linux against the Debian
// tesseract, so both platforms run the same code. The cost is one process
// start and a model load per page (see docs/install.md for the measured
// difference to the linked pool).
package tessexec
