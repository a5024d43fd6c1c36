package metricstream

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// MaxMessageBytes bounds one length-prefixed message. A Firehose record holds
// at most 1,000 KiB, and CloudWatch never splits a message across records, so
// a longer length is corruption, not data.
const MaxMessageBytes = 4 << 20

// ErrCorrupt wraps every error about the content of an object: a truncated
// message, a length out of bounds, bytes that are not an
// ExportMetricsServiceRequest. Retrying cannot fix it.
var ErrCorrupt = errors.New("corrupt metric-stream object")

// resourceMetricsTag is the first byte of an ExportMetricsServiceRequest that
// holds data: field 1 (resource_metrics), wire type 2 (length-delimited).
var resourceMetricsTag = byte(protowire.EncodeTag(1, protowire.BytesType))

// Sniff reports whether head, the first bytes of an object's decompressed
// content, starts a metric-stream object: an unsigned varint between 1 and
// MaxMessageBytes, then the resource_metrics field of an
// ExportMetricsServiceRequest; and, when head holds the whole first message,
// that message decodes. An ELB log line never passes: it starts with text
// (a protocol name or a timestamp), which is neither such a length nor
// followed by that field.
func Sniff(head []byte) bool {
	n, w := protowire.ConsumeVarint(head)
	if protowire.ParseError(w) != nil || n == 0 || n > MaxMessageBytes || len(head) <= w || head[w] != resourceMetricsTag {
		return false
	}
	if end := w + int(n); end <= len(head) {
		var req colmetricspb.ExportMetricsServiceRequest
		return checkMessage(head[w:end], &req) == nil
	}
	return true
}

// SniffBytes is how many bytes Sniff wants to see, when the object has them.
const SniffBytes = 64 << 10

// Reader reads the messages of one object in order.
type Reader struct {
	br     *bufio.Reader
	buf    []byte
	index  int   // messages read
	offset int64 // bytes consumed
}

// NewReader returns a Reader of r, the object's decompressed content.
func NewReader(r io.Reader) *Reader {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	return &Reader{br: br}
}

// Messages returns how many messages were read so far.
func (r *Reader) Messages() int { return r.index }

// Offset returns how many bytes of the object were consumed so far.
func (r *Reader) Offset() int64 { return r.offset }

// Next decodes the next message into req, replacing its content. It returns
// io.EOF at the end of the object, after a whole message, and an error
// wrapping ErrCorrupt, naming the message and its byte offset, for anything
// else: a truncated length or message, a length of 0 or over
// MaxMessageBytes, or bytes that are not an ExportMetricsServiceRequest with
// data.
func (r *Reader) Next(req *colmetricspb.ExportMetricsServiceRequest) error {
	start := r.offset
	n, err := binary.ReadUvarint(countingReader{r})
	switch {
	case err == io.EOF:
		return io.EOF
	case errors.Is(err, io.ErrUnexpectedEOF):
		return r.corrupt(start, "truncated: the object ends inside a length prefix")
	case err != nil:
		return r.corrupt(start, "length prefix: %v", err)
	case n == 0:
		return r.corrupt(start, "length prefix is 0")
	case n > MaxMessageBytes:
		return r.corrupt(start, "length prefix %d is over %d bytes (not a metric-stream object, or corrupt)", n, MaxMessageBytes)
	}
	r.buf = slices.Grow(r.buf[:0], int(n))[:n]
	got, err := io.ReadFull(r.br, r.buf)
	r.offset += int64(got)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return r.corrupt(start, "truncated: the message declares %d bytes, the object has %d more", n, got)
		}
		return fmt.Errorf("metricstream: reading message %d: %w", r.index+1, err)
	}
	if err := checkMessage(r.buf, req); err != nil {
		return r.corrupt(start, "%v", err)
	}
	r.index++
	return nil
}

func (r *Reader) corrupt(at int64, format string, a ...any) error {
	return fmt.Errorf("%w: message %d at byte %d: %s", ErrCorrupt, r.index+1, at, fmt.Sprintf(format, a...))
}

// countingReader reads single bytes for the varint and counts them.
type countingReader struct{ r *Reader }

func (c countingReader) ReadByte() (byte, error) {
	b, err := c.r.br.ReadByte()
	if err == nil {
		c.r.offset++
	}
	return b, err
}

// checkMessage decodes raw into req and checks it is an
// ExportMetricsServiceRequest with data: at least one resource_metrics, and no
// field the schema does not know at the levels down to the metric (where
// random bytes that happen to decode would show up).
func checkMessage(raw []byte, req *colmetricspb.ExportMetricsServiceRequest) error {
	if err := proto.Unmarshal(raw, req); err != nil {
		return fmt.Errorf("not an ExportMetricsServiceRequest: %v", err)
	}
	if len(req.ResourceMetrics) == 0 {
		return errors.New("an ExportMetricsServiceRequest without resource_metrics")
	}
	if len(req.ProtoReflect().GetUnknown()) > 0 {
		return errors.New("unknown fields in the ExportMetricsServiceRequest")
	}
	for _, rm := range req.ResourceMetrics {
		if len(rm.ProtoReflect().GetUnknown()) > 0 {
			return errors.New("unknown fields in a ResourceMetrics")
		}
		for _, sm := range rm.ScopeMetrics {
			if len(sm.ProtoReflect().GetUnknown()) > 0 {
				return errors.New("unknown fields in a ScopeMetrics")
			}
			for _, m := range sm.Metrics {
				if err := checkMetric(m); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func checkMetric(m *metricspb.Metric) error {
	if len(m.ProtoReflect().GetUnknown()) > 0 {
		return fmt.Errorf("unknown fields in metric %q", m.GetName())
	}
	if m.GetName() == "" {
		return errors.New("a metric without a name")
	}
	if m.GetData() == nil {
		return fmt.Errorf("metric %q has no data", m.GetName())
	}
	return nil
}

// DataPoints counts the data points of req, of every metric type.
func DataPoints(req *colmetricspb.ExportMetricsServiceRequest) int {
	n := 0
	for _, rm := range req.ResourceMetrics {
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				switch d := m.Data.(type) {
				case *metricspb.Metric_Summary:
					n += len(d.Summary.DataPoints)
				case *metricspb.Metric_Gauge:
					n += len(d.Gauge.DataPoints)
				case *metricspb.Metric_Sum:
					n += len(d.Sum.DataPoints)
				case *metricspb.Metric_Histogram:
					n += len(d.Histogram.DataPoints)
				case *metricspb.Metric_ExponentialHistogram:
					n += len(d.ExponentialHistogram.DataPoints)
				}
			}
		}
	}
	return n
}
