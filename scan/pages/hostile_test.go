package pages

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/hostiletest"
)

// TestHostilePages opens every page input of the hostile corpus and
// decodes its pages as the split stage does (render), then as recognition
// does (passthrough where it can): each ends with its reason, or decodes,
// within the bounds. Time and peak memory are logged.
func TestHostilePages(t *testing.T) {
	scratch := t.TempDir()
	for _, c := range hostiletest.Cases() {
		mt := mailroom.SniffMediaType(nil, c.Name)
		if c.Special || (mt != mailroom.MediaPDF && mt != mailroom.MediaTIFF && mt != mailroom.MediaPNG && mt != mailroom.MediaJPEG) {
			continue
		}
		if c.Big && testing.Short() {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			path := filepath.Join(scratch, c.Name)
			if err := c.Make(path, scratch); err != nil {
				t.Fatal(err)
			}
			defer os.Remove(path)
			opt := Options{PageTimeout: 5 * time.Second}
			start := time.Now()
			got := decodeAll(t, NewOpener(opt), path)
			el := time.Since(start)
			if c.Want == "review" && got != "" || c.Want != "review" && !strings.Contains(got, c.Want) {
				t.Errorf("got %q, want %q", got, c.Want)
			}
			fi, _ := os.Stat(path)
			t.Logf("%-34s %9d B  %6.2f s  stuck %d  %s", c.Name, fi.Size(), el.Seconds(), mailroom.StuckCalls(), got)
		})
	}
}

// decodeAll decodes every page (rendered, and taken over where possible)
// and returns the first input error's reason, "" if none.
func decodeAll(t *testing.T, o *Opener, path string) string {
	t.Helper()
	ctx := context.Background()
	ps, err := o.Open(ctx, path, "")
	if err != nil {
		return reason(t, err)
	}
	defer ps.Close()
	for i := 0; i < ps.Len(); i++ {
		if _, err := ps.Page(ctx, i, 0); err != nil {
			return reason(t, err)
		}
		if pt, ok := ps.(*PDFSet); ok {
			if _, err := pt.Passthrough(i); err != nil {
				if _, bad := mailroom.AsInputError(err); bad {
					return reason(t, err)
				}
			}
		}
	}
	return ""
}

func reason(t *testing.T, err error) string {
	ie, ok := mailroom.AsInputError(err)
	if !ok {
		t.Fatalf("not an input error: %v", err)
	}
	return ie.Reason()
}
