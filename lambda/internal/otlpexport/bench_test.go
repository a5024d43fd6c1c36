package otlpexport

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
)

// BenchmarkExport sends 1000 realistic records per request to a loopback
// server that discards them, and reports records/s and wire bytes/record.
func BenchmarkExport(b *testing.B) {
	for _, bc := range []struct {
		name        string
		protocol    Protocol
		compression string
	}{
		{"protobuf_gzip", ProtocolHTTPProtobuf, CompressionGzip},
		{"protobuf_none", ProtocolHTTPProtobuf, CompressionNone},
		{"json_gzip", ProtocolHTTPJSON, CompressionGzip},
	} {
		b.Run(bc.name, func(b *testing.B) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.WriteHeader(http.StatusOK)
			}))
			defer srv.Close()
			e, err := New(Config{Endpoint: srv.URL + "/v1/logs", Protocol: bc.protocol, Compression: bc.compression})
			if err != nil {
				b.Fatal(err)
			}
			const records = 1000
			ld, _ := makeLogs("bench", records)
			ctx := context.Background()

			b.ReportAllocs()
			var wire int64
			start := time.Now()
			for b.Loop() {
				st, err := e.Export(ctx, ld)
				if err != nil {
					b.Fatal(err)
				}
				wire += st.BytesSent
			}
			elapsed := time.Since(start)
			total := float64(b.N) * records
			b.ReportMetric(total/elapsed.Seconds(), "records/s")
			b.ReportMetric(float64(wire)/total, "wire_bytes/record")
		})
	}
}

// BenchmarkExportProto is BenchmarkExport/protobuf_gzip for a request already
// encoded, as the pipeline sends them: compression and the POST only.
func BenchmarkExportProto(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	e, err := New(Config{Endpoint: srv.URL + "/v1/logs"})
	if err != nil {
		b.Fatal(err)
	}
	const records = 1000
	ld, _ := makeLogs("bench", records)
	req, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()

	b.ReportAllocs()
	var wire int64
	for b.Loop() {
		st, err := e.ExportProto(ctx, req, records)
		if err != nil {
			b.Fatal(err)
		}
		wire += st.BytesSent
	}
	total := float64(b.N) * records
	b.ReportMetric(total/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(wire)/total, "wire_bytes/record")
}
