// Package streamgen makes what a CloudWatch metric stream in the
// OpenTelemetry 1.0.0 format writes into Kinesis Data Firehose, for tests, the
// end-to-end test and the demo: ExportMetricsServiceRequest messages built
// with OpenTelemetry's own protobuf types (go.opentelemetry.io/proto/otlp),
// one Summary data point per metric update, each message preceded by its
// length as an unsigned varint.
//
// Doc: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-metric-streams-formats-opentelemetry-100.html
package streamgen

import (
	"fmt"
	"sort"
	"time"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// Stream is the metric stream the updates come from.
type Stream struct {
	Account string // 123456789012
	Region  string // us-east-1
	Name    string // the metric stream's name
}

// ARN returns the stream's ARN, the aws.exporter.arn resource attribute.
func (s Stream) ARN() string {
	return fmt.Sprintf("arn:aws:cloudwatch:%s:%s:metric-stream/%s", s.Region, s.Account, s.Name)
}

// Update is one metric update: the statistics of one CloudWatch metric, for
// one dimension combination, over one minute.
type Update struct {
	Namespace  string      // AWS/ApplicationELB
	Metric     string      // RequestCount
	Unit       string      // Count
	Dimensions [][2]string // {"LoadBalancer", "app/web/50dc6c495c0c9188"}, in CloudWatch's order
	Start      time.Time   // the minute's start
	Count      uint64      // SampleCount
	Sum        float64
	Min, Max   float64
	// Percentiles are the extra quantiles the stream was asked for
	// (0.99 for p99), with their values.
	Percentiles map[float64]float64
}

// Request returns the ExportMetricsServiceRequest CloudWatch writes for the
// updates: one resource (the stream's account, region and ARN), one metric
// per update named amazonaws.com/<Namespace>/<Metric>, holding one Summary
// data point.
func (s Stream) Request(updates []Update) *colmetricspb.ExportMetricsServiceRequest {
	sm := &metricspb.ScopeMetrics{}
	for _, u := range updates {
		dims := make([]*commonpb.KeyValue, len(u.Dimensions))
		for i, d := range u.Dimensions {
			dims[i] = str(d[0], d[1])
		}
		q := []*metricspb.SummaryDataPoint_ValueAtQuantile{{Quantile: 0, Value: u.Min}}
		ps := make([]float64, 0, len(u.Percentiles))
		for p := range u.Percentiles {
			ps = append(ps, p)
		}
		sort.Float64s(ps)
		for _, p := range ps {
			q = append(q, &metricspb.SummaryDataPoint_ValueAtQuantile{Quantile: p, Value: u.Percentiles[p]})
		}
		q = append(q, &metricspb.SummaryDataPoint_ValueAtQuantile{Quantile: 1, Value: u.Max})
		dp := &metricspb.SummaryDataPoint{
			Attributes: []*commonpb.KeyValue{
				str("Namespace", u.Namespace),
				str("MetricName", u.Metric),
				{Key: "Dimensions", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_KvlistValue{KvlistValue: &commonpb.KeyValueList{Values: dims}}}},
			},
			StartTimeUnixNano: uint64(u.Start.UnixNano()),
			TimeUnixNano:      uint64(u.Start.Add(time.Minute).UnixNano()),
			Count:             u.Count,
			Sum:               u.Sum,
			QuantileValues:    q,
		}
		sm.Metrics = append(sm.Metrics, &metricspb.Metric{
			Name: "amazonaws.com/" + u.Namespace + "/" + u.Metric,
			Unit: u.Unit,
			Data: &metricspb.Metric_Summary{Summary: &metricspb.Summary{DataPoints: []*metricspb.SummaryDataPoint{dp}}},
		})
	}
	return &colmetricspb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{
			str("cloud.provider", "aws"),
			str("cloud.account.id", s.Account),
			str("cloud.region", s.Region),
			str("aws.exporter.arn", s.ARN()),
		}},
		ScopeMetrics: []*metricspb.ScopeMetrics{sm},
	}}}
}

// Record returns the bytes of one Firehose record holding reqs: each
// message's length as an unsigned varint, then the message.
func Record(reqs ...*colmetricspb.ExportMetricsServiceRequest) []byte {
	var out []byte
	for _, r := range reqs {
		raw, err := proto.Marshal(r)
		if err != nil {
			panic(err) // the types are generated; a message always encodes
		}
		out = protowire.AppendVarint(out, uint64(len(raw)))
		out = append(out, raw...)
	}
	return out
}

func str(k, v string) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
}

// LoadBalancer is one load balancer the generator makes updates for.
type LoadBalancer struct {
	Namespace    string   // AWS/ApplicationELB, AWS/NetworkELB or AWS/ELB
	Name         string   // app/web/50dc6c495c0c9188, net/..., or a Classic name
	TargetGroups []string // targetgroup/web/73e2d6bc24d8a067
	Zones        []string // us-east-1a
}

// Metric names a metric to generate and its percentiles.
type Metric struct {
	Name        string
	Unit        string
	Percentiles []float64
}

// Updates returns one update per metric, per dimension combination of lb
// (the load balancer; each zone; each target group; each target group in each
// zone; a Classic one by LoadBalancerName), per minute, from start, with
// values derived from seed, so each update's values differ and can be checked.
func Updates(lb LoadBalancer, metrics []Metric, start time.Time, minutes int, seed uint64) []Update {
	var combos [][][2]string
	lbDim := "LoadBalancer"
	if lb.Namespace == "AWS/ELB" {
		lbDim = "LoadBalancerName"
	}
	combos = append(combos, [][2]string{{lbDim, lb.Name}})
	for _, z := range lb.Zones {
		combos = append(combos, [][2]string{{"AvailabilityZone", z}, {lbDim, lb.Name}})
	}
	for _, tg := range lb.TargetGroups {
		combos = append(combos, [][2]string{{lbDim, lb.Name}, {"TargetGroup", tg}})
		for _, z := range lb.Zones {
			combos = append(combos, [][2]string{{"AvailabilityZone", z}, {lbDim, lb.Name}, {"TargetGroup", tg}})
		}
	}
	var out []Update
	n := seed
	for m := 0; m < minutes; m++ {
		for _, metric := range metrics {
			for _, dims := range combos {
				n = n*6364136223846793005 + 1442695040888963407
				count := 1 + n>>58
				min := float64(n>>40&0xff) / 10
				u := Update{
					Namespace: lb.Namespace, Metric: metric.Name, Unit: metric.Unit, Dimensions: dims,
					Start: start.Add(time.Duration(m) * time.Minute), Count: count,
					Min: min, Max: min + float64(n>>32&0xff), Sum: min*float64(count) + float64(n>>24&0xffff),
				}
				if len(metric.Percentiles) > 0 {
					u.Percentiles = map[float64]float64{}
					for i, p := range metric.Percentiles {
						u.Percentiles[p] = u.Min + float64(i+1)*(u.Max-u.Min)/float64(len(metric.Percentiles)+1)
					}
				}
				out = append(out, u)
			}
		}
	}
	return out
}
