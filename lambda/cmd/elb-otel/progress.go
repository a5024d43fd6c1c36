package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// progress draws a one-line progress display on a terminal: objects done,
// bytes read of the current file and the read rate.
type progress struct {
	w       io.Writer
	enabled bool
	done    atomic.Int64
	failed  atomic.Int64
	read    atomic.Int64
	size    atomic.Int64
	name    atomic.Value
	start   time.Time
	quit    chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
}

func newProgress(w io.Writer, enabled bool) *progress {
	p := &progress{w: w, enabled: enabled, start: time.Now(), quit: make(chan struct{})}
	p.name.Store("")
	if enabled {
		p.wg.Add(1)
		go p.loop()
	}
	return p
}

func (p *progress) loop() {
	defer p.wg.Done()
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.quit:
			p.draw()
			fmt.Fprintln(p.w)
			return
		case <-t.C:
			p.draw()
		}
	}
}

func (p *progress) draw() {
	secs := time.Since(p.start).Seconds()
	read := p.read.Load()
	pct := ""
	if size := p.size.Load(); size > 0 {
		pct = fmt.Sprintf(" %3.0f%%", 100*float64(read)/float64(size))
	}
	fmt.Fprintf(p.w, "\r\033[K%d shipped, %d failed | %s%s | %.1f MB/s",
		p.done.Load(), p.failed.Load(), p.name.Load(), pct, float64(read)/1e6/max(secs, 0.001))
}

func (p *progress) objects(done, failed int) {
	p.done.Add(int64(done))
	p.failed.Add(int64(failed))
}

// reader counts what is read from f for the display.
func (p *progress) reader(f *os.File, name string) io.Reader {
	if !p.enabled {
		return f
	}
	p.name.Store(name)
	p.read.Store(0)
	if st, err := f.Stat(); err == nil {
		p.size.Store(st.Size())
	}
	return &countingReader{r: f, n: &p.read}
}

func (p *progress) stop() {
	p.once.Do(func() {
		close(p.quit)
		p.wg.Wait()
	})
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
