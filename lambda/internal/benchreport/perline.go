package main

import (
	"testing"

	"github.com/elb-otel/elb-otel/lambda/internal/elblog"
	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
)

type perLineResult struct {
	name          string
	nsPerLine     float64
	allocsPerLine float64
}

// perLine benchmarks the stages of one line in process: parsing alone, then the
// pipeline's parse and encode (AppendProto). The first result is parsing alone.
func perLine(lines []string) []perLineResult {
	raw := make([][]byte, len(lines))
	for i, l := range lines {
		raw[i] = []byte(l)
	}
	src := logrecord.Source{Bucket: "elb-otel-bench", Key: "123456789012_elasticloadbalancing_eu-west-1_app.shop-frontend.50dc6c495c0c9188_x.log.gz", ETag: "e"}
	const batch = 2000
	benches := []struct {
		name string
		fn   func(b *testing.B)
	}{
		{"parse only (elblog.ParseALBAccess)", func(b *testing.B) {
			var r elblog.ALBAccess
			for i := range b.N {
				if err := elblog.ParseALBAccess(lines[i%len(lines)], &r); err != nil {
					b.Fatal(err)
				}
			}
		}},
		{"parse + encode to OTLP protobuf (AppendProto, the pipeline)", func(b *testing.B) {
			c := logrecord.NewConverter(src, logrecord.Options{})
			buf := make([]byte, logrecord.RequestHeadroom, 8<<20)
			for i := range b.N {
				if i%batch == 0 {
					buf = buf[:logrecord.RequestHeadroom]
				}
				buf, _ = c.AppendProto(buf, int64(i+1), raw[i%len(raw)])
			}
		}},
	}
	out := make([]perLineResult, 0, len(benches))
	for _, bc := range benches {
		r := testing.Benchmark(func(b *testing.B) {
			b.ReportAllocs()
			bc.fn(b)
		})
		out = append(out, perLineResult{
			name:          bc.name,
			nsPerLine:     float64(r.T.Nanoseconds()) / float64(r.N),
			allocsPerLine: float64(r.MemAllocs) / float64(r.N),
		})
	}
	return out
}
