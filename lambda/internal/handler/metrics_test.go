package handler_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"

	"github.com/elb-otel/elb-otel/internal/streamgen"
	"github.com/elb-otel/elb-otel/lambda/internal/event"
	"github.com/elb-otel/elb-otel/lambda/internal/handler"
	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
	"github.com/elb-otel/elb-otel/lambda/internal/metricstream"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

const metricsPrefix = "elb-otel/metric-stream/"

// metricHandler is the world's handler with the metrics mode stream on.
func (w *world) metricHandler(opts metricstream.ShipOptions) (*handler.Handler, *lockedBuffer) {
	w.t.Helper()
	h := w.handler(pipeline.Options{})
	exp, err := otlpexport.New(otlpexport.Config{Endpoint: w.rcv.URL + "/v1/logs", Retry: otlpexport.RetryConfig{Disabled: true}})
	if err != nil {
		w.t.Fatal(err)
	}
	var emf lockedBuffer
	h.MetricsPrefix, h.MetricExporter, h.MetricOptions, h.Metrics = metricsPrefix, exp, opts, &emf
	return h, &emf
}

// streamObject is a metric-stream object of 4 messages (16 updates: 2
// minutes, 2 metrics, 4 dimension combinations).
func streamObject() ([]byte, []streamgen.Update) {
	s := streamgen.Stream{Account: "123456789012", Region: "eu-west-1", Name: "elb-otel"}
	ups := streamgen.Updates(streamgen.LoadBalancer{Namespace: "AWS/ApplicationELB", Name: "app/web/50dc6c495c0c9188",
		TargetGroups: []string{"targetgroup/web/73e2d6bc24d8a067"}, Zones: []string{"eu-west-1a"}},
		[]streamgen.Metric{{Name: "RequestCount"}, {Name: "TargetResponseTime", Percentiles: []float64{0.99}}}, logStart, 2, 9)
	var reqs []*colmetricspb.ExportMetricsServiceRequest
	for i := 0; i < len(ups); i += 4 {
		reqs = append(reqs, s.Request(ups[i:min(i+4, len(ups))]))
	}
	return streamgen.Record(reqs...), ups
}

func (w *world) handleKey(h *handler.Handler, key string, data []byte) ([]string, error) {
	w.t.Helper()
	o := object{key: key, etag: w.putBytes(key, data), size: int64(len(data))}
	resp, err := h.HandleSQS(context.Background(), batch(message("m1", eventBridgeEvent(w.bucket, o))))
	return failures(resp), err
}

func TestHandler_ShipsMetricStreamObjects(t *testing.T) {
	t.Parallel()
	raw, ups := streamObject()
	tests := map[string]struct {
		data []byte
		opts metricstream.ShipOptions
		want int // data points received
	}{
		"as Firehose writes it with GZIP": {data: gzipped(raw), want: len(ups)},
		"uncompressed":                    {data: raw, want: len(ups)},
		"with the polling mode's names":   {data: gzipped(raw), opts: metricstream.ShipOptions{Options: metricstream.Options{PollingNames: true}}, want: 24},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			h, emf := w.metricHandler(tc.opts)
			key := metricsPrefix + "2026/11/25/10/ElbOtelLogs-delivery-1-2026-11-25-10-05-01-0b8f"
			failed, err := w.handleKey(h, key, tc.data)
			if err != nil || len(failed) != 0 {
				t.Fatalf("failures %v, error %v", failed, err)
			}
			pts := w.rcv.DataPoints()
			if len(pts) != tc.want || len(w.rcv.Records()) != 0 {
				t.Fatalf("received %d data points and %d log records, want %d and none", len(pts), len(w.rcv.Records()), tc.want)
			}
			for _, p := range pts {
				if p.Resource["aws.s3.key"] != key || p.Resource["aws.s3.bucket"] != w.bucket {
					t.Fatalf("resource %v", p.Resource)
				}
			}
			var line struct {
				Format                 string
				Objects, FailedObjects int
				Lines, Records         int
			}
			if err := json.Unmarshal([]byte(emf.String()), &line); err != nil || line.Format != "metric-stream" ||
				line.Objects != 1 || line.FailedObjects != 0 || line.Lines != len(ups) || line.Records != tc.want {
				t.Errorf("EMF line %s (%v)", emf.String(), err)
			}
		})
	}
}

// TestHandler_NeverConfusesMetricAndLogObjects: a metric-stream object is
// never shipped as log lines, and a log object never as metrics; either
// mismatch fails the message (so it ends in the dead-letter queue).
func TestHandler_NeverConfusesMetricAndLogObjects(t *testing.T) {
	t.Parallel()
	raw, _ := streamObject()
	alb := loggen.New(loggen.ALB, 3, logStart)
	logKey := alb.Key("", 3)
	tests := map[string]struct {
		key  string
		data []byte
		err  string
	}{
		"a metric-stream object named like a log file, under the log prefix": {key: logKey, data: gzipped(raw),
			err: "is a metric-stream object (by content) outside the metrics prefix"},
		"an ALB log under the metrics prefix": {key: metricsPrefix + "2026/11/25/10/x", data: alb.Gzip(20),
			err: "but is not a metric-stream object"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			h, _ := w.metricHandler(metricstream.ShipOptions{})
			var logs lockedBuffer
			h.Logger = newJSONLogger(&logs)
			failed, err := w.handleKey(h, tc.key, tc.data)
			if err != nil || len(failed) != 1 {
				t.Fatalf("failures %v, error %v: want the message failed", failed, err)
			}
			if n, m := len(w.rcv.Records()), len(w.rcv.DataPoints()); n != 0 || m != 0 {
				t.Fatalf("%d log records and %d data points shipped, want none", n, m)
			}
			if !strings.Contains(logs.String(), tc.err) {
				t.Errorf("log %s\ndoes not say %q", logs.String(), tc.err)
			}
		})
	}
}

func TestHandler_CorruptMetricObjectFails(t *testing.T) {
	t.Parallel()
	raw, _ := streamObject()
	w := newWorld(t)
	h, emf := w.metricHandler(metricstream.ShipOptions{})
	var logs lockedBuffer
	h.Logger = newJSONLogger(&logs)
	failed, err := w.handleKey(h, metricsPrefix+"2026/11/25/10/truncated", gzipped(raw[:len(raw)-9]))
	if err != nil || len(failed) != 1 {
		t.Fatalf("failures %v, error %v: want the message failed", failed, err)
	}
	if !strings.Contains(logs.String(), "corrupt metric-stream object: message 4 at byte") || !strings.Contains(logs.String(), "truncated") {
		t.Errorf("log does not name the truncated message:\n%s", logs.String())
	}
	if !strings.Contains(emf.String(), `"FailedObjects":1`) || !strings.Contains(emf.String(), `"Format":"metric-stream"`) {
		t.Errorf("EMF %s", emf.String())
	}
	// The whole messages before the corruption were exported (at least once).
	if n := len(w.rcv.DataPoints()); n != 12 {
		t.Errorf("%d data points, want the 12 of the 3 whole messages", n)
	}
}

func TestHandler_ShipContentByContent(t *testing.T) {
	t.Parallel()
	raw, ups := streamObject()
	w := newWorld(t)
	h, _ := w.metricHandler(metricstream.ShipOptions{})
	h.MetricsPrefix = "" // the CLI: no prefix, the content decides
	res, err := h.ShipContent(context.Background(), event.Object{Key: "local.bin"}, "", strings.NewReader(string(raw)), handler.ExpectAny)
	if err != nil || res.Format != handler.FormatMetricStream || res.Records != int64(len(ups)) {
		t.Fatalf("result %+v, error %v", res, err)
	}
	g := loggen.New(loggen.NLB, 4, logStart)
	res, err = h.ShipContent(context.Background(), event.Object{Key: "local.log.gz"}, "", strings.NewReader(string(g.Gzip(10))), handler.ExpectAny)
	if err != nil || res.Format != "nlb_access" || res.Records != 10 {
		t.Fatalf("result %+v, error %v", res, err)
	}
	if len(w.rcv.DataPoints()) != len(ups) || len(w.rcv.Records()) != 10 {
		t.Fatalf("%d data points and %d records", len(w.rcv.DataPoints()), len(w.rcv.Records()))
	}
	_, err = h.ShipContent(context.Background(), event.Object{Key: "x"}, "", strings.NewReader(string(raw)), handler.ExpectLogs)
	if !errors.Is(err, handler.ErrWrongContent) {
		t.Fatalf("error %v, want ErrWrongContent", err)
	}
}

func newJSONLogger(w *lockedBuffer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }
