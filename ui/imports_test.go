package ui_test

import (
	"os/exec"
	"strings"
	"testing"
)

// adapters are the packages the desk's views must not depend on, directly
// or through another package: the store, scanning and page decoding,
// barcodes, OCR, and the C libraries behind them. The views reach all of
// that only through ui.Model.
var adapters = []string{
	"poststelle/mailroom/store",
	"poststelle/scan",
	"poststelle/ocr",
	"poststelle/barcode",
	"github.com/mattn/go-sqlite3",
	"github.com/gen2brain/go-fitz",
	"github.com/otiai10/gosseract",
	"github.com/makiuchi-d/gozxing",
}

// adapterDeps lists the packages among pkg's non-test dependencies
// (transitive, as `go list -deps` reports them) that are adapters.
func adapterDeps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", pkg).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list %s: %v\n%s", pkg, err, ee.Stderr)
		}
		t.Fatalf("go list %s: %v", pkg, err)
	}
	var bad []string
	for _, p := range strings.Fields(string(out)) {
		for _, a := range adapters {
			if p == a || strings.HasPrefix(p, a+"/") {
				bad = append(bad, p)
			}
		}
	}
	return bad
}

func TestViewsImportNoAdapter(t *testing.T) {
	if bad := adapterDeps(t, "poststelle/ui"); len(bad) > 0 {
		t.Fatalf("package ui depends on %s; the views may reach them only through ui.Model", strings.Join(bad, ", "))
	}
	// The check sees what it looks for: the embedded model is built on the store.
	if bad := adapterDeps(t, "poststelle/ui/embedded"); len(bad) == 0 {
		t.Fatal("go list found no adapter below ui/embedded, which imports the store: the check is blind")
	}
}
