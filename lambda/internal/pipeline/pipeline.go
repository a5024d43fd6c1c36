package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
)

// Exporter sends one batch of log records; otlpexport.Exporter implements it.
type Exporter interface {
	Export(ctx context.Context, ld plog.Logs) (otlpexport.Stats, error)
}

// Defaults for Options.
const (
	DefaultMaxBatchRecords = 2000
	DefaultMaxBatchBytes   = 2 << 20
	DefaultMaxLineBytes    = 1 << 20
	DefaultStopMargin      = 20 * time.Second
)

// Options tune a Shipper. Zero values take the defaults.
type Options struct {
	// Record shapes the OTLP records (service name, resource attributes).
	Record logrecord.Options
	// MaxBatchRecords bounds the records in one export request.
	// Default: DefaultMaxBatchRecords.
	MaxBatchRecords int
	// MaxBatchBytes bounds the raw log bytes in one export request (the
	// encoded request is about as large before compression).
	// Default: DefaultMaxBatchBytes.
	MaxBatchBytes int
	// MaxLineBytes is the longest line kept whole; a longer one is shipped
	// truncated, with aws.elb.parse_error, and counted. Default: 1 MiB.
	MaxLineBytes int
	// StopMargin: when the context deadline is closer than this, the shipper
	// stops at the next batch boundary and reports where to continue.
	// Default: DefaultStopMargin.
	StopMargin time.Duration
	// Now is the clock. Default: time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.MaxBatchRecords <= 0 {
		o.MaxBatchRecords = DefaultMaxBatchRecords
	}
	if o.MaxBatchBytes <= 0 {
		o.MaxBatchBytes = DefaultMaxBatchBytes
	}
	if o.MaxLineBytes <= 0 {
		o.MaxLineBytes = DefaultMaxLineBytes
	}
	if o.StopMargin <= 0 {
		o.StopMargin = DefaultStopMargin
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Record.Now == nil {
		o.Record.Now = o.Now
	}
	return o
}

// Result counts what shipping one object did.
type Result struct {
	Format      string // detected log format
	Lines       int64  // lines read in this run (after StartLine)
	Records     int64  // records exported
	ParseErrors int64  // lines shipped raw with aws.elb.parse_error
	Skipped     int64  // blank and control lines
	Truncated   int64  // lines longer than MaxLineBytes, shipped truncated
	Replaced    int64  // lines with bytes that are not UTF-8, shipped with U+FFFD
	Batches     int64
	Retries     int64
	Rejected    int64 // records the endpoint rejected in partial success responses
	BytesRead   int64 // decompressed bytes read
	BytesSent   int64 // wire bytes sent, retries included
	// NextLine is 0 when the object was shipped to its end; otherwise the
	// 1-based line to continue from (the deadline came first).
	NextLine int64
	// MaxLag is the largest delay from a record's own time to its export.
	MaxLag time.Duration
}

// Source is where the lines come from.
type Source struct {
	logrecord.Source
	// StartLine is the 1-based line to start at; earlier lines are skipped
	// (they were shipped by an earlier run). 0 or 1 starts at the top.
	StartLine int64
}

// Shipper streams log objects, converts each line to an OTLP log record and
// exports them in bounded batches. It holds no per-object state, so one
// Shipper serves concurrent calls.
type Shipper struct {
	exporter Exporter
	proto    protoExporter // exporter, when it takes encoded requests
	opts     Options
	readers  sync.Pool   // *readers, reused from object to object
	batches  chan *batch // batches kept for the next object (not dropped by a GC, as a sync.Pool's are)
}

// protoExporter is an Exporter that also sends requests encoded by the caller
// (otlpexport.Exporter does). The pipeline then encodes each record straight from
// its parsed line into OTLP protobuf (logrecord.Converter.AppendProto), without
// building pdata objects: the same bytes, several times faster.
type protoExporter interface {
	ExportProto(ctx context.Context, req []byte, records int) (otlpexport.Stats, error)
}

// NewShipper returns a Shipper that exports with e.
func NewShipper(e Exporter, opts Options) *Shipper {
	s := &Shipper{exporter: e, opts: opts.withDefaults(), batches: make(chan *batch, 2)}
	s.proto, _ = e.(protoExporter)
	return s
}

// ErrCorrupt wraps read errors of the object's content (bad gzip, truncated
// stream); retrying cannot fix them, so they end in the dead-letter queue.
var ErrCorrupt = errors.New("corrupt log object")

// Ship reads r (gzip detected from its magic bytes) and exports every line.
// It returns an error when a batch could not be exported (the caller must
// retry the whole object; records carry a deterministic log.record.uid, so a
// backend can drop the duplicates) or the content cannot be read.
//
// Batches are exported in order, one at a time, on a second goroutine, while
// the next batch is read and converted; after a failed export no later batch
// is sent, and Ship returns the failure.
func (s *Shipper) Ship(ctx context.Context, src Source, r io.Reader) (res Result, err error) {
	rd := s.getReaders(r)
	defer s.putReaders(rd)
	content, err := rd.decompress()
	if err != nil {
		return res, fmt.Errorf("%w: s3://%s/%s: %v", ErrCorrupt, src.Bucket, src.Key, err)
	}
	lines := rd.lines
	lines.Reset(content)

	conv := logrecord.NewConverter(src.Source, s.opts.Record)
	x := s.startSender(ctx)
	defer func() {
		// Wait for the batches in flight; their outcome completes res, and their
		// failure is the error when nothing failed before.
		if xerr := x.stop(&res); err == nil {
			err = xerr
		}
	}()
	b, _ := x.next()
	deadline, hasDeadline := ctx.Deadline()
	var lineNo int64
	var long []byte
	for {
		line, readErr := lines.ReadSlice('\n')
		if errors.Is(readErr, bufio.ErrBufferFull) {
			// A line longer than the buffer: gather it, up to MaxLineBytes.
			long = append(long[:0], line...)
			for errors.Is(readErr, bufio.ErrBufferFull) {
				line, readErr = lines.ReadSlice('\n')
				if room := s.opts.MaxLineBytes + 1 - len(long); room > 0 {
					long = append(long, line[:min(room, len(line))]...)
				}
			}
			line = long
		}
		if len(line) > 0 {
			lineNo++
			res.BytesRead += int64(len(line))
			line = bytes.TrimRight(line, "\r\n")
			if lineNo >= src.StartLine {
				res.Lines++
				s.convert(b, conv, &res, lineNo, line)
			}
		}
		if readErr != nil && readErr != io.EOF {
			// Ship what was read, then fail: the corrupt tail needs a human.
			s.submit(x, b, conv, &res)
			if err := x.stop(&res); err != nil {
				return res, err
			}
			return res, fmt.Errorf("%w: s3://%s/%s after line %d: %v", ErrCorrupt, src.Bucket, src.Key, lineNo, readErr)
		}
		if b.full(s.opts) || readErr == io.EOF {
			s.submit(x, b, conv, &res) // an empty batch is not sent
			if readErr == io.EOF {
				break
			}
			if hasDeadline && time.Until(deadline) < s.opts.StopMargin {
				// Stop at this batch boundary, once the batches sent are accepted.
				if err := x.stop(&res); err != nil {
					return res, err
				}
				res.NextLine = lineNo + 1
				break
			}
			var ok bool
			if b, ok = x.next(); !ok {
				return res, nil // the deferred stop returns the failure
			}
		}
	}
	res.Format = conv.Format().String()
	return res, nil
}

func (s *Shipper) convert(b *batch, conv *logrecord.Converter, res *Result, lineNo int64, line []byte) {
	truncated := false
	if len(line) > s.opts.MaxLineBytes {
		line = line[:s.opts.MaxLineBytes]
		truncated = true
		conv.SetParseError(fmt.Sprintf("line %d is longer than %d bytes; shipped truncated", lineNo, s.opts.MaxLineBytes))
	}
	switch b.add(conv, lineNo, line) {
	case logrecord.OutcomeSkipped:
		res.Skipped++
		return
	case logrecord.OutcomeParseError:
		res.ParseErrors++
	}
	b.bytes += len(line)
	if truncated {
		res.Truncated++
	}
	if conv.Replaced() {
		res.Replaced++
	}
	if t := conv.LastTimestamp(); t != 0 && (b.oldest == 0 || t < b.oldest) {
		b.oldest = t
	}
}

// submit hands b to the sender, and counts the lag of its oldest record (reading
// the clock once per batch, not per line).
func (s *Shipper) submit(x *sender, b *batch, conv *logrecord.Converter, res *Result) {
	if b.oldest != 0 {
		if lag := s.opts.Now().Sub(b.oldest.AsTime()); lag > res.MaxLag {
			res.MaxLag = lag
		}
	}
	x.submit(b, conv)
}

// readers are the buffers and the gzip reader of one Ship call, pooled: an object
// of a few lines should not pay for allocating them.
type readers struct {
	in    *bufio.Reader // the object as read
	lines *bufio.Reader // its content, decompressed
	zr    *gzip.Reader
}

func (s *Shipper) getReaders(r io.Reader) *readers {
	rd, _ := s.readers.Get().(*readers)
	if rd == nil {
		rd = &readers{in: bufio.NewReaderSize(nil, 256<<10), lines: bufio.NewReaderSize(nil, 256<<10)}
	}
	rd.in.Reset(r)
	return rd
}

func (s *Shipper) putReaders(rd *readers) {
	rd.in.Reset(nil)
	rd.lines.Reset(nil)
	s.readers.Put(rd)
}

// decompress returns the content of the object, gunzipped when it starts with
// the gzip magic bytes (whatever the key's suffix says).
func (rd *readers) decompress() (io.Reader, error) {
	magic, err := rd.in.Peek(2)
	if err != nil && err != io.EOF {
		return nil, err
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		if rd.zr == nil {
			rd.zr, err = gzip.NewReader(rd.in)
		} else {
			err = rd.zr.Reset(rd.in)
		}
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return rd.zr, nil
	}
	return rd.in, nil
}

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
}

func newBatch(proto bool) *batch {
	b := &batch{proto: proto}
	b.reset()
	return b
}

func (b *batch) reset() {
	b.records, b.bytes, b.oldest = 0, 0, 0
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
			x.free <- newBatch(s.proto != nil)
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
	var stats otlpexport.Stats
	var err error
	if b.proto {
		stats, err = x.s.proto.ExportProto(x.ctx, b.req, b.records)
	} else {
		stats, err = x.s.exporter.Export(x.ctx, b.logs)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.res.Retries += int64(stats.Retries)
	x.res.BytesSent += stats.BytesSent
	x.res.Rejected += stats.RejectedLogRecords
	if err != nil {
		x.err = fmt.Errorf("export of %d records failed: %w", b.records, err)
		return
	}
	x.res.Records += int64(b.records)
	x.res.Batches++
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
