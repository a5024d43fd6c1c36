package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/elb-otel/elb-otel/internal/streamgen"
	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
)

// streamFile writes a metric-stream object (3 messages, 12 updates) to dir.
func streamFile(t *testing.T, dir string) (string, int) {
	t.Helper()
	s := streamgen.Stream{Account: "123456789012", Region: "eu-west-1", Name: "elb-otel"}
	ups := streamgen.Updates(streamgen.LoadBalancer{Namespace: "AWS/ApplicationELB", Name: "app/web/50dc6c495c0c9188",
		Zones: []string{"eu-west-1a", "eu-west-1b"}}, []streamgen.Metric{{Name: "RequestCount"}, {Name: "TargetResponseTime", Percentiles: []float64{0.99}}},
		time.Date(2026, 11, 30, 22, 0, 0, 0, time.UTC), 2, 5)
	raw := streamgen.Record(s.Request(ups[:4]), s.Request(ups[4:8]), s.Request(ups[8:]))
	path := filepath.Join(dir, "ElbOtelLogs-delivery-1-2026-11-30-22-05-01-0b8f")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, len(ups)
}

// convert recognizes a metric-stream file by content and writes one
// ExportMetricsServiceRequest per message, as OTLP/JSON.
func TestConvert_MetricStreamFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path, updates := streamFile(t, dir)
	log := writeFile(t, dir, generate(loggen.ALB, 2, 10, ""))
	tests := map[string]struct {
		args      []string
		points    int
		firstName string
	}{
		"as streamed":   {points: updates, firstName: "amazonaws.com/AWS/ApplicationELB/RequestCount"},
		"polling names": {args: []string{"--polling-names"}, points: 18, firstName: "aws_applicationelb_request_count_sum"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := cli(t, append(append([]string{"convert"}, tc.args...), path, log.path)...)
			if code != 0 {
				t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
			}
			points, logLines := 0, 0
			var first string
			for i, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
				if strings.Contains(line, `"resourceLogs"`) {
					logLines++
					continue
				}
				req := &colmetricspb.ExportMetricsServiceRequest{}
				if err := protojson.Unmarshal([]byte(line), req); err != nil {
					t.Fatalf("output line %d does not decode as an ExportMetricsServiceRequest: %v", i+1, err)
				}
				for _, rm := range req.ResourceMetrics {
					for _, sm := range rm.ScopeMetrics {
						for _, m := range sm.Metrics {
							if first == "" {
								first = m.Name
							}
							points += len(m.GetSummary().GetDataPoints()) + len(m.GetGauge().GetDataPoints())
						}
					}
				}
			}
			if points != tc.points || first != tc.firstName || logLines != 1 {
				t.Errorf("%d data points (first metric %s) and %d log lines, want %d (%s) and 1", points, first, logLines, tc.points, tc.firstName)
			}
			if !strings.Contains(stderr, "metric-stream, 12 metric updates") || !strings.Contains(stderr, "alb_access, 10 lines") {
				t.Errorf("stderr:\n%s", stderr)
			}
		})
	}
}

// ship sends a metric-stream file to /v1/metrics and a log file to /v1/logs.
func TestShip_MetricStreamFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path, updates := streamFile(t, dir)
	log := writeFile(t, dir, generate(loggen.NLB, 3, 20, ""))
	rcv := receiver(t)
	code, _, stderr := cli(t, "ship", "--endpoint", rcv.URL, "--quiet", path, log.path)
	if code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
	}
	if n := len(rcv.DataPoints()); n != updates {
		t.Errorf("%d data points, want %d", n, updates)
	}
	checkDelivered(t, rcv.Records(), log)
}
