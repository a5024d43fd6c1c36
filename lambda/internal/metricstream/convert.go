package metricstream

import (
	"strings"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"

	"github.com/elb-otel/elb-otel/constructs/elbmetrics"
)

// Data point attributes a metric stream sets on every Summary data point.
const (
	AttrNamespace  = "Namespace"
	AttrMetricName = "MetricName"
	AttrDimensions = "Dimensions"
)

// MetricNamePrefix starts the stream's metric names:
// amazonaws.com/<Namespace>/<MetricName>.
const MetricNamePrefix = "amazonaws.com/"

// ToPolling returns req with every Summary of an ELB namespace turned into
// the gauges the polling mode produces, so dashboards and alerts work in both
// modes. For each Summary data point of metric M in namespace N it emits one
// gauge per statistic that the polling mode can fetch for M (the catalogue's
// statistics; all five for a metric the catalogue does not know), named
// PollingName(N, M, statistic):
//
//   - Sum is the data point's sum; SampleCount its count; Average sum/count
//     (when count > 0);
//   - Minimum is quantile 0 and Maximum quantile 1;
//   - every other quantile q is the percentile Percentile(q) (p99 for 0.99).
//
// A statistic the data point does not carry is not emitted. Each gauge data
// point has the polling mode's labels: one per CloudWatch dimension
// (PollingLabel: load_balancer, target_group, availability_zone,
// load_balancer_name) and service=elb, and its time is the start of the
// minute, as the exporter stamps a CloudWatch datapoint. The values are per
// minute (the stream's period), where the polling mode's are per its period
// (300 s by default): a Sum is a fifth as large. Metrics of other types or
// namespaces pass unchanged. req is not modified.
func ToPolling(req *colmetricspb.ExportMetricsServiceRequest) *colmetricspb.ExportMetricsServiceRequest {
	out := &colmetricspb.ExportMetricsServiceRequest{ResourceMetrics: make([]*metricspb.ResourceMetrics, 0, len(req.ResourceMetrics))}
	stats := map[string][]string{}
	for _, rm := range req.ResourceMetrics {
		orm := &metricspb.ResourceMetrics{Resource: rm.Resource, SchemaUrl: rm.SchemaUrl}
		for _, sm := range rm.ScopeMetrics {
			osm := &metricspb.ScopeMetrics{Scope: sm.Scope, SchemaUrl: sm.SchemaUrl}
			gauges := map[string]*metricspb.Gauge{}
			for _, m := range sm.Metrics {
				summary := m.GetSummary()
				if summary == nil {
					osm.Metrics = append(osm.Metrics, m)
					continue
				}
				var passed []*metricspb.SummaryDataPoint
				for _, dp := range summary.DataPoints {
					ns, name := metricOf(m.Name, dp.Attributes)
					t := typeOf(ns)
					if t == "" {
						passed = append(passed, dp)
						continue
					}
					key := ns + "/" + name
					st, ok := stats[key]
					if !ok {
						st = statisticsOf(t, name)
						stats[key] = st
					}
					emit(osm, gauges, ns, name, st, dp)
				}
				if len(passed) > 0 {
					osm.Metrics = append(osm.Metrics, &metricspb.Metric{Name: m.Name, Description: m.Description, Unit: m.Unit,
						Metadata: m.Metadata, Data: &metricspb.Metric_Summary{Summary: &metricspb.Summary{DataPoints: passed}}})
				}
			}
			if len(osm.Metrics) > 0 {
				orm.ScopeMetrics = append(orm.ScopeMetrics, osm)
			}
		}
		if len(orm.ScopeMetrics) > 0 {
			out.ResourceMetrics = append(out.ResourceMetrics, orm)
		}
	}
	return out
}

// metricOf returns the namespace and metric name of a data point: from its
// Namespace and MetricName attributes, else from the metric's name.
func metricOf(metricName string, attrs []*commonpb.KeyValue) (namespace, name string) {
	if kv := find(attrs, AttrNamespace); kv != nil {
		namespace = kv.GetValue().GetStringValue()
	}
	if kv := find(attrs, AttrMetricName); kv != nil {
		name = kv.GetValue().GetStringValue()
	}
	if namespace != "" && name != "" {
		return namespace, name
	}
	rest, ok := strings.CutPrefix(metricName, MetricNamePrefix)
	if i := strings.LastIndexByte(rest, '/'); ok && i > 0 {
		return rest[:i], rest[i+1:]
	}
	return namespace, name
}

// typeOf returns the load balancer type of an ELB namespace, or "".
func typeOf(namespace string) elbmetrics.LoadBalancerType {
	for _, t := range elbmetrics.Types() {
		if t.Namespace() == namespace {
			return t
		}
	}
	return ""
}

// statisticsOf returns the basic statistics the polling mode can fetch for a
// metric: the catalogue's, or all five for a metric it does not list.
func statisticsOf(t elbmetrics.LoadBalancerType, name string) []string {
	if m, ok := elbmetrics.Lookup(t, name); ok {
		return m.Statistics
	}
	return []string{StatAverage, StatMaximum, StatMinimum, StatSampleCount, StatSum}
}

func emit(sm *metricspb.ScopeMetrics, gauges map[string]*metricspb.Gauge, ns, name string, stats []string, dp *metricspb.SummaryDataPoint) {
	if dp.Flags&uint32(metricspb.DataPointFlags_DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK) != 0 {
		return
	}
	labels := labelsOf(dp.Attributes)
	at := dp.StartTimeUnixNano
	if at == 0 {
		at = dp.TimeUnixNano
	}
	add := func(stat string, v float64) {
		n := PollingName(ns, name, stat)
		g, ok := gauges[n]
		if !ok {
			g = &metricspb.Gauge{}
			gauges[n] = g
			sm.Metrics = append(sm.Metrics, &metricspb.Metric{Name: n, Data: &metricspb.Metric_Gauge{Gauge: g}})
		}
		g.DataPoints = append(g.DataPoints, &metricspb.NumberDataPoint{
			Attributes: labels, TimeUnixNano: at, Value: &metricspb.NumberDataPoint_AsDouble{AsDouble: v},
		})
	}
	quantile := func(q float64) (float64, bool) {
		for _, qv := range dp.QuantileValues {
			if qv.Quantile == q {
				return qv.Value, true
			}
		}
		return 0, false
	}
	for _, s := range stats {
		switch s {
		case StatSum:
			add(s, dp.Sum)
		case StatSampleCount:
			add(s, float64(dp.Count))
		case StatAverage:
			if dp.Count > 0 {
				add(s, dp.Sum/float64(dp.Count))
			}
		case StatMinimum:
			if v, ok := quantile(0); ok {
				add(s, v)
			}
		case StatMaximum:
			if v, ok := quantile(1); ok {
				add(s, v)
			}
		}
	}
	for _, qv := range dp.QuantileValues {
		if qv.Quantile > 0 && qv.Quantile < 1 {
			add(Percentile(qv.Quantile), qv.Value)
		}
	}
}

// labelsOf returns the polling mode's labels of a data point: one per
// CloudWatch dimension, and service=elb (the collector's relabelling).
func labelsOf(attrs []*commonpb.KeyValue) []*commonpb.KeyValue {
	var labels []*commonpb.KeyValue
	if kv := find(attrs, AttrDimensions); kv != nil {
		for _, d := range kv.GetValue().GetKvlistValue().GetValues() {
			labels = append(labels, &commonpb.KeyValue{Key: PollingLabel(d.Key), Value: d.Value})
		}
	}
	return append(labels, &commonpb.KeyValue{Key: "service", Value: strValue("elb")})
}
