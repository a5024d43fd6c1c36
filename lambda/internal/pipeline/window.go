package pipeline

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
)

// maxHold caps how long a Retry-After keeps new requests back (the exporter
// caps its own wait before a retry likewise, by its Retry.MaxInterval).
const maxHold = 30 * time.Second

// window admits export requests in the order of their batches, at most limit
// at once. The limit starts at the configured in-flight count and follows the
// backend AIMD-like, as TCP's congestion window does: an answer 429 or 503
// halves it (once per round of requests: the answers to requests sent before
// the last cut do not cut again), and a Retry-After keeps new requests back
// until it has passed; each request accepted without pushback grows it by
// 1/limit, so about one more request per round until it is back at the maximum.
// A request being retried keeps its slot and never takes another.
type window struct {
	mu        sync.Mutex
	max       int
	limit     float64
	open      int       // requests in flight
	next      int64     // the batch allowed to start next
	round     int       // grows at each cut
	holdUntil time.Time // no request starts before it (Retry-After)
	changed   chan struct{}

	pushbacks int64 // answers 429 or 503
	lowest    int   // the lowest limit reached
}

func newWindow(max int) *window {
	return &window{max: max, limit: float64(max), lowest: max, changed: make(chan struct{})}
}

// wakeLocked wakes the waiting acquire calls.
func (w *window) wakeLocked() {
	close(w.changed)
	w.changed = make(chan struct{})
}

// acquire waits until batch seq may start: the batches before it have
// started, fewer than limit requests are open, and no Retry-After holds new
// requests back. It returns the round the request starts in, or false when ctx
// ends first.
func (w *window) acquire(ctx context.Context, seq int64) (int, bool) {
	for {
		w.mu.Lock()
		now := time.Now()
		if seq == w.next && w.open < int(w.limit) && !now.Before(w.holdUntil) {
			w.next++
			w.open++
			round := w.round
			w.wakeLocked()
			w.mu.Unlock()
			return round, true
		}
		changed := w.changed
		var hold *time.Timer
		var holdC <-chan time.Time
		if now.Before(w.holdUntil) {
			hold = time.NewTimer(w.holdUntil.Sub(now))
			holdC = hold.C
		}
		w.mu.Unlock()
		select {
		case <-changed:
		case <-holdC:
		case <-ctx.Done():
		}
		if hold != nil {
			hold.Stop()
		}
		if ctx.Err() != nil {
			return 0, false
		}
	}
}

// release ends a request started in round; ok tells whether the backend
// accepted it without pushing back.
func (w *window) release(ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.open--
	if ok {
		w.limit = math.Min(float64(w.max), w.limit+1/w.limit)
	}
	w.wakeLocked()
}

// pushback takes the backend's answer 429 or 503 to a request started in round.
func (w *window) pushback(round int, p otlpexport.Pushback) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pushbacks++
	if round == w.round {
		w.limit = math.Max(1, math.Floor(w.limit/2))
		w.round++
		w.lowest = min(w.lowest, int(w.limit))
	}
	if p.HasRetryAfter {
		if until := time.Now().Add(min(p.RetryAfter, maxHold)); until.After(w.holdUntil) {
			w.holdUntil = until
		}
	}
	w.wakeLocked()
}

// stats returns the answers 429 or 503 seen and the lowest limit reached.
func (w *window) stats() (pushbacks int64, lowest int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pushbacks, w.lowest
}
