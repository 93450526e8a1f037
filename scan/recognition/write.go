package recognition

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"time"

	"poststelle/mailroom"
	"poststelle/mailroom/pdf/pdfa"
	"poststelle/mailroom/safefile"
)

// pageOut is one finished page.
type pageOut struct {
	seq    int
	pdf    pdfa.Page
	result mailroom.PageResult
	err    error
}

// writePDF processes the pages on the workers (each with its own decoder,
// one page at a time) and writes them in order as they finish, to a temp
// file committed to out (mailroom/safefile) when every page is in.
func (r *Recognition) writePDF(ctx context.Context, job mailroom.RecognitionJob, mt string, nums []int, out string) ([]mailroom.PageResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	window := 2 * min(r.opt.Workers, len(nums)) // pages in flight or waiting to be written
	tokens := make(chan struct{}, window)
	done := r.startPages(ctx, job, mt, nums, tokens, window)

	f, err := safefile.Create(filepath.Dir(out), ".tmp-"+filepath.Base(out)+"-*")
	if err != nil {
		return nil, err
	}
	defer f.Abort()
	pw, err := pdfa.NewWriter(f, pdfa.Info{Title: title(job), Created: time.Now()})
	if err != nil {
		return nil, err
	}
	results, written, err := writeInOrder(done, tokens, pw, len(nums), cancel)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if written != len(nums) {
		return nil, errors.New("recognition: not every page was processed")
	}
	if err := pw.Close(); err != nil {
		return nil, err
	}
	return results, f.Commit(out, 0o640)
}

// startPages starts the workers and the feeder that hands them the pages
// (at most window pages not yet written, held by tokens); done is closed
// when every worker has finished.
func (r *Recognition) startPages(ctx context.Context, job mailroom.RecognitionJob, mt string, nums []int, tokens chan struct{}, window int) <-chan pageOut {
	desk := mailroom.Rotations(&mailroom.Document{Metadata: job.Metadata})
	todo := make(chan int)
	done := make(chan pageOut, window)
	var wg sync.WaitGroup
	for w := 0; w < min(r.opt.Workers, len(nums)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.worker(ctx, job, mt, nums, desk, todo, done)
		}()
	}
	go func() {
		defer close(todo)
		for seq := range nums {
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case todo <- seq:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(done) }()
	return done
}

// worker opens its own decoder and processes the pages it is handed, one
// at a time, each in one of the slots shared by all documents.
func (r *Recognition) worker(ctx context.Context, job mailroom.RecognitionJob, mt string, nums []int, desk map[int]int, todo <-chan int, done chan<- pageOut) {
	ps, err := r.opener.Open(ctx, job.Original, mt)
	if err != nil {
		for seq := range todo {
			done <- pageOut{seq: seq, err: err}
		}
		return
	}
	defer ps.Close()
	for seq := range todo {
		var po pageOut
		select {
		case r.slots <- struct{}{}:
			po = r.processPage(ctx, ps, mt, nums[seq], desk[nums[seq]])
			<-r.slots
		case <-ctx.Done():
			po.err = ctx.Err()
		}
		po.seq = seq
		done <- po
	}
}

// writeInOrder adds the finished pages to the PDF in page order, releasing
// a token for each page written, and returns their results and how many
// were written. At the first error it cancels the others and drains done.
func writeInOrder(done <-chan pageOut, tokens <-chan struct{}, pw *pdfa.Writer, n int, cancel func()) ([]mailroom.PageResult, int, error) {
	results := make([]mailroom.PageResult, n)
	pending := map[int]pageOut{}
	next := 0
	var firstErr error
	for po := range done {
		if firstErr != nil {
			continue // drain
		}
		if po.err != nil {
			firstErr = po.err
			cancel()
			continue
		}
		pending[po.seq] = po
		for {
			p, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			if err := pw.AddPage(p.pdf); err != nil {
				firstErr = err
				cancel()
				break
			}
			results[next] = p.result
			next++
			<-tokens
		}
	}
	if firstErr != nil {
		return nil, next, firstErr
	}
	return results, next, nil
}
