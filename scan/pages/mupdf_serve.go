package pages

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"

	fitz "github.com/gen2brain/go-fitz"
)

// The child side of mupdf_child.go: a process started with childEnv set
// serves MuPDF requests on stdin/stdout and exits at the end of its input,
// before the program's main runs.
func init() {
	if os.Getenv(childEnv) != "1" {
		return
	}
	os.Unsetenv(childEnv)
	setMuPDFStore()
	mem, _ := strconv.ParseInt(os.Getenv(childMemEnv), 10, 64)
	if mem > 0 {
		limitMemory(mem)
		// The Go heap holds a copy of each page: collect early.
		debug.SetMemoryLimit(mem / 2)
	}
	os.Exit(serveMuPDF(bufio.NewReader(os.Stdin), bufio.NewWriterSize(os.Stdout, 1<<20)))
}

func serveMuPDF(in *bufio.Reader, out *bufio.Writer) int {
	var doc *fitz.Document
	defer func() {
		if doc != nil {
			doc.Close()
		}
	}()
	for {
		line, err := in.ReadBytes('\n')
		if err != nil {
			return 0
		}
		var req childReq
		if err := json.Unmarshal(line, &req); err != nil {
			return 2
		}
		resp, pix := serveOne(&doc, req)
		resp.Pix = len(pix)
		b, _ := json.Marshal(resp)
		out.Write(append(b, '\n'))
		out.Write(pix)
		if err := out.Flush(); err != nil {
			return 0
		}
	}
}

// serveOne answers one request; a panic in go-fitz is an error answer.
func serveOne(doc **fitz.Document, req childReq) (resp childResp, pix []byte) {
	defer func() {
		if p := recover(); p != nil {
			resp, pix = childResp{Err: fmt.Sprintf("mupdf panic: %v", p)}, nil
		}
	}()
	if req.Op == "open" {
		d, err := fitz.New(req.Path)
		switch {
		case errors.Is(err, fitz.ErrNeedsPassword):
			return childResp{Err: err.Error(), Code: "password"}, nil
		case errors.Is(err, fitz.ErrNoSuchFile):
			return childResp{Err: err.Error(), Code: "nofile"}, nil
		case err != nil:
			return childResp{Err: err.Error(), Code: "open"}, nil
		}
		*doc = d
		return childResp{N: d.NumPage()}, nil
	}
	if *doc == nil {
		return childResp{Err: "no document open"}, nil
	}
	d := *doc
	switch req.Op {
	case "bound":
		b, err := d.Bound(req.Page)
		if err != nil {
			return childResp{Err: err.Error()}, nil
		}
		return childResp{X0: b.Min.X, Y0: b.Min.Y, X1: b.Max.X, Y1: b.Max.Y}, nil
	case "render":
		img, err := d.ImageDPI(req.Page, req.DPI)
		if err != nil {
			code := ""
			if errors.Is(err, fitz.ErrCreatePixmap) {
				code = "memory"
			}
			return childResp{Err: err.Error(), Code: code}, nil
		}
		b := img.Rect
		return childResp{X0: b.Min.X, Y0: b.Min.Y, X1: b.Max.X, Y1: b.Max.Y}, img.Pix
	case "text":
		t, err := d.Text(req.Page)
		if err != nil {
			return childResp{Err: err.Error()}, nil
		}
		return childResp{Text: t}, nil
	}
	return childResp{Err: "unknown request " + req.Op}, nil
}
