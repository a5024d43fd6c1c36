package pipeline

// Batching: lines become records in the request being filled, until it is
// full (Options.MaxBatchRecords, Options.MaxBatchBytes); the sender (send.go)
// then compresses and exports it.

import (
	"slices"

	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
)

// batch is the export request being filled: one resource, one scope, the
// records encoded as they are converted.
type batch struct {
	buf     []byte // logrecord.RequestHeadroom free bytes, then the records
	req     []byte // the encoded request, once submitted
	records int
	bytes   int
	oldest  uint64 // the earliest record time (Unix nanoseconds), 0 when none
	first   int64  // the first line read into it, 0 when none
}

func newBatch() *batch {
	b := &batch{}
	b.reset()
	return b
}

func (b *batch) reset() {
	b.records, b.bytes, b.oldest, b.first = 0, 0, 0, 0
	b.buf = append(b.buf[:0], make([]byte, logrecord.RequestHeadroom)...)
	b.req = nil
}

// add converts one line into the batch.
func (b *batch) add(conv *logrecord.Converter, lineNo int64, line []byte) logrecord.Outcome {
	if need := 4*len(line) + 4096; cap(b.buf)-len(b.buf) < need {
		// Double: append's growth (a quarter at this size) would copy the
		// batch many times over while it fills.
		b.buf = slices.Grow(b.buf, max(need, cap(b.buf)))
	}
	var o logrecord.Outcome
	b.buf, o = conv.AppendProto(b.buf, lineNo, line)
	if o != logrecord.OutcomeSkipped {
		b.records++
	}
	return o
}

// seal completes the request with the resource and the scope.
func (b *batch) seal(conv *logrecord.Converter) {
	b.req = conv.FinishRequest(b.buf)
}

func (b *batch) full(o Options) bool {
	return b.records >= o.MaxBatchRecords || b.bytes >= o.MaxBatchBytes
}
