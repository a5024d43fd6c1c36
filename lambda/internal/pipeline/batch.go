package pipeline

// Batching: lines become records in the request being filled, until it is
// full (Options.MaxBatchRecords, Options.MaxBatchBytes); the sender (send.go)
// then compresses and exports it.

import (
	"slices"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
)

// batch is the export request being filled: one resource, one scope. The
// records are encoded as they are converted (req), or, for an exporter that
// takes plog.Logs only, appended to logs.
type batch struct {
	proto    bool
	buf      []byte // logrecord.RequestHeadroom free bytes, then the records
	req      []byte // the encoded request, once submitted
	logs     plog.Logs
	resource pcommon.Resource
	slice    plog.LogRecordSlice
	records  int
	bytes    int
	oldest   pcommon.Timestamp // the earliest record time, 0 when none
	first    int64             // the first line read into it, 0 when none
}

func newBatch(proto bool) *batch {
	b := &batch{proto: proto}
	b.reset()
	return b
}

func (b *batch) reset() {
	b.records, b.bytes, b.oldest, b.first = 0, 0, 0, 0
	if b.proto {
		b.buf = append(b.buf[:0], make([]byte, logrecord.RequestHeadroom)...)
		b.req = nil
		return
	}
	b.logs = plog.NewLogs()
	rl := b.logs.ResourceLogs().AppendEmpty()
	b.resource = rl.Resource()
	sl := rl.ScopeLogs().AppendEmpty()
	logrecord.FillScope(sl.Scope())
	b.slice = sl.LogRecords()
}

// add converts one line into the batch.
func (b *batch) add(conv *logrecord.Converter, lineNo int64, line []byte) logrecord.Outcome {
	var o logrecord.Outcome
	if b.proto {
		if need := 4*len(line) + 4096; cap(b.buf)-len(b.buf) < need {
			// Double: append's growth (a quarter at this size) would copy the
			// batch many times over while it fills.
			b.buf = slices.Grow(b.buf, max(need, cap(b.buf)))
		}
		b.buf, o = conv.AppendProto(b.buf, lineNo, line)
	} else {
		o = conv.Convert(b.slice, lineNo, line)
	}
	if o != logrecord.OutcomeSkipped {
		b.records++
	}
	return o
}

// seal completes the request with the resource and the scope.
func (b *batch) seal(conv *logrecord.Converter) {
	if b.proto {
		b.req = conv.FinishRequest(b.buf)
	} else {
		conv.FillResource(b.resource)
	}
}

func (b *batch) full(o Options) bool {
	return b.records >= o.MaxBatchRecords || b.bytes >= o.MaxBatchBytes
}
