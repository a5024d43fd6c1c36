package logrecord

import (
	"bytes"
	"strconv"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
)

// benchALBLines returns 1000 ALB access log lines made from the examples, each with
// its own client port.
func benchALBLines(b *testing.B) [][]byte {
	examples := readLines(b, "alb_access.log")
	lines := make([][]byte, 1000)
	for i := range lines {
		l := examples[i%len(examples)]
		if j := bytes.Index(l, []byte(":2817 ")); j >= 0 {
			l = bytes.Join([][]byte{l[:j+1], []byte(strconv.Itoa(1024 + i)), l[j+5:]}, nil)
		}
		lines[i] = l
	}
	return lines
}

// BenchmarkConvert converts 1000 ALB access log lines into a fresh plog.Logs per
// iteration, as the pipeline does per batch; with_proto also marshals the batch to
// OTLP protobuf.
func BenchmarkConvert(b *testing.B) {
	lines := benchALBLines(b)
	var size int64
	for _, l := range lines {
		size += int64(len(l))
	}
	src := Source{Bucket: "my-elb-logs", Key: albKey, ETag: "9b2cf535f27731c974343645a3985328"}
	for _, proto := range []bool{false, true} {
		name := "1000_alb_lines"
		if proto {
			name += "/with_proto"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(size)
			var m plog.ProtoMarshaler
			for b.Loop() {
				ld := plog.NewLogs()
				rl := ld.ResourceLogs().AppendEmpty()
				sl := rl.ScopeLogs().AppendEmpty()
				FillScope(sl.Scope())
				recs := sl.LogRecords()
				recs.EnsureCapacity(len(lines))
				c := NewConverter(src, Options{})
				for i, l := range lines {
					if c.Convert(recs, int64(i+1), l) != OutcomeRecord {
						b.Fatal(c.LastError())
					}
				}
				c.FillResource(rl.Resource())
				if proto {
					if _, err := m.MarshalLogs(ld); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(lines)), "ns/line")
		})
	}
}

// BenchmarkAppendProto encodes the same 1000 lines as BenchmarkConvert with
// AppendProto and FinishRequest, into a reused buffer, as the pipeline does.
func BenchmarkAppendProto(b *testing.B) {
	lines := benchALBLines(b)
	var size int64
	for _, l := range lines {
		size += int64(len(l))
	}
	src := Source{Bucket: "my-elb-logs", Key: albKey, ETag: "9b2cf535f27731c974343645a3985328"}
	b.ReportAllocs()
	b.SetBytes(size)
	c := NewConverter(src, Options{})
	buf := make([]byte, RequestHeadroom, 4<<20)
	for b.Loop() {
		buf = buf[:RequestHeadroom]
		for i, l := range lines {
			var o Outcome
			if buf, o = c.AppendProto(buf, int64(i+1), l); o != OutcomeRecord {
				b.Fatal(c.LastError())
			}
		}
		_ = c.FinishRequest(buf)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(lines)), "ns/line")
}
