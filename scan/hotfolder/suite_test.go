package hotfolder

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/sourcetest"
)

// TestSourceSuite runs the shared source suite on the hot folder in event and
// polling mode; acknowledged means deleted, or moved to done/.
func TestSourceSuite(t *testing.T) {
	for _, c := range []struct {
		poll  bool
		after string
	}{{false, "delete"}, {true, "move"}} {
		t.Run(fmt.Sprintf("poll=%v,%s", c.poll, c.after), func(t *testing.T) {
			sourcetest.Run(t, func(t *testing.T) sourcetest.Harness {
				dir := t.TempDir()
				return sourcetest.Harness{
					New: func() mailroom.Source {
						return &HotFolder{Dir: dir, Profile: mailroom.Profile{Name: "suite"}, AfterIntake: c.after, Poll: c.poll,
							StableDelay: 100 * time.Millisecond, PollInterval: 50 * time.Millisecond, RescanInterval: time.Hour}
					},
					Put: func(name string, data []byte) {
						tmp := filepath.Join(dir, name+".part") // written under a temp name, then renamed, as scanners do
						os.WriteFile(tmp, data, 0o644)
						os.Rename(tmp, filepath.Join(dir, name+".pdf"))
					},
					Pending: func() int {
						ents, _ := os.ReadDir(dir)
						n := 0
						for _, e := range ents {
							if e.Type().IsRegular() {
								n++
							}
						}
						return n
					},
				}
			})
		})
	}
}
