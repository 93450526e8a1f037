package mailroom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"
)

// Engine moves documents through the pipeline. Fields left nil switch a
// capability off: without Opener every input counts as one page and nothing
// is rendered; without Detector nothing is split; without Recognition no PDF
// is made.
type Engine struct {
	Config      *Config
	Store       Store
	Log         *slog.Logger
	Opener      PageOpener
	Detector    Detector
	Rules       SplitRules
	Recognition Recognition
	Classifiers []Classifier
	Expanders   []Expander
	Proposers   []Proposer
	// Finisher makes the evidence at approval; Policy enforces protection levels.
	Finisher Finisher
	Policy   ApprovalPolicy
	Sources  []Source
	// Runners are further long-running parts (outbox, HTTP, timestamping),
	// supervised like the sources.
	Runners []Runner
	// ExtraStages run before the built-in split and recognise stages
	// (e.g. delivery: approved → exporting).
	ExtraStages []Stage
	// Hooks observe the pipeline (metrics).
	Hooks Hooks
	// OneShot (the `process` command): a failed step quarantines the
	// document at once instead of retrying later.
	OneShot bool

	id string
}

// Hooks let an observer count what the engine does. All fields are optional.
type Hooks struct {
	Intake     func(source string, latency time.Duration, duplicate bool)
	StepDone   func(step string, d time.Duration, err error)
	Quarantine func(reason string)
}

func (e *Engine) log() *slog.Logger {
	if e.Log == nil {
		return slog.Default()
	}
	return e.Log
}

func (e *Engine) owner() string {
	if e.id == "" {
		host, _ := os.Hostname()
		e.id = fmt.Sprintf("engine@%s/%d", host, os.Getpid())
	}
	return e.id
}

// Accept is the intake callback handed to sources: it stores the item and
// records its batch. A duplicate counts as accepted (the source may
// acknowledge it); the error is nil then.
func (e *Engine) Accept(ctx context.Context, it Item) error {
	start := time.Now()
	b, _, err := e.Store.Intake(ctx, it)
	dup := errors.Is(err, ErrDuplicate)
	if err != nil && !dup {
		return err
	}
	if e.Hooks.Intake != nil {
		e.Hooks.Intake(it.Source, time.Since(start), dup)
	}
	if dup {
		e.log().Info("duplicate ignored", "source", it.Source, "file", it.Name, "batch", b.ID, "sha256", b.SHA256)
		return nil
	}
	e.log().Info("received", "source", it.Source, "file", it.Name, "batch", b.ID, "media_type", b.MediaType, "size", b.Size)
	return nil
}

// Workers is the number of document workers.
func (e *Engine) Workers() int {
	if e.Config != nil && e.Config.Pipeline.Workers > 0 {
		return e.Config.Pipeline.Workers
	}
	return runtime.NumCPU()
}

// Run runs sources, runners, the dispatcher and the workers until ctx ends.
// Work in progress is abandoned safely at cancellation: its lease is dropped
// and it is redone at the next start.
func (e *Engine) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	sup := func(r Runner) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			Supervise(ctx, e.log(), r, time.Second, time.Minute)
		}()
	}
	for _, s := range e.Sources {
		s := s
		sup(RunnerFunc{N: "source " + s.Name(), F: func(ctx context.Context) error { return s.Run(ctx, e.Accept) }})
	}
	for _, r := range e.Runners {
		sup(r)
	}
	qs := 16
	idle := time.Second
	if e.Config != nil {
		if e.Config.Pipeline.QueueSize > 0 {
			qs = e.Config.Pipeline.QueueSize
		}
		if e.Config.Pipeline.Idle.Duration > 0 {
			idle = e.Config.Pipeline.Idle.Duration
		}
	}
	queue := make(chan *Document, qs)
	sup(RunnerFunc{N: "dispatcher", F: func(ctx context.Context) error { return e.dispatch(ctx, queue, idle) }})
	for i := 0; i < e.Workers(); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case d := <-queue:
					e.Advance(ctx, d)
				}
			}
		}()
	}
	<-ctx.Done()
	wg.Wait()
	// Drop leases of documents still queued so they are redone at once next time.
	rel, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		select {
		case d := <-queue:
			e.Store.Release(rel, d.ID)
		default:
			return nil
		}
	}
}

// Stage is one automatic step of the pipeline. The dispatcher claims a
// document in state From (moving it to Working while a worker has it) and
// hands it to Process on a worker goroutine. Process must move the document
// on (through the store) or return an error. It is called again for the same
// document after a crash and must therefore be idempotent.
type Stage interface {
	Name() string
	From() State
	Working() State
	Process(ctx context.Context, d *Document) error
}

type stageFunc struct {
	name          string
	from, working State
	fn            func(ctx context.Context, d *Document) error
}

func (s stageFunc) Name() string                                   { return s.name }
func (s stageFunc) From() State                                    { return s.from }
func (s stageFunc) Working() State                                 { return s.working }
func (s stageFunc) Process(ctx context.Context, d *Document) error { return s.fn(ctx, d) }

// stages returns the pipeline's stages in dispatch priority: later stages
// first, so documents are finished before new batches are started.
func (e *Engine) stages() []Stage {
	st := append([]Stage{}, e.ExtraStages...)
	return append(st,
		stageFunc{"recognise", StateRecognising, StateRecognising, e.recognise},
		stageFunc{"split", StateReceived, StateSplitting, e.split},
	)
}

func (e *Engine) dispatch(ctx context.Context, queue chan<- *Document, idle time.Duration) error {
	stages := e.stages()
	for {
		found := false
		for _, st := range stages {
			d, err := e.Store.Claim(ctx, st.From(), st.Working(), e.owner())
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("claim: %w", err)
			}
			if d == nil {
				continue
			}
			found = true
			select {
			case queue <- d:
			case <-ctx.Done():
				e.Store.Release(context.Background(), d.ID)
				return nil
			}
			break
		}
		if !found {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(idle):
			}
		}
	}
}

// stageFor returns the stage that works on documents in state s.
func (e *Engine) stageFor(s State) Stage {
	for _, st := range e.stages() {
		if st.From() == s || st.Working() == s {
			return st
		}
	}
	return nil
}

// Advance runs the stage that d's state calls for. Failures go to the
// document (retry with backoff, or quarantine); Advance never panics and
// never stops other documents.
func (e *Engine) Advance(ctx context.Context, d *Document) {
	st := e.stageFor(d.State)
	if st == nil {
		return
	}
	start := time.Now()
	err := e.safeStep(ctx, st, d)
	if e.Hooks.StepDone != nil {
		e.Hooks.StepDone(st.Name(), time.Since(start), err)
	}
	if err == nil {
		return
	}
	if ctx.Err() != nil {
		// Shutting down: abandon safely; the document is redone at next start.
		e.Store.Release(context.Background(), d.ID)
		return
	}
	e.fail(ctx, d, err)
}

func (e *Engine) safeStep(ctx context.Context, st Stage, d *Document) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error (panic): %v", p)
			e.log().Error("panic in pipeline step", "step", st.Name(), "document", d.ID, "panic", p, "stack", string(debug.Stack()))
		}
	}()
	if d.State != st.Working() {
		// Not claimed by the dispatcher (process mode): move it first.
		nd, err := e.Store.Transition(ctx, d.ID, Change{To: st.Working(), Actor: e.owner()})
		if err != nil {
			return err
		}
		d = nd
	}
	return st.Process(ctx, d)
}

func (e *Engine) fail(ctx context.Context, d *Document, err error) {
	if ie, ok := AsInputError(err); ok {
		e.quarantine(ctx, d.ID, ie.Reason(), err)
		return
	}
	max, backoff := 5, 5*time.Second
	if e.Config != nil {
		if e.Config.Pipeline.MaxTries > 0 {
			max = e.Config.Pipeline.MaxTries
		}
		if e.Config.Pipeline.Retry.Duration > 0 {
			backoff = e.Config.Pipeline.Retry.Duration
		}
	}
	if e.OneShot || IsPermanent(err) || d.Attempts+1 >= max {
		e.quarantine(ctx, d.ID, fmt.Sprintf("Verarbeitung fehlgeschlagen / processing failed: %v", err), err)
		return
	}
	for i := 0; i < d.Attempts && backoff < 10*time.Minute; i++ {
		backoff *= 2
	}
	n, ferr := e.Store.Failed(ctx, d.ID, e.owner(), err, backoff)
	e.log().Warn("step failed; will retry", "document", d.ID, "attempt", n, "retry_in", backoff, "err", err)
	if ferr != nil {
		e.log().Error("recording failure", "document", d.ID, "err", ferr)
	}
}

func (e *Engine) quarantine(ctx context.Context, id, reason string, cause error) {
	_, err := e.Store.Transition(ctx, id, Change{To: StateQuarantined, Actor: e.owner(), Action: "quarantine",
		Mutate: func(d *Document) error { d.Reason = reason; return nil }})
	if err != nil {
		e.log().Error("quarantine failed", "document", id, "err", err, "cause", cause)
		return
	}
	e.log().Warn("quarantined", "document", id, "reason", reason)
	if e.Hooks.Quarantine != nil {
		e.Hooks.Quarantine(reason)
	}
}

// split decodes the batch, finds separators and cuts it into documents.
func (e *Engine) split(ctx context.Context, d *Document) error {
	b, err := e.Store.Batch(ctx, d.BatchID)
	if err != nil {
		return err
	}
	if b.Size == 0 {
		return BadInput("Datei ist leer", "file is empty", nil)
	}
	orig := e.Store.OriginalPath(b.SHA256)
	pageCount := 1
	plan := SplitPlan{}
	for _, x := range e.Expanders {
		exp, ok, err := x.Expand(ctx, ExpandInput{Batch: b, Original: orig})
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		for _, part := range exp.Parts {
			if part.Source == "" {
				part.Source = b.Source
			}
			if part.Profile.Name == "" {
				part.Profile = Profile{Name: b.Profile, Protection: d.Protection}
			}
			if part.Metadata == nil {
				part.Metadata = map[string]string{}
			}
			part.Metadata["parent_batch"] = b.ID
			if _, _, err := e.Store.Intake(ctx, part); err != nil && !errors.Is(err, ErrDuplicate) {
				return fmt.Errorf("taking in part %s: %w", part.Name, err)
			}
		}
		plan.Documents = []Segment{{Pages: []int{1}, Metadata: exp.Metadata, Flags: exp.Flags}}
		_, err = e.Store.ApplySplit(ctx, d.ID, 1, plan, e.owner())
		return err
	}
	if err := e.checkInput(b); err != nil {
		return err
	}
	if e.Opener != nil && pageMedia(b.MediaType) {
		ps, err := e.Opener.Open(ctx, orig, b.MediaType)
		if err != nil {
			return err
		}
		defer ps.Close()
		pageCount = ps.Len()
		if pageCount == 0 {
			return BadInput("Datei enthält keine Seiten", "file has no pages", nil)
		}
		if e.Detector != nil && e.Rules != nil && e.Config != nil && e.Config.Separators.Enabled {
			var found []PageSymbols
			for i := 0; i < pageCount; i++ {
				if err := ctx.Err(); err != nil {
					return err
				}
				p, err := ps.Page(ctx, i, 0)
				if err != nil {
					return err
				}
				syms, err := e.Detector.Detect(ctx, p)
				if err != nil {
					return fmt.Errorf("barcode detection page %d: %w", i+1, err)
				}
				if len(syms) > 0 {
					found = append(found, PageSymbols{Page: i + 1, Symbols: syms})
				}
			}
			plan, err = e.Rules.Plan(pageCount, found)
			if err != nil {
				return err
			}
		}
	}
	if plan.Documents == nil && len(plan.Separators) == 0 {
		all := make([]int, pageCount)
		for i := range all {
			all[i] = i + 1
		}
		plan.Documents = []Segment{{Pages: all}}
	}
	_, err = e.Store.ApplySplit(ctx, d.ID, pageCount, plan, e.owner())
	return err
}

// pageMedia reports whether the media type is decoded into pages.
func pageMedia(mt string) bool {
	switch mt {
	case MediaPDF, MediaTIFF, MediaJPEG, MediaPNG:
		return true
	}
	return false
}

// checkInput rejects what Poststelle cannot take, with a reason a person understands.
func (e *Engine) checkInput(b *Batch) error {
	if b.Size == 0 {
		return BadInput("Datei ist leer", "file is empty", nil)
	}
	if e.Config != nil && e.Config.Intake.MaxFileSize > 0 && b.Size > e.Config.Intake.MaxFileSize {
		return BadInput(fmt.Sprintf("Datei ist zu groß (%d Bytes, höchstens %d)", b.Size, e.Config.Intake.MaxFileSize),
			fmt.Sprintf("file too large (%d bytes, limit %d)", b.Size, e.Config.Intake.MaxFileSize), nil)
	}
	if !pageMedia(b.MediaType) && !e.classifiable(b.MediaType) {
		return BadInput("Dateiformat wird nicht unterstützt (erlaubt: PDF, TIFF, JPEG, PNG)",
			"unsupported file format (accepted: PDF, TIFF, JPEG, PNG)", fmt.Errorf("media type %s", b.MediaType))
	}
	return nil
}

// classifiable reports whether a non-page input may be handled by a classifier
// (e-invoice XML, mail). Only when classifiers are configured.
func (e *Engine) classifiable(mt string) bool {
	if len(e.Classifiers) == 0 {
		return false
	}
	return mt == MediaXML || mt == MediaEML || mt == MediaPKCS7
}

// recognise makes the searchable PDF and moves the document to review (or approved).
func (e *Engine) recognise(ctx context.Context, d *Document) error {
	b, err := e.Store.Batch(ctx, d.BatchID)
	if err != nil {
		return err
	}
	orig := e.Store.OriginalPath(b.SHA256)
	outDir := filepath.Join(e.Store.DataDir(), "out", d.ID)
	workDir := filepath.Join(e.Store.DataDir(), "work", d.ID)
	meta := map[string]string{}
	var flags []string
	var pages []PageResult
	output := ""
	keepOriginal := false
	for _, c := range e.Classifiers {
		cl, err := c.Classify(ctx, ClassifyInput{DocumentID: d.ID, Original: orig, MediaType: b.MediaType, Filename: b.Filename,
			Pages: d.Pages, Metadata: d.Metadata, OutDir: outDir})
		if err != nil {
			return err
		}
		for k, v := range cl.Metadata {
			meta[k] = v
		}
		flags = append(flags, cl.Flags...)
		if cl.KeepOriginal {
			keepOriginal = true
		}
		if cl.Rendition != "" {
			output = cl.Rendition
		}
	}
	if output == "" && e.Recognition != nil && pageMedia(b.MediaType) {
		res, err := e.Recognition.Recognise(ctx, RecognitionJob{DocumentID: d.ID, Original: orig, MediaType: b.MediaType,
			Pages: d.Pages, OutDir: outDir, WorkDir: workDir, Metadata: d.Metadata, KeepOriginal: keepOriginal})
		if err != nil {
			return err
		}
		output = res.Output
		pages = res.Pages
		flags = append(flags, res.Flags...)
		for k, v := range res.Metadata {
			meta[k] = v
		}
		texts := make([]string, len(res.Pages))
		for i, p := range res.Pages {
			texts[i] = p.Text
		}
		var proposed []string
		for _, p := range e.Proposers {
			for k, v := range p.Propose(texts) {
				if _, set := meta[k]; !set && d.Metadata[k] == "" {
					meta[k] = v
					proposed = append(proposed, k)
				}
			}
		}
		if len(proposed) > 0 {
			sort.Strings(proposed)
			meta[MetaProposed] = strings.Join(proposed, ",")
		}
	}
	if err := os.MkdirAll(outDir, 0o750); err != nil {
		return err
	}
	if keepOriginal {
		// The original is the document of record: an unchanged copy goes
		// beside the rendition and is what the DMS receives.
		name := RecordFileName(b.MediaType)
		if err := CopyFileAtomic(orig, filepath.Join(outDir, name)); err != nil {
			return err
		}
		meta[MetaRecord] = "original"
		meta[MetaRecordFile] = name
	}
	if err := writeMetadataJSON(outDir, d, b, meta, flags, pages, keepOriginal); err != nil {
		return err
	}
	os.RemoveAll(workDir)
	_, err = e.Store.Transition(ctx, d.ID, Change{To: StateReview, Actor: e.owner(), Action: "recognised",
		Detail: map[string]any{"output": output, "flags": flags, "pages": len(pages)},
		Mutate: func(doc *Document) error {
			for k, v := range meta {
				if _, set := doc.Metadata[k]; !set {
					doc.Metadata[k] = v
				}
			}
			for _, f := range flags {
				if !doc.HasFlag(f) {
					doc.Flags = append(doc.Flags, f)
				}
			}
			doc.Output = output
			return nil
		}})
	if err != nil {
		return err
	}
	if e.autoApprove(b) {
		err := e.approve(ctx, d.ID, Approval{Person: AutomaticApprover, Automatic: true, Time: time.Now().UTC()})
		if err != nil {
			// The document stays in review for a person; it is not lost or retried blindly.
			e.log().Warn("automatic approval refused; document waits at the desk", "document", d.ID, "err", err)
			e.Store.Append(ctx, e.owner(), "auto-approve-refused", d.ID, d.BatchID, map[string]string{"error": err.Error()})
		}
	}
	return nil
}

func (e *Engine) autoApprove(b *Batch) bool {
	if e.Config == nil {
		return false
	}
	for _, f := range e.Config.Folders {
		if f.Name == b.Profile {
			return f.AutoApprove
		}
	}
	for _, a := range e.Config.Mail.Accounts {
		if a.Name == b.Profile {
			return a.AutoApprove
		}
	}
	return false
}

// DocumentMetadata is the metadata.json written beside each document's PDF.
type DocumentMetadata struct {
	Version      int               `json:"version"`
	DocumentID   string            `json:"document_id"`
	BatchID      string            `json:"batch_id"`
	Source       string            `json:"source"`
	Filename     string            `json:"filename"`
	SHA256       string            `json:"original_sha256"`
	Pages        []int             `json:"pages"`
	Metadata     map[string]string `json:"metadata"`
	Flags        []string          `json:"flags"`
	PageResults  []PageResult      `json:"page_results"`
	KeepOriginal bool              `json:"original_is_record,omitempty"`
	Written      time.Time         `json:"written"`
}

func writeMetadataJSON(dir string, d *Document, b *Batch, meta map[string]string, flags []string, pages []PageResult, keep bool) error {
	all := map[string]string{}
	for k, v := range d.Metadata {
		all[k] = v
	}
	for k, v := range meta {
		if _, ok := all[k]; !ok {
			all[k] = v
		}
	}
	m := DocumentMetadata{Version: 1, DocumentID: d.ID, BatchID: b.ID, Source: b.Source, Filename: b.Filename,
		SHA256: b.SHA256, Pages: d.Pages, Metadata: all, Flags: append(append([]string{}, d.Flags...), flags...),
		PageResults: pages, KeepOriginal: keep, Written: time.Now().UTC()}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, "metadata.json"), data, 0o640)
}

// WriteFileAtomic writes data to a temp file beside path, fsyncs it and
// renames it over path, so nothing half-written is ever read as finished.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	return writeAtomic(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// writeAtomic writes through fill into a temp file beside path, fsyncs it,
// renames it over path and fsyncs the directory.
func writeAtomic(path string, perm os.FileMode, fill func(io.Writer) error) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := fill(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, perm); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// ProcessBatch drives every document of a batch until it rests (review,
// exported, quarantined, rejected) or waits for delivery (approved). Used by
// `process`; the data directory must not be served by another engine meanwhile.
func (e *Engine) ProcessBatch(ctx context.Context, batchID string) error {
	for round := 0; round < 1000; round++ {
		docs, err := e.Store.Documents(ctx, DocFilter{BatchID: batchID})
		if err != nil {
			return err
		}
		progressed := false
		for _, d := range docs {
			switch d.State {
			case StateReceived, StateSplitting, StateRecognising:
				if err := ctx.Err(); err != nil {
					return err
				}
				before := d.UpdatedAt
				e.Advance(ctx, d)
				if nd, err := e.Store.Document(ctx, d.ID); err == nil && (nd.State != d.State || !nd.UpdatedAt.Equal(before)) {
					progressed = true
				}
			}
		}
		if !progressed {
			return nil
		}
	}
	return fmt.Errorf("batch %s: pipeline did not come to rest", batchID)
}

// RecordFileName is the name of the unchanged copy of an original that is
// the document of record, in out/<id>/.
func RecordFileName(mediaType string) string {
	ext := map[string]string{MediaPDF: ".pdf", MediaXML: ".xml", MediaEML: ".eml", MediaPKCS7: ".p7m",
		MediaTIFF: ".tif", MediaJPEG: ".jpg", MediaPNG: ".png"}[mediaType]
	if ext == "" {
		ext = ".bin"
	}
	return "original" + ext
}

// CopyFileAtomic copies src to dst like WriteFileAtomic, streaming, so large
// originals are not held in memory.
func CopyFileAtomic(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return writeAtomic(dst, 0o640, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}
