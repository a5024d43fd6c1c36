package pipeline

// Sending: the seam between batching and the network. A sealed batch (an
// encoded export request) becomes a job that compresses it, waits for its turn
// in the window (window.go) and exports it; the ledger records each batch's
// acknowledgement or failure, in whatever order they come.

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
)

// wireExporter is an Exporter that also compresses and sends in two steps
// (otlpexport.Exporter does): the sender then compresses the next batch, one per
// core, while earlier ones are on the wire, and keeps only the compressed body
// of a request in flight.
type wireExporter interface {
	Prepare(req []byte, records int) (*otlpexport.Prepared, error)
	Send(ctx context.Context, p *otlpexport.Prepared) (otlpexport.Stats, error)
}

// sender exports the batches of one Ship call, up to Options.MaxInFlight
// requests at once, while the caller fills the next batch:
//
//   - each submitted batch becomes a job on a goroutine of its own: it is
//     compressed (at most GOMAXPROCS at once), its uncompressed batch goes back to
//     the caller, then it waits for its turn in the window (batches start in
//     order, at most the window's limit at once) and is sent;
//   - batches complete in any order; the ledger counts a batch as shipped only
//     when it and every batch before it were accepted;
//   - the first failure cancels the requests in flight and fails the object,
//     except while draining at the deadline, when a batch not accepted in time
//     is where the continuation starts.
//
// Memory: at most GOMAXPROCS+1 uncompressed batches (one filled, the others
// compressed) and MaxInFlight+GOMAXPROCS+1 compressed bodies (in flight, or
// waiting for their turn).
type sender struct {
	s      *Shipper
	parent context.Context
	ctx    context.Context // the requests': ends at the first failure, or when the drain's time is up
	cancel context.CancelCauseFunc
	win    *window
	cores  chan struct{} // one token per core: compressions at once
	tokens chan struct{} // one per job submitted and not done
	free   chan *batch   // batches to fill: new, or recycled after compression or export
	failed chan struct{} // closed at the first failure

	made, maxBatches int
	seq              int64     // jobs submitted
	stopAt           time.Time // the caller stops here (zero: no deadline)
	draining         atomic.Bool
	wg               sync.WaitGroup

	mu        sync.Mutex
	ledger    []ledgerEntry // by job
	res       Result        // Retries and BytesSent of every request
	err       error         // the first failure
	drainErr  error         // the first batch not accepted while draining
	panic     any           // what the exporter panicked with, to panic with in Ship
	accounted bool
}

// ledgerEntry is one submitted batch.
type ledgerEntry struct {
	firstLine int64 // the first line read into it
	records   int
	state     jobState
	// rejected is how many of the records the endpoint rejected in a partial
	// success, with its message; set when the batch was accepted.
	rejected int64
	message  string
}

type jobState uint8

const (
	jobPending jobState = iota
	jobAccepted
	jobFailed
)

// nextState is what sender.next found.
type nextState uint8

const (
	nextReady    nextState = iota // a batch to fill
	nextFailed                    // an export failed: stop, stop returns the failure
	nextDeadline                  // the deadline is near: stop and drain
)

// Errors that end requests early.
var (
	errExporterPanicked = errors.New("the exporter panicked")
	errExporterExited   = errors.New("pipeline: the exporter stopped its goroutine")
	errAborted          = errors.New("another batch failed")
	errDrained          = fmt.Errorf("not accepted before the deadline: %w", context.DeadlineExceeded)
)

func (s *Shipper) startSender(ctx context.Context) *sender {
	procs := runtime.GOMAXPROCS(0)
	inFlight := s.opts.MaxInFlight
	x := &sender{
		s:          s,
		parent:     ctx,
		win:        newWindow(inFlight),
		cores:      make(chan struct{}, procs),
		tokens:     make(chan struct{}, inFlight+procs+1),
		failed:     make(chan struct{}),
		maxBatches: s.maxBatches,
	}
	x.free = make(chan *batch, x.maxBatches)
	x.ctx, x.cancel = context.WithCancelCause(ctx)
	if deadline, ok := ctx.Deadline(); ok {
		x.stopAt = deadline.Add(-s.opts.StopMargin)
	}
	// At most maxBatches, however many other objects give back meanwhile
	// (free holds no more: one more would block for ever).
	for range x.maxBatches {
		select {
		case b := <-s.batches:
			x.free <- b
			x.made++
			continue
		default:
		}
		break
	}
	return x
}

// next returns the batch to fill next. It waits while MaxInFlight+GOMAXPROCS+1
// jobs are not done, or every batch is being compressed; it returns early when
// an export failed, or when the deadline is near (once a batch was submitted:
// every run ships at least one).
func (x *sender) next() (*batch, nextState) {
	select {
	case <-x.failed:
		return nil, nextFailed
	default:
	}
	var stop <-chan time.Time
	if x.seq > 0 && !x.stopAt.IsZero() {
		t := time.NewTimer(time.Until(x.stopAt))
		defer t.Stop()
		stop = t.C
	}
	select {
	case x.tokens <- struct{}{}:
	case <-x.failed:
		return nil, nextFailed
	case <-stop:
		return nil, nextDeadline
	}
	select {
	case b := <-x.free:
		return b, nextReady
	default:
	}
	if x.made < x.maxBatches {
		x.made++
		return newBatch(), nextReady
	}
	select {
	case b := <-x.free:
		return b, nextReady
	case <-x.failed:
		<-x.tokens
		return nil, nextFailed
	case <-stop:
		<-x.tokens
		return nil, nextDeadline
	}
}

// submit hands b to a job of its own, which exports it unless it is empty.
func (x *sender) submit(b *batch, conv *logrecord.Converter) {
	if b.records == 0 {
		b.reset()
		x.free <- b
		<-x.tokens
		return
	}
	b.seal(conv)
	x.mu.Lock()
	x.ledger = append(x.ledger, ledgerEntry{firstLine: b.first, records: b.records})
	x.mu.Unlock()
	x.wg.Add(1)
	go x.run(x.seq, b)
	x.seq++
}

// run is one job: export batch seq and record the outcome.
func (x *sender) run(seq int64, b *batch) {
	defer x.wg.Done()
	defer func() { <-x.tokens }()
	finished := false
	defer func() {
		if p := recover(); p != nil {
			x.mu.Lock()
			if x.panic == nil {
				x.panic = p
			}
			x.mu.Unlock()
			x.done(seq, otlpexport.Stats{}, errExporterPanicked)
			return
		}
		if !finished { // runtime.Goexit in the exporter
			x.done(seq, otlpexport.Stats{}, errExporterExited)
		}
	}()
	st, err := x.export(seq, b)
	finished = true
	x.done(seq, st, err)
}

// export compresses b when the exporter lets it, waits for the batch's turn and
// a slot, and sends it. A request being retried keeps its slot; the answers 429
// and 503 narrow the window.
func (x *sender) export(seq int64, b *batch) (otlpexport.Stats, error) {
	var prep *otlpexport.Prepared
	if x.s.wire != nil {
		select {
		case x.cores <- struct{}{}:
		case <-x.ctx.Done():
			x.recycle(b)
			return otlpexport.Stats{}, x.notSent()
		}
		var err error
		prep, err = x.s.wire.Prepare(b.req, b.records)
		<-x.cores
		x.recycle(b)
		b = nil
		if err != nil {
			return otlpexport.Stats{}, err
		}
	}
	round, ok := x.win.acquire(x.ctx, seq)
	if !ok {
		if prep != nil {
			prep.Release()
		} else {
			x.recycle(b)
		}
		return otlpexport.Stats{}, x.notSent()
	}
	pushed := false
	ctx := otlpexport.WithPushback(x.ctx, func(p otlpexport.Pushback) {
		pushed = true // called on this goroutine, by the exporter's retry loop
		x.win.pushback(round, p)
	})
	var st otlpexport.Stats
	var err error
	switch {
	case prep != nil:
		st, err = x.s.wire.Send(ctx, prep)
	default:
		st, err = x.s.exporter.ExportProto(ctx, b.req, b.records)
	}
	x.win.release(err == nil && !pushed)
	if b != nil {
		x.recycle(b)
	}
	return st, err
}

func (x *sender) notSent() error {
	return fmt.Errorf("not sent: %w", context.Cause(x.ctx))
}

// recycle gives b back to the caller to fill.
func (x *sender) recycle(b *batch) {
	b.reset()
	x.free <- b
}

// done records the outcome of job seq.
func (x *sender) done(seq int64, st otlpexport.Stats, err error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.res.Retries += int64(st.Retries)
	x.res.BytesSent += st.BytesSent
	e := &x.ledger[seq]
	if e.state != jobPending {
		return
	}
	if err == nil {
		e.state = jobAccepted
		e.rejected = min(max(st.RejectedLogRecords, 0), int64(e.records))
		e.message = st.PartialSuccessMessage
		return
	}
	e.state = jobFailed
	if x.err != nil {
		return // a consequence of the first failure (cancelled)
	}
	if x.draining.Load() && retryable(err) {
		// Not accepted in time: the continuation starts at the first such batch.
		if x.drainErr == nil {
			x.drainErr = err
		}
		return
	}
	x.err = fmt.Errorf("export of %d records failed: %w", e.records, err)
	close(x.failed)
	x.cancel(errAborted)
}

// retryable tells whether err may not recur: a retryable export error, or the
// end of the context.
func retryable(err error) bool {
	var xe *otlpexport.ExportError
	if errors.As(err, &xe) {
		return xe.Retryable
	}
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// stop waits for the jobs submitted, adds the export counts to res (once) and
// returns the first failure. It may be called more than once.
func (x *sender) stop(res *Result) error {
	x.wg.Wait()
	x.cancel(context.Canceled)
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.accounted {
		x.accounted = true
		res.Retries += x.res.Retries
		res.BytesSent += x.res.BytesSent
		for _, e := range x.ledger {
			if e.state != jobAccepted {
				break // nothing after a batch not accepted counts as shipped
			}
			// Records the endpoint rejected in a partial success are counted
			// apart: they exist only in the object, which must be kept.
			res.Records += int64(e.records) - e.rejected
			res.Rejected += e.rejected
			if e.rejected > 0 && res.RejectedMessage == "" {
				res.RejectedMessage = e.message
			}
			res.Batches++
		}
		res.Throttled, res.InFlightLow = x.win.stats()
		if res.Throttled == 0 {
			res.InFlightLow = 0
		}
		x.keepBatches()
	}
	if x.panic != nil {
		p := x.panic
		x.panic = nil
		panic(p)
	}
	return x.err
}

// maxPooledBatch is the largest encoded batch kept for the next object.
const maxPooledBatch = 16 << 20

// keepBatches keeps the free batches for the next object; the batch the caller
// holds, if any, is dropped (it may hold records).
func (x *sender) keepBatches() {
	for len(x.free) > 0 {
		if b := <-x.free; cap(b.buf) <= maxPooledBatch {
			select {
			case x.s.batches <- b:
			default:
			}
		}
	}
}

// drain is stop at the deadline: the requests in flight get half the time left
// to be accepted, the rest is the caller's (to hand on the continuation). It
// returns the line to continue from: next when every batch was accepted, else
// the first line of the first batch not accepted. When no batch at all was
// accepted it fails instead, so an object that makes no progress ends in the
// dead-letter queue rather than in an endless chain of continuations.
func (x *sender) drain(res *Result, next int64) (int64, error) {
	x.draining.Store(true)
	if deadline, ok := x.parent.Deadline(); ok {
		t := time.AfterFunc(time.Until(deadline)/2, func() { x.cancel(errDrained) })
		defer t.Stop()
	}
	if err := x.stop(res); err != nil {
		return 0, err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for i, e := range x.ledger {
		if e.state == jobAccepted {
			continue
		}
		if i == 0 {
			return 0, fmt.Errorf("no batch was accepted before the deadline: %w", x.drainErr)
		}
		return e.firstLine, nil
	}
	return next, nil
}
