package otlpexport_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/elb-otel/elb-otel/internal/otlptest"
	"github.com/elb-otel/elb-otel/internal/streamgen"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
)

func TestExportMetricsProto(t *testing.T) {
	t.Parallel()
	stream := streamgen.Stream{Account: "123456789012", Region: "us-east-1", Name: "s"}
	ups := streamgen.Updates(streamgen.LoadBalancer{Namespace: "AWS/ApplicationELB", Name: "app/a/1"},
		[]streamgen.Metric{{Name: "RequestCount"}}, time.Unix(1_700_000_000, 0), 4, 1)
	raw, err := proto.Marshal(stream.Request(ups))
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		protocol otlpexport.Protocol
		script   []otlptest.Response
		wantPts  int
		rejected int64
		retries  int
	}{
		"protobuf":                 {protocol: otlpexport.ProtocolHTTPProtobuf, wantPts: 4},
		"json":                     {protocol: otlpexport.ProtocolHTTPJSON, wantPts: 4},
		"retried after a 503":      {protocol: otlpexport.ProtocolHTTPProtobuf, script: []otlptest.Response{{Status: 503}}, wantPts: 4, retries: 1},
		"partial success counted":  {protocol: otlpexport.ProtocolHTTPProtobuf, script: []otlptest.Response{{Rejected: 3}}, wantPts: 1, rejected: 3},
		"partial success, in json": {protocol: otlpexport.ProtocolHTTPJSON, script: []otlptest.Response{{Rejected: 1}}, wantPts: 3, rejected: 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			recv, err := otlptest.Start("127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer recv.Close()
			recv.Script(tc.script...)
			exp, err := otlpexport.New(otlpexport.Config{Endpoint: recv.URL + "/v1/logs", Protocol: tc.protocol,
				Retry: otlpexport.RetryConfig{InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}})
			if err != nil {
				t.Fatal(err)
			}
			if got := exp.Config().MetricsEndpoint; got != recv.URL+"/v1/metrics" {
				t.Fatalf("MetricsEndpoint %s, want the logs endpoint's /v1/metrics", got)
			}
			st, err := exp.ExportMetricsProto(context.Background(), raw, len(ups))
			if err != nil {
				t.Fatal(err)
			}
			pts := recv.DataPoints()
			if len(pts) != tc.wantPts || st.RejectedDataPoints != tc.rejected || st.Retries != tc.retries || st.RejectedLogRecords != 0 {
				t.Errorf("received %d data points, stats %+v; want %d, %d rejected, %d retries", len(pts), st, tc.wantPts, tc.rejected, tc.retries)
			}
			if len(recv.Records()) != 0 {
				t.Error("metrics arrived as log records")
			}
			for i, p := range pts {
				if p.Type != "summary" || p.Count != ups[i].Count || p.Sum != ups[i].Sum {
					t.Errorf("data point %d: %+v, want %+v", i, p, ups[i])
				}
			}
		})
	}
}

func TestExportMetricsProto_NoMetricsEndpoint(t *testing.T) {
	t.Parallel()
	exp, err := otlpexport.New(otlpexport.Config{Endpoint: "https://collector.example.com/ingest"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = exp.ExportMetricsProto(context.Background(), []byte{0x0a, 0}, 1)
	if err == nil || !strings.Contains(err.Error(), "no metrics endpoint for 1 data points: set OTEL_EXPORTER_OTLP_ENDPOINT") {
		t.Fatalf("error %v, want one naming the variables to set", err)
	}
}

func TestConfigFromEnv_MetricsEndpoint(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		env  map[string]string
		want string
	}{
		"from the base URL":          {map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "https://c:4318/"}, "https://c:4318/v1/metrics"},
		"the full URL wins":          {map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "https://c:4318", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "https://m:4318/in"}, "https://m:4318/in"},
		"from the logs URL":          {map[string]string{"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "https://c:4318/v1/logs"}, "https://c:4318/v1/metrics"},
		"a logs URL of another form": {map[string]string{"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "https://c:4318/logs"}, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg, err := otlpexport.ConfigFromEnv(func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
			if err != nil {
				t.Fatal(err)
			}
			exp, err := otlpexport.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := exp.Config().MetricsEndpoint; got != tc.want {
				t.Errorf("MetricsEndpoint %q, want %q", got, tc.want)
			}
		})
	}
}
