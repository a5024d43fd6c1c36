package pipeline_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// BenchmarkShip ships gzipped ALB access log objects end to end: gunzip, parse,
// encode, gzip and POST to a loopback receiver that discards the body. Each
// iteration ships one object of 1, 1000 or 100,000 lines (the last in batches of
// the default size). Run it with -cpu 1 for the one-core figure; lines/s and MB/s
// count uncompressed input.
func BenchmarkShip(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	exp, err := otlpexport.New(otlpexport.Config{Endpoint: srv.URL + "/v1/logs"})
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1, 1000, 100_000} {
		name := strconv.Itoa(n) + "_lines"
		switch n {
		case 1:
			name = "1_line"
		case 100_000:
			name = "end_to_end_100000_lines"
		}
		b.Run(name, func(b *testing.B) {
			g := loggen.New(loggen.ALB, 7, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
			var plain bytes.Buffer
			if err := g.Write(&plain, n); err != nil {
				b.Fatal(err)
			}
			gz := gzipBytes(plain.Bytes())
			src := pipeline.Source{Source: logrecord.Source{Bucket: "my-elb-logs", Key: g.Key("", 1), ETag: "9b2cf535f27731c974343645a3985328"}}
			s := pipeline.NewShipper(exp, pipeline.Options{})
			ctx := context.Background()

			b.ReportAllocs()
			b.SetBytes(int64(plain.Len()))
			var wire, records int64
			for b.Loop() {
				res, err := s.Ship(ctx, src, bytes.NewReader(gz))
				if err != nil {
					b.Fatal(err)
				}
				if res.Records != int64(n) {
					b.Fatalf("shipped %d records, want %d", res.Records, n)
				}
				wire += res.BytesSent
				records += res.Records
			}
			sec := b.Elapsed().Seconds()
			b.ReportMetric(float64(records)/sec, "lines/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(records), "ns/line")
			b.ReportMetric(float64(wire)/float64(records), "wire_bytes/record")
		})
	}
}
