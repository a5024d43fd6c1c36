package pipeline

// Sending: the seam between batching and the network. sender.export takes one
// sealed batch (an encoded export request), exports it and records the
// acknowledgement (records accepted, retries, records rejected, bytes sent)
// or the failure. Batches are exported one at a time, in order.

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
)

// sender exports the batches of one Ship call on its own goroutine, in the
// order they are submitted, while the caller fills the next one. Two batches
// take turns: one filled by the caller, one exported.
type sender struct {
	s    *Shipper
	ctx  context.Context
	todo chan *batch // submitted batches, in order
	free chan *batch // batches to fill: new, exported, or dropped after a failure
	done chan struct{}

	mu      sync.Mutex
	res     Result // the export counts: Records, Batches, Retries, Rejected, BytesSent
	err     error  // the first failure; later batches are dropped
	panic   any    // what the exporter panicked with, to panic with in Ship
	ran     bool   // the goroutine handled every batch submitted
	stopped bool
}

func (s *Shipper) startSender(ctx context.Context) *sender {
	x := &sender{s: s, ctx: ctx, todo: make(chan *batch, 1), free: make(chan *batch, 2), done: make(chan struct{})}
	for range 2 {
		select {
		case b := <-s.batches:
			x.free <- b
		default:
			x.free <- newBatch()
		}
	}
	go x.run()
	return x
}

// maxPooledBatch is the largest encoded batch kept for the next object.
const maxPooledBatch = 16 << 20

func (x *sender) run() {
	defer close(x.done)
	for b := range x.todo {
		if !x.failed() {
			x.export(b)
		}
		b.reset()
		x.free <- b
	}
	x.mu.Lock()
	x.ran = true
	x.mu.Unlock()
}

// errExporterPanicked stops the batches after an exporter's panic, which stop
// then raises again on the Ship goroutine.
var errExporterPanicked = errors.New("the exporter panicked")

func (x *sender) export(b *batch) {
	defer func() {
		if p := recover(); p != nil {
			x.mu.Lock()
			x.err, x.panic = errExporterPanicked, p
			x.mu.Unlock()
		}
	}()
	stats, err := x.s.exporter.ExportProto(x.ctx, b.req, b.records)
	x.mu.Lock()
	defer x.mu.Unlock()
	x.res.Retries += int64(stats.Retries)
	x.res.BytesSent += stats.BytesSent
	if err != nil {
		x.err = fmt.Errorf("export of %d records failed: %w", b.records, err)
		return
	}
	x.res.Batches++
	x.countAccepted(int64(b.records), stats)
}

// submit hands b to the sender, which exports it unless it is empty; the caller
// then takes its next batch with next.
func (x *sender) submit(b *batch, conv *logrecord.Converter) {
	if b.records == 0 {
		x.free <- b
		return
	}
	b.seal(conv)
	select {
	case x.todo <- b:
	case <-x.done: // gone: stop reports it
	}
}

// next returns the batch to fill next, or false when an export failed (or the
// sender is gone): the caller must then stop.
func (x *sender) next() (*batch, bool) {
	select {
	case b := <-x.free:
		return b, !x.failed()
	case <-x.done:
		return nil, false
	}
}

func (x *sender) failed() bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.err != nil
}

// stop waits for the submitted batches, adds the export counts to res (once) and
// returns the first failure.
func (x *sender) stop(res *Result) error {
	x.mu.Lock()
	stopped := x.stopped
	x.stopped = true
	x.mu.Unlock()
	if !stopped {
		close(x.todo)
	}
	<-x.done
	x.mu.Lock()
	defer x.mu.Unlock()
	res.Records += x.res.Records
	res.Batches += x.res.Batches
	res.Retries += x.res.Retries
	res.Rejected += x.res.Rejected
	if res.RejectedMessage == "" {
		res.RejectedMessage = x.res.RejectedMessage
	}
	res.BytesSent += x.res.BytesSent
	x.res = Result{}
	for len(x.free) > 0 {
		// Keep the batches for the next object; the batch Ship held, if any, is
		// dropped (it may hold records).
		if b := <-x.free; cap(b.buf) <= maxPooledBatch {
			select {
			case x.s.batches <- b:
			default:
			}
		}
	}
	if x.panic != nil {
		p := x.panic
		x.panic = nil
		panic(p)
	}
	if x.err == nil && !x.ran {
		// The goroutine ended without finishing the batches (runtime.Goexit in
		// the exporter): they were not all exported.
		return errors.New("pipeline: the exporter stopped its goroutine")
	}
	return x.err
}

// countAccepted counts a successful export's records apart: those the
// endpoint accepted, and those it rejected in a partial success (with its
// first message about them). Callers hold x.mu.
func (x *sender) countAccepted(sent int64, stats otlpexport.Stats) {
	rejected := min(max(stats.RejectedLogRecords, 0), sent)
	x.res.Records += sent - rejected
	x.res.Rejected += rejected
	if rejected > 0 && x.res.RejectedMessage == "" {
		x.res.RejectedMessage = stats.PartialSuccessMessage
	}
}
