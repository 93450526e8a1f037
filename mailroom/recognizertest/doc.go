// Package recognizertest is the test suite every mailroom.Recognizer passes
// (the linked tesseract pool in ocr, the tesseract process in ocr/tessexec,
// and any engine added later): text of a real scanned page within the
// corpus's error bound, words with boxes inside the page and confidences in
// range, nothing on a blank page, safe concurrent use, a prompt return
// when the context ends, and on a two-column page every word the tesseract
// command line finds on the same image. Run it from the implementation's tests:
//
//	func TestRecognizerSuite(t *testing.T) { recognizertest.Run(t, pool) }
package recognizertest
