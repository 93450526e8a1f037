// Package textscore measures recognised text against its ground truth the
// way the test corpus README defines it: the character error rate (CER) is
// the Levenshtein distance on characters divided by the length of the truth,
// both with whitespace runs collapsed to one space and trimmed. The OCR tests
// (ocr, ocr/tessexec, scan) and `poststelle bench-ocr` use it.
package textscore
