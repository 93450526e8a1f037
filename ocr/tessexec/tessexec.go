package tessexec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"poststelle/mailroom"
	"poststelle/ocr/pgm"
)

// Options configure an Engine.
type Options struct {
	// Binary is the tesseract program; "" = "tesseract" on PATH, on Windows
	// also %ProgramFiles%\Tesseract-OCR\tesseract.exe (the usual installer path).
	Binary string
	// Languages are tesseract language codes joined by "+"; "" = "deu+eng".
	Languages string
	// TessdataDir is passed as --tessdata-dir when set.
	TessdataDir string
	// Workers is the number of tesseract processes run at once; 0 = cores.
	Workers int
}

// Engine runs tesseract processes, at most Workers at a time. It is safe for
// concurrent use.
type Engine struct {
	bin     string
	langs   string
	tessdir string
	sem     chan struct{}
}

var _ mailroom.Recognizer = (*Engine)(nil)

// New finds the tesseract program and checks that the languages (and osd)
// are installed.
func New(opt Options) (*Engine, error) {
	bin, err := findBinary(opt.Binary)
	if err != nil {
		return nil, err
	}
	langs := opt.Languages
	if langs == "" {
		langs = "deu+eng"
	}
	n := opt.Workers
	if n <= 0 {
		n = runtime.NumCPU()
	}
	e := &Engine{bin: bin, langs: langs, tessdir: opt.TessdataDir, sem: make(chan struct{}, n)}
	have, err := e.ListLanguages(context.Background())
	if err != nil {
		return nil, err
	}
	for _, l := range strings.Split(langs, "+") {
		if !have[l] {
			return nil, fmt.Errorf("tesseract language %q is not installed in %s (tessdata: %s.traineddata)", l, bin, l)
		}
	}
	return e, nil
}

func findBinary(want string) (string, error) {
	if want != "" {
		return exec.LookPath(want)
	}
	if p, err := exec.LookPath("tesseract"); err == nil {
		return p, nil
	}
	if runtime.GOOS == "windows" {
		for _, env := range []string{"ProgramFiles", "ProgramFiles(x86)", "LOCALAPPDATA"} {
			if d := os.Getenv(env); d != "" {
				p := filepath.Join(d, "Tesseract-OCR", "tesseract.exe")
				if _, err := os.Stat(p); err == nil {
					return p, nil
				}
				p = filepath.Join(d, "Programs", "Tesseract-OCR", "tesseract.exe")
				if _, err := os.Stat(p); err == nil {
					return p, nil
				}
			}
		}
	}
	return "", errors.New("tesseract not found: install it (Debian: apt-get install tesseract-ocr tesseract-ocr-deu; " +
		"Windows: the Tesseract-OCR installer with German) or set the path")
}

// Binary is the tesseract program in use.
func (e *Engine) Binary() string { return e.bin }

// Workers is the number of tesseract processes run at once.
func (e *Engine) Workers() int { return cap(e.sem) }

// Languages are the configured languages.
func (e *Engine) Languages() string { return e.langs }

// Close does nothing: no process outlives a call. It exists so Engine can
// stand where ocr.Pool stands.
func (e *Engine) Close() error { return nil }

// ListLanguages runs tesseract --list-langs.
func (e *Engine) ListLanguages(ctx context.Context) (map[string]bool, error) {
	args := []string{"--list-langs"}
	if e.tessdir != "" {
		args = append([]string{"--tessdata-dir", e.tessdir}, args...)
	}
	out, err := e.command(ctx, args...).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%s --list-langs: %w: %s", e.bin, err, bytes.TrimSpace(out))
	}
	have := map[string]bool{}
	for _, l := range strings.Split(string(out), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.Contains(l, " ") && !strings.HasSuffix(l, ":") {
			have[l] = true
		}
	}
	return have, nil
}

func (e *Engine) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, e.bin, args...)
	// One thread per process: parallelism comes from Workers processes.
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	hideWindow(cmd)
	return cmd
}

// run writes g as a PGM file and runs tesseract on it with args after the
// input and "stdout". It holds one worker slot while tesseract runs.
func (e *Engine) run(ctx context.Context, g *image.Gray, dpi float64, args ...string) ([]byte, error) {
	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-e.sem }()
	f, err := os.CreateTemp("", "poststelle-ocr-*.pgm")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(pgm.Encode(g)); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	if dpi < 70 || dpi > 2400 {
		dpi = 300
	}
	full := []string{f.Name(), "stdout", "--dpi", strconv.Itoa(int(dpi + 0.5))}
	if e.tessdir != "" {
		full = append(full, "--tessdata-dir", e.tessdir)
	}
	full = append(full, args...)
	var stdout, stderr bytes.Buffer
	cmd := e.command(ctx, full...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("tesseract: %w: %s", err, oneLine(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// Recognize runs OCR on the page image (page segmentation: automatic).
// Word boxes are in the pixel coordinates of page.Image.
func (e *Engine) Recognize(ctx context.Context, page mailroom.Page) (mailroom.PageText, error) {
	g := pgm.Gray(page.Image)
	if g.Bounds().Empty() {
		return mailroom.PageText{}, nil
	}
	out, err := e.run(ctx, g, page.DPI, "-l", e.langs, "--psm", "3", "tsv")
	if err != nil {
		return mailroom.PageText{}, err
	}
	return parseTSV(out, g.Bounds().Min)
}

// Orientation returns the clockwise rotation (0, 90, 180, 270) that turns
// the page upright, tesseract's confidence, and ok=false when there was too
// little text to tell — the same contract as ocr.Pool.Orientation.
func (e *Engine) Orientation(ctx context.Context, g *image.Gray, dpi float64) (deg int, conf float64, ok bool, err error) {
	b := g.Bounds()
	if b.Dx() < 16 || b.Dy() < 16 {
		return 0, 0, false, nil
	}
	out, err := e.run(ctx, g, dpi, "-l", "osd", "--psm", "0")
	if err != nil {
		if strings.Contains(err.Error(), "Too few characters") {
			return 0, 0, false, nil
		}
		return 0, 0, false, err
	}
	return parseOSD(out)
}

func parseOSD(out []byte) (deg int, conf float64, ok bool, err error) {
	var haveRot, haveConf bool
	for _, l := range strings.Split(string(out), "\n") {
		k, v, found := strings.Cut(l, ":")
		if !found {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "Rotate":
			deg, err = strconv.Atoi(v)
			haveRot = err == nil
		case "Orientation confidence":
			conf, err = strconv.ParseFloat(v, 64)
			haveConf = err == nil
		}
	}
	if !haveRot || !haveConf {
		return 0, 0, false, nil // tesseract printed nothing usable: too little text
	}
	return ((deg % 360) + 360) % 360, conf, true, nil
}

// oneLine joins tesseract's stderr lines, without its DPI warning.
func oneLine(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "Warning. Invalid resolution") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "; ")
}
