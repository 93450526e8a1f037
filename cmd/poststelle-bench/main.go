// Command poststelle-bench measures Poststelle against the tools it is
// compared with, in the same run on the same input: `ocr` against OCRmyPDF
// and bare tesseract, `barcodes` against zbarimg (docs/cli.md). It is not
// part of the installed product; `make bench` builds and runs it.
package main

import (
	"context"

	"poststelle/cmd/internal/cli"
	"poststelle/ocr"
)

// version is set at build time: -ldflags "-X main.version=…".
var version = "dev"

var program = &cli.Program{Name: "poststelle-bench", Title: "Poststelle benchmarks",
	About: "Poststelle against OCRmyPDF, tesseract and zbarimg in the same run; document-boundary proposals on the corpus batches"}

func register(name, summary string, run func(ctx context.Context, args []string) error) {
	program.Register(name, summary, run)
}

func init() {
	// Recognition runs tesseract single-threaded, one engine per core, as in
	// `poststelle serve`: libgomp reads OMP_THREAD_LIMIT only at process
	// start, so re-execute with it set if it is missing.
	ocr.SingleThreaded()
}

func main() {
	program.Version = version
	program.Main()
}
