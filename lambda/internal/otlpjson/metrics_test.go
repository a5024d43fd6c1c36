package otlpjson_test

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	"google.golang.org/protobuf/proto"

	"github.com/elb-otel/elb-otel/lambda/internal/otlpjson"
)

// metricsRequest holds one metric of each kind a metric stream or a collector
// sends: a Summary (what CloudWatch streams), a Gauge, a cumulative Sum and
// a Histogram, with exemplar-free points, 64-bit counts and a negative value.
func metricsRequest() *colmetricspb.ExportMetricsServiceRequest {
	attrs := []*commonpb.KeyValue{kv("Namespace", str("AWS/ApplicationELB")), kv("LoadBalancer", str("app/shop/50dc6c495c0c9188"))}
	const t0, t1 = 1764496800000000000, 1764496860000000000
	return &colmetricspb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{kv("cloud.provider", str("aws"))}},
		ScopeMetrics: []*metricspb.ScopeMetrics{{
			Scope: &commonpb.InstrumentationScope{Name: "elb-otel"},
			Metrics: []*metricspb.Metric{
				{Name: "amazonaws.com/AWS/ApplicationELB/RequestCount", Unit: "{Count}", Data: &metricspb.Metric_Summary{Summary: &metricspb.Summary{
					DataPoints: []*metricspb.SummaryDataPoint{{Attributes: attrs, StartTimeUnixNano: t0, TimeUnixNano: t1, Count: 3, Sum: 1234.5,
						QuantileValues: []*metricspb.SummaryDataPoint_ValueAtQuantile{{Quantile: 0, Value: 1}, {Quantile: 0.99, Value: 800.25}, {Quantile: 1, Value: 900}}}},
				}}},
				{Name: "gauge", Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: []*metricspb.NumberDataPoint{
					{TimeUnixNano: t1, Value: &metricspb.NumberDataPoint_AsDouble{AsDouble: -0.5}},
					{TimeUnixNano: t1, Value: &metricspb.NumberDataPoint_AsInt{AsInt: 1 << 40}},
				}}}},
				{Name: "sum", Data: &metricspb.Metric_Sum{Sum: &metricspb.Sum{IsMonotonic: true, AggregationTemporality: metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_CUMULATIVE,
					DataPoints: []*metricspb.NumberDataPoint{{StartTimeUnixNano: t0, TimeUnixNano: t1, Value: &metricspb.NumberDataPoint_AsInt{AsInt: 42}}}}}},
				{Name: "histogram", Data: &metricspb.Metric_Histogram{Histogram: &metricspb.Histogram{AggregationTemporality: metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_DELTA,
					DataPoints: []*metricspb.HistogramDataPoint{{TimeUnixNano: t1, Count: 4, BucketCounts: []uint64{1, 3}, ExplicitBounds: []float64{0.25}}}}}},
			},
		}},
	}}}
}

// TestAppendMetricsRequest_WritesWhatPdataWrites checks the metrics JSON (the
// body of an http/json metrics export) against pdata, the collector's own
// encoder, byte for byte, and reads it back with pdata's JSON unmarshaler.
func TestAppendMetricsRequest_WritesWhatPdataWrites(t *testing.T) {
	raw, err := proto.Marshal(metricsRequest())
	if err != nil {
		t.Fatal(err)
	}
	got, err := otlpjson.AppendMetricsRequest(nil, raw)
	if err != nil {
		t.Fatal(err)
	}
	want := pmetricotlp.NewExportRequest()
	if err := want.UnmarshalProto(raw); err != nil {
		t.Fatal(err)
	}
	wantJSON, err := want.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(wantJSON) {
		t.Errorf("JSON differs from pdata's:\n got %s\nwant %s", got, wantJSON)
	}
	back, err := (&pmetric.JSONUnmarshaler{}).UnmarshalMetrics(got)
	if err != nil {
		t.Fatalf("pdata cannot read the JSON back: %v", err)
	}
	if n, want := back.DataPointCount(), want.Metrics().DataPointCount(); n != want {
		t.Errorf("read back %d data points, want %d", n, want)
	}
	if _, err := otlpjson.AppendMetricsRequest(nil, []byte{0xff, 0xff}); err == nil {
		t.Error("bytes that are not a request: no error")
	}
}
