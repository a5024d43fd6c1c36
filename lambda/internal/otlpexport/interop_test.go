package otlpexport_test

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/elb-otel/elb-otel/internal/otlptest"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
)

// TestExport_LoopbackReceiverDecodesBothEncodings sends the same record as protobuf and as
// OTLP/JSON (hex trace id) and expects the same decoded record.
func TestExport_LoopbackReceiverDecodesBothEncodings(t *testing.T) {
	t.Parallel()
	r, err := otlptest.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ld := plog.NewLogs()
	rec := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	rec.Body().SetStr("line")
	rec.SetTraceID(pcommon.TraceID{0x58, 0x33, 0x72, 0x62, 0x36, 0xd2, 0x28, 0xad, 0x5d, 0x99, 0x92, 0x31, 0x22, 0xbb, 0xe3, 0x54})
	rec.Attributes().PutInt("http.response.status_code", 200)
	for _, proto := range []otlpexport.Protocol{otlpexport.ProtocolHTTPProtobuf, otlpexport.ProtocolHTTPJSON} {
		exp, err := otlpexport.New(otlpexport.Config{Endpoint: r.URL + "/v1/logs", Protocol: proto, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := exp.Export(context.Background(), ld); err != nil {
			t.Fatalf("%s: %v", proto, err)
		}
	}
	recs := r.Records()
	if len(recs) != 2 {
		t.Fatalf("got %d records, want 2", len(recs))
	}
	for i, got := range recs {
		if got.TraceID != "5833726236d228ad5d99923122bbe354" || got.Body != "line" || got.Attributes["http.response.status_code"] != int64(200) {
			t.Errorf("record %d decoded as %+v", i, got)
		}
	}
}
