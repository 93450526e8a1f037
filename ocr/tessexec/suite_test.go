package tessexec_test

import (
	"testing"

	"poststelle/mailroom/recognizertest"
)

func TestRecognizerSuite(t *testing.T) {
	recognizertest.Run(t, newEngine(t, "eng"), recognizertest.Options{})
}
