package metricstream_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"

	"github.com/elb-otel/elb-otel/internal/otlptest"
	"github.com/elb-otel/elb-otel/internal/streamgen"
	"github.com/elb-otel/elb-otel/lambda/internal/metricstream"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
)

func receiver(t *testing.T) (*otlptest.Receiver, *otlpexport.Exporter) {
	t.Helper()
	recv, err := otlptest.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { recv.Close() })
	exp, err := otlpexport.New(otlpexport.Config{Endpoint: recv.URL + "/v1/logs", Retry: otlpexport.RetryConfig{Disabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	return recv, exp
}

// messages returns an object of n messages of 4 updates each, and the updates.
func messages(n int) ([]byte, []streamgen.Update) {
	ups := streamgen.Updates(alb, []streamgen.Metric{{Name: "RequestCount"}, {Name: "TargetResponseTime", Percentiles: []float64{0.99}}}, start, n, 3)
	var reqs []*colmetricspb.ExportMetricsServiceRequest
	for i := 0; i < len(ups); i += 4 {
		reqs = append(reqs, stream.Request(ups[i:min(i+4, len(ups))]))
	}
	return streamgen.Record(reqs...), ups
}

var src = metricstream.Source{Bucket: "bkt", Key: "elb-otel/metric-stream/2026/11/30/22/x"}

func TestShip(t *testing.T) {
	t.Parallel()
	raw, ups := messages(2) // 2 minutes x 2 metrics x 6 dimension combinations = 24 updates, 6 messages
	tests := map[string]struct {
		opts      metricstream.ShipOptions
		batches   int64
		exported  int64
		firstName string
	}{
		"as streamed, one batch": {batches: 1, exported: 24, firstName: "amazonaws.com/AWS/ApplicationELB/RequestCount"},
		"batches of 8 points":    {opts: metricstream.ShipOptions{MaxBatchPoints: 8}, batches: 3, exported: 24},
		// RequestCount: Sum; TargetResponseTime: Average and p99.
		"polling names": {opts: metricstream.ShipOptions{Options: metricstream.Options{PollingNames: true}}, batches: 1, exported: 36,
			firstName: "aws_applicationelb_request_count_sum"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			recv, exp := receiver(t)
			res, err := metricstream.Ship(context.Background(), exp, src, bytes.NewReader(raw), 0, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			pts := recv.DataPoints()
			if res.Messages != 6 || res.DataPoints != int64(len(ups)) || res.Exported != tc.exported || res.Batches != tc.batches ||
				int64(len(pts)) != tc.exported || res.BytesRead != int64(len(raw)) || res.NextMessage != 0 {
				t.Errorf("result %+v, receiver %d points; want 6 messages, %d data points, %d exported in %d batches", res, len(pts), len(ups), tc.exported, tc.batches)
			}
			if tc.firstName != "" && pts[0].Metric != tc.firstName {
				t.Errorf("first metric %s, want %s", pts[0].Metric, tc.firstName)
			}
			for _, p := range pts {
				if p.Resource["aws.s3.key"] != src.Key || p.Resource["service.name"] != "elb" {
					t.Fatalf("resource not completed: %v", p.Resource)
				}
			}
		})
	}
}

func TestShip_Failures(t *testing.T) {
	t.Parallel()
	raw, _ := messages(1) // 12 updates, 3 messages of 4

	t.Run("truncated: the whole messages before are shipped, then ErrCorrupt", func(t *testing.T) {
		t.Parallel()
		recv, exp := receiver(t)
		res, err := metricstream.Ship(context.Background(), exp, src, bytes.NewReader(raw[:len(raw)-3]), 0, metricstream.ShipOptions{})
		if !errors.Is(err, metricstream.ErrCorrupt) || !strings.Contains(err.Error(), "s3://bkt/"+src.Key+": corrupt metric-stream object: message 3 at byte") {
			t.Fatalf("error %v", err)
		}
		if res.Exported != 8 || len(recv.DataPoints()) != 8 {
			t.Errorf("exported %d, received %d: want the 8 data points of the 2 whole messages", res.Exported, len(recv.DataPoints()))
		}
	})
	t.Run("rejected by the endpoint", func(t *testing.T) {
		t.Parallel()
		recv, exp := receiver(t)
		recv.Script(otlptest.Response{Status: 400})
		res, err := metricstream.Ship(context.Background(), exp, src, bytes.NewReader(raw), 0, metricstream.ShipOptions{})
		var xe *otlpexport.ExportError
		if !errors.As(err, &xe) || xe.StatusCode != 400 || res.Exported != 0 {
			t.Fatalf("error %v, result %+v: want the export error, nothing exported", err, res)
		}
	})
	t.Run("partial success is counted", func(t *testing.T) {
		t.Parallel()
		recv, exp := receiver(t)
		recv.Script(otlptest.Response{Rejected: 2})
		res, err := metricstream.Ship(context.Background(), exp, src, bytes.NewReader(raw), 0, metricstream.ShipOptions{})
		if err != nil || res.Rejected != 2 {
			t.Fatalf("error %v, rejected %d, want 2", err, res.Rejected)
		}
	})
	t.Run("deadline near: stops at a batch boundary, the rest ships once from NextMessage", func(t *testing.T) {
		t.Parallel()
		recv, exp := receiver(t)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		opts := metricstream.ShipOptions{MaxBatchPoints: 4, StopMargin: 2 * time.Minute}
		res, err := metricstream.Ship(ctx, exp, src, bytes.NewReader(raw), 0, opts)
		if err != nil || res.NextMessage != 2 || res.Exported != 4 {
			t.Fatalf("result %+v, error %v: want 4 exported and NextMessage 2", res, err)
		}
		rest, err := metricstream.Ship(context.Background(), exp, src, bytes.NewReader(raw), res.NextMessage, opts)
		if err != nil || rest.Messages != 2 || rest.Exported != 8 || rest.NextMessage != 0 || len(recv.DataPoints()) != 12 {
			t.Fatalf("continuation %+v, error %v, %d received: want the other 8 data points once", rest, err, len(recv.DataPoints()))
		}
	})
}
