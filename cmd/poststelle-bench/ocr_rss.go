//go:build !windows

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// rssDefinition is printed under the table and documents what peak RSS
// means for every system alike.
const rssDefinition = "peak RSS = the largest sum, over samples taken every 50 ms from /proc, of the resident memory of all " +
	"processes of the system (the started processes and all their descendants, e.g. OCRmyPDF's tesseract and " +
	"Ghostscript children, or the W tesseract CLI processes running at once); at least the largest single " +
	"process's own peak (getrusage) when a process lived shorter than a sample"

// rssSampler samples the summed RSS of a set of process trees.
type rssSampler struct {
	mu    sync.Mutex
	roots map[int]bool
	peak  int64 // bytes, largest sampled sum
	floor int64 // bytes, largest ru_maxrss of a waited-for process
	stop  chan struct{}
	done  chan struct{}
}

func newRSSSampler() *rssSampler {
	s := &rssSampler{roots: map[int]bool{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				s.sample()
			}
		}
	}()
	return s
}

// PeakMB stops sampling and returns the peak in MB.
func (s *rssSampler) PeakMB() float64 {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return float64(max(s.peak, s.floor)) / (1 << 20)
}

// run starts cmd, counts its process tree while it runs and waits for it.
func (s *rssSampler) run(cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	pid := cmd.Process.Pid
	s.mu.Lock()
	s.roots[pid] = true
	s.mu.Unlock()
	s.sample()
	err := cmd.Wait()
	s.mu.Lock()
	delete(s.roots, pid)
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.floor = max(s.floor, ru.Maxrss*1024)
	}
	s.mu.Unlock()
	return err
}

// sample adds up the RSS of every process under the roots.
func (s *rssSampler) sample() {
	s.mu.Lock()
	roots := make([]int, 0, len(s.roots))
	for pid := range s.roots {
		roots = append(roots, pid)
	}
	s.mu.Unlock()
	if len(roots) == 0 {
		return
	}
	children, rss := procTable()
	var sum int64
	seen := map[int]bool{}
	for len(roots) > 0 {
		pid := roots[len(roots)-1]
		roots = roots[:len(roots)-1]
		if seen[pid] {
			continue
		}
		seen[pid] = true
		sum += rss[pid]
		roots = append(roots, children[pid]...)
	}
	s.mu.Lock()
	s.peak = max(s.peak, sum)
	s.mu.Unlock()
}

// procTable reads every process's parent and RSS (bytes) from /proc/PID/stat.
func procTable() (children map[int][]int, rss map[int]int64) {
	children, rss = map[int][]int{}, map[int]int64{}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	page := int64(os.Getpagesize())
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid … ; rss is field 24 (1-based), the 22nd after ")".
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) < 22 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		pages, _ := strconv.ParseInt(f[21], 10, 64)
		children[ppid] = append(children[ppid], pid)
		rss[pid] = pages * page
	}
	return
}

// measured runs one command under a fresh sampler: wall seconds, peak RSS
// of its process tree in MB, and stderr's tail with the error.
func measured(ctx context.Context, env []string, name string, args ...string) (float64, float64, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	s := newRSSSampler()
	start := time.Now()
	err := s.run(cmd)
	sec := time.Since(start).Seconds()
	mb := s.PeakMB()
	if err != nil {
		return sec, mb, commandError(name, err, stderr.String())
	}
	return sec, mb, nil
}

func commandError(name string, err error, stderr string) error {
	stderr = strings.TrimSpace(stderr)
	if len(stderr) > 400 {
		stderr = "…" + stderr[len(stderr)-400:]
	}
	if stderr == "" {
		return fmt.Errorf("%s: %w", name, err)
	}
	return fmt.Errorf("%s: %w: %s", name, err, stderr)
}

// envWith returns the environment with key set to value ("" removes it).
func envWith(key, value string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, key+"=") {
			env = append(env, kv)
		}
	}
	if value != "" {
		env = append(env, key+"="+value)
	}
	return env
}
