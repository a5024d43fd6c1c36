package metricstream_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"

	"github.com/elb-otel/elb-otel/internal/streamgen"
	"github.com/elb-otel/elb-otel/lambda/internal/metricstream"
)

// timedRequest is a message of one RequestCount update per time given (0: a
// data point without a time).
func timedRequest(times ...time.Time) *colmetricspb.ExportMetricsServiceRequest {
	ups := make([]streamgen.Update, len(times))
	for i := range times {
		ups[i] = streamgen.Update{Namespace: "AWS/ApplicationELB", Metric: "RequestCount",
			Dimensions: [][2]string{{"LoadBalancer", "app/a/1"}}, Start: start, Count: 1, Sum: 1, Min: 1, Max: 1}
	}
	req := stream.Request(ups)
	i := 0
	for _, m := range req.ResourceMetrics[0].ScopeMetrics[0].Metrics {
		for _, dp := range m.GetSummary().DataPoints {
			dp.TimeUnixNano = 0
			if !times[i].IsZero() {
				dp.TimeUnixNano = uint64(times[i].UnixNano())
			}
			i++
		}
	}
	return req
}

// TestShip_MaxLag: MaxLag is how old the oldest data point of the object was
// when its batch was accepted; points without a time count for nothing, in
// any order and whichever batch they are in.
func TestShip_MaxLag(t *testing.T) {
	t.Parallel()
	now := time.Now()
	old := timedRequest(now.Add(-10*time.Minute), time.Time{}, now.Add(-30*time.Minute), time.Time{}) // 4 points
	untimed := timedRequest(time.Time{})                                                              // 1 point
	tests := map[string]struct {
		reqs      []*colmetricspb.ExportMetricsServiceRequest
		maxPoints int
		want      time.Duration // 0: none
	}{
		"old, then untimed, one batch":            {reqs: []*colmetricspb.ExportMetricsServiceRequest{old, untimed}, maxPoints: 100, want: 30 * time.Minute},
		"untimed, then old, a batch each":         {reqs: []*colmetricspb.ExportMetricsServiceRequest{untimed, old}, maxPoints: 1, want: 30 * time.Minute},
		"newer message after the oldest":          {reqs: []*colmetricspb.ExportMetricsServiceRequest{old, timedRequest(now.Add(-time.Minute))}, maxPoints: 100, want: 30 * time.Minute},
		"oldest message after a newer one":        {reqs: []*colmetricspb.ExportMetricsServiceRequest{timedRequest(now.Add(-time.Minute)), old}, maxPoints: 100, want: 30 * time.Minute},
		"only untimed points":                     {reqs: []*colmetricspb.ExportMetricsServiceRequest{untimed, untimed}, maxPoints: 1},
		"a later batch older than an earlier one": {reqs: []*colmetricspb.ExportMetricsServiceRequest{timedRequest(now.Add(-time.Minute)), old}, maxPoints: 1, want: 30 * time.Minute},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, exp := receiver(t)
			raw := streamgen.Record(tc.reqs...)
			res, err := metricstream.Ship(context.Background(), exp, src, bytes.NewReader(raw), 0, metricstream.ShipOptions{MaxBatchPoints: tc.maxPoints})
			if err != nil {
				t.Fatal(err)
			}
			if res.MaxLag < tc.want || res.MaxLag > tc.want+time.Minute {
				t.Errorf("MaxLag %s, want %s (within a minute)", res.MaxLag, tc.want)
			}
		})
	}
}

// TestShip_DefaultStopMargin: without a StopMargin, Ship stops 20 s before the
// deadline (after the first batch: every run ships one) and says where to
// continue.
func TestShip_DefaultStopMargin(t *testing.T) {
	t.Parallel()
	_, exp := receiver(t)
	now := time.Now()
	raw := streamgen.Record(timedRequest(now), timedRequest(now), timedRequest(now))
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	res, err := metricstream.Ship(ctx, exp, src, bytes.NewReader(raw), 0, metricstream.ShipOptions{MaxBatchPoints: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.NextMessage != 2 || res.Exported != 1 {
		t.Errorf("result %+v, want one message exported and NextMessage 2", res)
	}
}
