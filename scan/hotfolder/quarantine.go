package hotfolder

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/safefile"
)

// notRegular handles a symbolic link or special file found in the folder:
// it is never opened. Depending on Links it is moved to quarantine/ with a
// reason file, or left alone and logged once.
func (h *HotFolder) notRegular(p string, mode fs.FileMode) {
	if mode == 0 {
		if fi, err := os.Lstat(p); err == nil {
			mode = fi.Mode()
		}
	}
	kind := safefile.KindOf(mode)
	de := fmt.Sprintf("Keine gewöhnliche Datei (%s) – nicht gelesen; Eingangsordner nehmen nur gewöhnliche Dateien an", kindDE(kind))
	en := fmt.Sprintf("not a regular file (%s) – not read; hot folders take regular files only", kind)
	if h.Links == mailroom.LinksIgnore {
		if !h.ignored[p] {
			h.ignored[p] = true
			h.log().Warn("ignored: not a regular file", "file", p, "kind", kind, "reason", de+" / "+en)
		}
		return
	}
	h.quarantine(p, de, en)
}

func kindDE(kind string) string {
	switch kind {
	case "symlink":
		return "symbolische Verknüpfung"
	case "fifo":
		return "FIFO"
	case "socket":
		return "Socket"
	case "device":
		return "Gerätedatei"
	}
	return "Sonderdatei"
}

// quarantine moves p into quarantine/ (keeping its sub-path) and writes a
// reason file beside it (NAME.reason.txt), German first. The file itself is
// not read. If the move fails, p stays and is logged once.
func (h *HotFolder) quarantine(p, de, en string) {
	rel, err := filepath.Rel(h.Dir, p)
	if err != nil {
		return
	}
	dst, err := moveInto(h.Dir, QuarantineDir, p, rel)
	if err != nil {
		if !h.ignored[p] {
			h.ignored[p] = true
			h.log().Error("could not move to quarantine/; left in place", "file", p, "err", err, "reason", de+" / "+en)
		}
		return
	}
	body := fmt.Sprintf("Grund: %s\nReason: %s\nDatei / file: %s\nZeit / time: %s\n", de, en,
		strconv.QuoteToASCII(filepath.ToSlash(rel)), time.Now().Format(time.RFC3339))
	if err := safefile.Write(dst+".reason.txt", []byte(body), 0o640); err != nil {
		h.log().Error("writing reason file", "file", dst, "err", err)
	}
	safefile.SyncDir(filepath.Dir(p)) // best effort: the rename is done either way
	h.log().Warn("quarantined", "file", p, "to", dst, "reason", de+" / "+en)
}
