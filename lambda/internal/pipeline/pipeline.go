package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
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
	opts     Options
}

// NewShipper returns a Shipper that exports with e.
func NewShipper(e Exporter, opts Options) *Shipper {
	return &Shipper{exporter: e, opts: opts.withDefaults()}
}

// ErrCorrupt wraps read errors of the object's content (bad gzip, truncated
// stream); retrying cannot fix them, so they end in the dead-letter queue.
var ErrCorrupt = errors.New("corrupt log object")

// Ship reads r (gzip detected from its magic bytes) and exports every line.
// It returns an error when a batch could not be exported (the caller must
// retry the whole object; records carry a deterministic log.record.uid, so a
// backend can drop the duplicates) or the content cannot be read.
func (s *Shipper) Ship(ctx context.Context, src Source, r io.Reader) (Result, error) {
	var res Result
	br := bufio.NewReaderSize(r, 256<<10)
	content, err := decompress(br)
	if err != nil {
		return res, fmt.Errorf("%w: s3://%s/%s: %v", ErrCorrupt, src.Bucket, src.Key, err)
	}
	lines := bufio.NewReaderSize(content, 256<<10)

	conv := logrecord.NewConverter(src.Source, s.opts.Record)
	b := newBatch(conv)
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
			if err := s.flush(ctx, b, &res); err != nil {
				return res, err
			}
			return res, fmt.Errorf("%w: s3://%s/%s after line %d: %v", ErrCorrupt, src.Bucket, src.Key, lineNo, readErr)
		}
		if b.full(s.opts) || (readErr == io.EOF && b.records() > 0) {
			if err := s.flush(ctx, b, &res); err != nil {
				return res, err
			}
			if readErr == nil && hasDeadline && time.Until(deadline) < s.opts.StopMargin {
				res.NextLine = lineNo + 1
				break
			}
		}
		if readErr == io.EOF {
			break
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
	}
	before := b.records()
	switch conv.Convert(b.slice, lineNo, line) {
	case logrecord.OutcomeSkipped:
		res.Skipped++
		return
	case logrecord.OutcomeParseError:
		res.ParseErrors++
	}
	b.bytes += len(line)
	if truncated && b.records() > before {
		res.Truncated++
		rec := b.slice.At(b.records() - 1)
		rec.Attributes().PutStr("aws.elb.parse_error",
			fmt.Sprintf("line %d is longer than %d bytes; shipped truncated", lineNo, s.opts.MaxLineBytes))
	}
	if t := b.slice.At(b.records() - 1).Timestamp(); t != 0 {
		if lag := s.opts.Now().Sub(t.AsTime()); lag > res.MaxLag {
			res.MaxLag = lag
		}
	}
}

func (s *Shipper) flush(ctx context.Context, b *batch, res *Result) error {
	if b.records() == 0 {
		return nil
	}
	b.conv.FillResource(b.resource)
	stats, err := s.exporter.Export(ctx, b.logs)
	res.Retries += int64(stats.Retries)
	res.BytesSent += stats.BytesSent
	res.Rejected += stats.RejectedLogRecords
	if err != nil {
		return fmt.Errorf("export of %d records failed: %w", b.records(), err)
	}
	res.Records += int64(b.records())
	res.Batches++
	b.reset()
	return nil
}

// decompress returns the content of br, gunzipped when it starts with the
// gzip magic bytes (whatever the key's suffix says).
func decompress(br *bufio.Reader) (io.Reader, error) {
	magic, err := br.Peek(2)
	if err != nil && err != io.EOF {
		return nil, err
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return zr, nil
	}
	return br, nil
}

// batch is the export request being filled: one resource, one scope.
type batch struct {
	conv     *logrecord.Converter
	logs     plog.Logs
	resource pcommon.Resource
	slice    plog.LogRecordSlice
	bytes    int
}

func newBatch(conv *logrecord.Converter) *batch {
	b := &batch{conv: conv}
	b.reset()
	return b
}

func (b *batch) reset() {
	b.logs = plog.NewLogs()
	rl := b.logs.ResourceLogs().AppendEmpty()
	b.resource = rl.Resource()
	sl := rl.ScopeLogs().AppendEmpty()
	logrecord.FillScope(sl.Scope())
	b.slice = sl.LogRecords()
	b.bytes = 0
}

func (b *batch) records() int { return b.slice.Len() }

func (b *batch) full(o Options) bool {
	return b.slice.Len() >= o.MaxBatchRecords || b.bytes >= o.MaxBatchBytes
}
