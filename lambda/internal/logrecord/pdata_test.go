package logrecord

import (
	"math"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// The pdata side of the tests' oracle: Convert builds, with OpenTelemetry's own
// types, the record AppendProto encodes, and FillResource and FillScope the
// resource and the scope FinishRequest encodes. The tests compare the encoder's
// bytes with pdata's MarshalProto of these. Production code does not import pdata.

// Convert is AppendProto for pdata: it turns one line into a log record appended
// to dst (nothing for a skipped line), with the same fields and outcome.
func (c *Converter) Convert(dst plog.LogRecordSlice, lineNo int64, line []byte) Outcome {
	o := c.convert(lineNo, trimEOL(string(line)))
	if o == OutcomeSkipped {
		return o
	}
	lr := dst.AppendEmpty()
	c.head.fill(lr)
	c.attrs.flush(lr.Attributes())
	return o
}

// fill sets the fields of lr.
func (h *recordHead) fill(lr plog.LogRecord) {
	lr.SetObservedTimestamp(pcommon.Timestamp(h.observed))
	lr.Body().SetStr(h.body)
	if h.time != 0 {
		lr.SetTimestamp(pcommon.Timestamp(h.time))
	}
	if h.severity != severityUnspecified {
		lr.SetSeverityNumber(plog.SeverityNumber(h.severity))
	}
	if h.sevText != "" {
		lr.SetSeverityText(h.sevText)
	}
	if h.traceID != [16]byte{} {
		lr.SetTraceID(pcommon.TraceID(h.traceID))
	}
}

// flush puts the collected attributes into m, which is allocated at its exact
// size once.
func (b *attrBuf) flush(m pcommon.Map) {
	m.EnsureCapacity(m.Len() + len(b.attrs))
	for i := range b.attrs {
		a := &b.attrs[i]
		switch a.kind {
		case kindStr:
			m.PutStr(a.key, a.str)
		case kindInt:
			m.PutInt(a.key, a.num)
		case kindDouble:
			m.PutDouble(a.key, math.Float64frombits(uint64(a.num)))
		case kindStrings:
			s := m.PutEmptySlice(a.key)
			s.EnsureCapacity(int(a.to - a.from))
			for _, v := range b.items[a.from:a.to] {
				s.AppendEmpty().SetStr(v)
			}
		case kindUID:
			var buf [40]byte
			m.PutStr(a.key, string(b.uidGen.appendUID(buf[:0], a.num)))
		}
	}
}

// FillResource sets the resource attributes of the records (see resource): cloud.provider (aws),
// cloud.platform (aws_elb), cloud.region and cloud.account.id (from the key),
// cloud.resource_id (the load balancer's ARN, from the elb field of the first parsed
// line, else from the key; the bare ID when the key gives no Region or account),
// aws.s3.bucket, aws.s3.key, service.name, then Options.ResourceAttributes. Call it
// after converting the first lines, so that the load balancer is known.
func (c *Converter) FillResource(res pcommon.Resource) {
	c.resource()
	c.res.flush(res.Attributes())
}

// FillScope sets the instrumentation scope of the records.
func FillScope(s pcommon.InstrumentationScope) {
	s.SetName(ScopeName)
	s.SetVersion(ScopeVersion)
}

// TestSeverityConstants: the severity numbers the encoder writes are OTLP's.
func TestSeverityConstants(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		got  int32
		want plog.SeverityNumber
	}{
		{severityUnspecified, plog.SeverityNumberUnspecified},
		{severityInfo, plog.SeverityNumberInfo},
		{severityWarn, plog.SeverityNumberWarn},
		{severityError, plog.SeverityNumberError},
	} {
		if plog.SeverityNumber(tc.got) != tc.want {
			t.Errorf("severity %d, want %d (%v)", tc.got, int32(tc.want), tc.want)
		}
	}
}
