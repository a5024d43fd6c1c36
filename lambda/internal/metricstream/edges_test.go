package metricstream_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"testing/iotest"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"

	"github.com/elb-otel/elb-otel/internal/streamgen"
	"github.com/elb-otel/elb-otel/lambda/internal/metricstream"
)

// TestToPolling_DropsWhatIsEmpty: a scope without metrics, or whose metrics
// have no data points, is not sent, nor is a resource left without scopes.
func TestToPolling_DropsWhatIsEmpty(t *testing.T) {
	t.Parallel()
	in := &colmetricspb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{
		{Resource: &resourcepb.Resource{}, ScopeMetrics: []*metricspb.ScopeMetrics{{}}},
		{Resource: &resourcepb.Resource{}, ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{
			{Name: "amazonaws.com/AWS/ApplicationELB/RequestCount", Data: &metricspb.Metric_Summary{Summary: &metricspb.Summary{}}},
		}}}},
		{Resource: &resourcepb.Resource{}},
	}}
	if out := metricstream.ToPolling(in); len(out.ResourceMetrics) != 0 {
		t.Errorf("ToPolling kept %d resources of nothing: %v", len(out.ResourceMetrics), out)
	}
}

// TestToPolling_MetricFromAttributesFirst: the data point's Namespace and
// MetricName attributes name its metric; the metric's name only when they
// are absent.
func TestToPolling_MetricFromAttributesFirst(t *testing.T) {
	t.Parallel()
	for name, metricName := range map[string]string{
		"a metric name that says otherwise": "amazonaws.com/AWS/NetworkELB/ActiveFlowCount",
		"a metric name without the prefix":  "RequestCount",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in := stream.Request([]streamgen.Update{{Namespace: "AWS/ApplicationELB", Metric: "RequestCount",
				Dimensions: [][2]string{{"LoadBalancer", "app/a/1"}}, Start: start, Count: 3, Sum: 300, Min: 100, Max: 100}})
			in.ResourceMetrics[0].ScopeMetrics[0].Metrics[0].Name = metricName
			out := metricstream.ToPolling(in)
			if got := gauges(t, out); len(got) != 1 || len(got["aws_applicationelb_request_count_sum"]) != 1 {
				t.Errorf("ToPolling made %v, want aws_applicationelb_request_count_sum from the attributes", keys(got))
			}
		})
	}
}

// TestToPolling_NoAverageOfNoSamples: a data point of no samples has no
// average (not NaN); its other statistics are sent.
func TestToPolling_NoAverageOfNoSamples(t *testing.T) {
	t.Parallel()
	in := stream.Request([]streamgen.Update{{Namespace: "AWS/ApplicationELB", Metric: "SomeNewMetric",
		Dimensions: [][2]string{{"LoadBalancer", "app/a/1"}}, Start: start}})
	got := gauges(t, metricstream.ToPolling(in))
	if _, ok := got["aws_applicationelb_some_new_metric_average"]; ok {
		t.Errorf("an average of no samples was sent: %v", got["aws_applicationelb_some_new_metric_average"])
	}
	if p := got["aws_applicationelb_some_new_metric_sample_count"]; len(p) != 1 || p[0].value != 0 {
		t.Errorf("sample count %v, want one point of 0", p)
	}
	for name, points := range got {
		for _, p := range points {
			if math.IsNaN(p.value) {
				t.Errorf("%s is NaN", name)
			}
		}
	}
}

// TestDetect_LargeObjects: an object larger than what Detect peeks is
// recognised, plain or gzipped, and reads whole after it.
func TestDetect_LargeObjects(t *testing.T) {
	t.Parallel()
	raw, reqs := object(t, 400)
	if len(raw) <= metricstream.PeekBytes {
		t.Fatalf("the object is %d bytes, want more than PeekBytes (%d)", len(raw), metricstream.PeekBytes)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(raw)
	_ = zw.Close()
	for name, body := range map[string][]byte{"plain": raw, "gzipped": gz.Bytes()} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			br := bufio.NewReaderSize(bytes.NewReader(body), metricstream.PeekBytes)
			if ok, err := metricstream.Detect(br); !ok || err != nil {
				t.Fatalf("Detect = %v, %v; want true", ok, err)
			}
			content, err := metricstream.Open(br)
			if err != nil {
				t.Fatal(err)
			}
			got, err := readAll(t, mustRead(t, content))
			if err != nil || len(got) != len(reqs) {
				t.Errorf("read %d messages (%v), want %d", len(got), err, len(reqs))
			}
		})
	}
}

func mustRead(t *testing.T, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDetectAndOpen_ReadErrors: a failed read is an error, not a verdict; an
// empty object opens as empty.
func TestDetectAndOpen_ReadErrors(t *testing.T) {
	t.Parallel()
	reset := errors.New("connection reset by peer")
	if ok, err := metricstream.Detect(bufio.NewReaderSize(iotest.ErrReader(reset), metricstream.PeekBytes)); !errors.Is(err, reset) || ok {
		t.Errorf("Detect of a failing read = %v, %v; want the read's error", ok, err)
	}
	if _, err := metricstream.Open(bufio.NewReader(iotest.ErrReader(reset))); !errors.Is(err, reset) {
		t.Errorf("Open of a failing read: %v, want the read's error", err)
	}
	r, err := metricstream.Open(bufio.NewReader(strings.NewReader("")))
	if err != nil {
		t.Fatalf("Open of an empty object: %v", err)
	}
	if b := mustRead(t, r); len(b) != 0 {
		t.Errorf("an empty object read as %q", b)
	}
}
