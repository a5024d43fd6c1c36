package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"

	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
)

// Exporter sends one batch of log records: req is an ExportLogsServiceRequest
// in OTLP protobuf, encoded straight from the parsed lines
// (logrecord.Converter.AppendProto) and holding records log records. The
// exporter must not keep req after it returns. otlpexport.Exporter implements
// it. With Options.MaxInFlight above 1 it is called from several goroutines at
// once.
type Exporter interface {
	ExportProto(ctx context.Context, req []byte, records int) (otlpexport.Stats, error)
}

// Defaults for Options.
const (
	DefaultMaxBatchRecords = 2000
	DefaultMaxBatchBytes   = 2 << 20
	DefaultMaxLineBytes    = 1 << 20
	DefaultStopMargin      = 20 * time.Second
	// DefaultMaxInFlight is the most export requests in flight at once, chosen
	// from the latency table of `make bench` (see the README): enough to keep
	// one core busy against a backend answering 150-200 ms late.
	DefaultMaxInFlight = 16
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
	// MaxInFlight bounds the export requests in flight at once; fewer while
	// the backend pushes back (429, 503, Retry-After). Default:
	// DefaultMaxInFlight.
	MaxInFlight int
	// StopMargin: when the context deadline is closer than this, the shipper
	// stops at the next batch boundary, gives the requests in flight half the
	// time left, and reports where to continue. Default: DefaultStopMargin.
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
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = DefaultMaxInFlight
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
	Records     int64  // records exported and accepted by the endpoint
	ParseErrors int64  // lines shipped raw with aws.elb.parse_error
	Skipped     int64  // blank and control lines
	Truncated   int64  // lines longer than MaxLineBytes, shipped truncated
	Replaced    int64  // lines with bytes that are not UTF-8, shipped with U+FFFD
	Batches     int64
	Retries     int64
	Rejected    int64 // records the endpoint rejected in partial success responses: they exist only in the object
	// RejectedMessage is the endpoint's message with its first partial
	// success that rejected records (control characters replaced, at most
	// 512 bytes: see otlpexport.Stats).
	RejectedMessage string
	Throttled       int64 // answers 429 or 503: the endpoint pushed back
	InFlightLow     int   // the fewest requests in flight the pushback brought the shipper to; 0 without pushback
	BytesRead       int64 // decompressed bytes read
	BytesSent       int64 // wire bytes sent, retries included
	// NextLine is 0 when the object was shipped to its end; otherwise the
	// 1-based line to continue from (the deadline came first): the first line
	// of the first batch the endpoint had not accepted.
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
	exporter   Exporter
	wire       wireExporter // exporter, when it also compresses apart from sending
	opts       Options
	readers    sync.Pool   // *readers, reused from object to object
	batches    chan *batch // batches kept for the next object (not dropped by a GC, as a sync.Pool's are)
	maxBatches int         // batches one Ship call fills and holds at most
}

// NewShipper returns a Shipper that exports with e.
func NewShipper(e Exporter, opts Options) *Shipper {
	s := &Shipper{exporter: e, opts: opts.withDefaults()}
	s.wire, _ = e.(wireExporter)
	if s.wire != nil {
		// One filled, one compressed per core: a batch in flight holds only
		// its compressed body.
		s.maxBatches = runtime.GOMAXPROCS(0) + 1
	} else {
		// The exporter compresses as it sends: each request in flight holds
		// its batch.
		s.maxBatches = s.opts.MaxInFlight + 2
	}
	s.batches = make(chan *batch, s.maxBatches)
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
// Up to Options.MaxInFlight batches are exported at once, started in order,
// while the next batch is read, converted and compressed; they may complete in
// any order. After a failed export no later batch is started, the requests in
// flight are cancelled, and Ship returns the failure; Result counts only the
// batches accepted before the first one that was not.
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
	b, _ := x.next() // the first call neither fails nor stops
	deadline, hasDeadline := ctx.Deadline()
	var lineNo int64
	var long []byte
	for {
		line, readErr := lines.ReadSlice('\n')
		read := len(line) // the line's bytes, also those past MaxLineBytes
		if errors.Is(readErr, bufio.ErrBufferFull) {
			long, read, readErr = s.readLong(lines, long, line)
			line = long
		}
		// A line the read broke off is not shipped: a retry reads it whole,
		// and would ship it under the same log.record.uid.
		if len(line) > 0 && (readErr == nil || readErr == io.EOF) {
			lineNo++
			res.BytesRead += int64(read)
			line = bytes.TrimRight(line, "\r\n")
			if lineNo >= src.StartLine {
				if b.first == 0 {
					b.first = lineNo
				}
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
			var st nextState
			if hasDeadline && time.Until(deadline) < s.opts.StopMargin {
				st = nextDeadline
			} else {
				b, st = x.next()
			}
			if st == nextFailed {
				return res, nil // the deferred stop returns the failure
			}
			if st == nextDeadline {
				// Stop at this batch boundary; continue from the first batch
				// not accepted by the time the requests in flight end.
				if res.NextLine, err = x.drain(&res, lineNo+1); err != nil {
					return res, err
				}
				break
			}
		}
	}
	res.Format = conv.Format().String()
	return res, nil
}

// readLong gathers a line longer than the reader's buffer, whose first part
// is line, into long (reused), keeping up to MaxLineBytes+1 bytes, and reads
// on to its end. It returns long, the line's length as read and the read's
// error. Only lines longer than the buffer take this path.
func (s *Shipper) readLong(lines *bufio.Reader, long, line []byte) ([]byte, int, error) {
	read := len(line)
	long = append(long[:0], line...)
	readErr := bufio.ErrBufferFull
	for errors.Is(readErr, bufio.ErrBufferFull) {
		line, readErr = lines.ReadSlice('\n')
		read += len(line)
		room := max(s.opts.MaxLineBytes+1-len(long), 0)
		long = append(long, line[:min(room, len(line))]...)
	}
	return long, read, readErr
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
		res.MaxLag = max(res.MaxLag, s.opts.Now().Sub(time.Unix(0, int64(b.oldest))))
	}
	x.submit(b, conv)
}
