//go:build unix

package evidence_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"poststelle/mailroom/evidence"
	"poststelle/mailroom/evidence/evidencetest"
)

// A folder of document folders: every entry is checked and named — a
// sealed document intact, a folder without evidence broken, a FIFO not
// checkable (and not waited on).
func TestVerifyDirNamesEachEntry(t *testing.T) {
	r := newRig(t, true)
	dir, _ := r.sealed()
	root := t.TempDir()
	os.Symlink(dir, filepath.Join(root, "a-sealed"))
	os.MkdirAll(filepath.Join(root, "b-foreign"), 0o750)
	os.WriteFile(filepath.Join(root, "b-foreign", "brief.pdf"), evidencetest.OwnPDF(t), 0o640)
	if err := syscall.Mkfifo(filepath.Join(root, "c-fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, ".hidden"), []byte("x"), 0o600)
	paths, err := evidence.DocumentPaths(root)
	if err != nil || len(paths) != 3 {
		t.Fatalf("paths %v, %v", paths, err)
	}
	v := evidence.NewVerifier(r.options(evidence.NewAnchors(r.pki.CA)))
	done := make(chan []*evidence.Report, 1)
	go func() {
		var reps []*evidence.Report
		for _, p := range paths {
			rep, err := v.Document(context.Background(), p)
			if err != nil {
				rep = evidence.Unchecked(p, err)
			}
			reps = append(reps, rep)
		}
		done <- reps
	}()
	var reps []*evidence.Report
	select {
	case reps = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("verify blocked on the FIFO")
	}
	want := []evidence.Outcome{evidence.Intact, evidence.Broken, evidence.NotVerifiable}
	for i, rep := range reps {
		if rep.Result != want[i] {
			t.Errorf("%s: %s (%s), want %s", rep.Path, rep.Result, rep.EN, want[i])
		}
	}
	if evidence.Worst(reps) != evidence.Broken {
		t.Errorf("worst %s", evidence.Worst(reps))
	}
}
