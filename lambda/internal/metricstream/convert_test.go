package metricstream_test

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/proto"

	"github.com/elb-otel/elb-otel/constructs/elbmetrics"
	"github.com/elb-otel/elb-otel/internal/streamgen"
	"github.com/elb-otel/elb-otel/lambda/internal/metricstream"
)

// TestPollingName checks the names against series the exporter
// (prometheus/cloudwatch_exporter) writes for these metrics.
func TestPollingName(t *testing.T) {
	t.Parallel()
	tests := []struct{ ns, metric, stat, want string }{
		{"AWS/ApplicationELB", "RequestCount", "Sum", "aws_applicationelb_request_count_sum"},
		{"AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", "aws_applicationelb_httpcode_target_5_xx_count_sum"},
		{"AWS/ApplicationELB", "TargetResponseTime", "Average", "aws_applicationelb_target_response_time_average"},
		{"AWS/ApplicationELB", "TargetResponseTime", "p99", "aws_applicationelb_target_response_time_p99"},
		{"AWS/ApplicationELB", "UnHealthyHostCount", "Minimum", "aws_applicationelb_un_healthy_host_count_minimum"},
		{"AWS/ApplicationELB", "IPv6RequestCount", "SampleCount", "aws_applicationelb_ipv6_request_count_sample_count"},
		{"AWS/ApplicationELB", "DesyncMitigationMode_NonCompliant_Request_Count", "Sum", "aws_applicationelb_desync_mitigation_mode_non_compliant_request_count_sum"},
		{"AWS/NetworkELB", "TCP_ELB_Reset_Count", "Sum", "aws_networkelb_tcp_elb_reset_count_sum"},
		{"AWS/NetworkELB", "ActiveFlowCount_TLS", "Maximum", "aws_networkelb_active_flow_count_tls_maximum"},
		{"AWS/ELB", "HTTPCode_Backend_5XX", "Sum", "aws_elb_httpcode_backend_5_xx_sum"},
		{"AWS/ELB", "Latency", "p99.9", "aws_elb_latency_p99_9"},
		{"AWS/ApplicationELB", "HTTPCode_ELB_500_Count", "Sum", "aws_applicationelb_httpcode_elb_500_count_sum"},
		// Every digit splits before a capital, 0 and 9 too (names the catalogue does not know are converted alike).
		{"AWS/ApplicationELB", "HTTPCode_Target_9XX_Count", "Sum", "aws_applicationelb_httpcode_target_9_xx_count_sum"},
		{"AWS/ApplicationELB", "Target0Count", "Sum", "aws_applicationelb_target0_count_sum"},
	}
	for _, tc := range tests {
		if got := metricstream.PollingName(tc.ns, tc.metric, tc.stat); got != tc.want {
			t.Errorf("PollingName(%s, %s, %s) = %s, want %s", tc.ns, tc.metric, tc.stat, got, tc.want)
		}
	}
	for dim, want := range map[string]string{"LoadBalancer": "load_balancer", "TargetGroup": "target_group",
		"AvailabilityZone": "availability_zone", "LoadBalancerName": "load_balancer_name"} {
		if got := metricstream.PollingLabel(dim); got != want {
			t.Errorf("PollingLabel(%s) = %s, want %s", dim, got, want)
		}
	}
	for q, want := range map[float64]string{0.5: "p50", 0.9: "p90", 0.99: "p99", 0.999: "p99.9", 0.9999: "p99.99"} {
		if got := metricstream.Percentile(q); got != want {
			t.Errorf("Percentile(%v) = %s, want %s", q, got, want)
		}
	}
}

// gaugePoint is one converted data point, keyed for lookup.
type gaugePoint struct {
	labels string
	time   uint64
	value  float64
}

func gauges(t *testing.T, req *colmetricspb.ExportMetricsServiceRequest) map[string][]gaugePoint {
	t.Helper()
	out := map[string][]gaugePoint{}
	for _, rm := range req.ResourceMetrics {
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				g := m.GetGauge()
				if g == nil {
					t.Errorf("metric %s is a %T, want a gauge", m.Name, m.Data)
					continue
				}
				for _, dp := range g.DataPoints {
					var ls []string
					for _, kv := range dp.Attributes {
						ls = append(ls, kv.Key+"="+kv.Value.GetStringValue())
					}
					sort.Strings(ls)
					out[m.Name] = append(out[m.Name], gaugePoint{strings.Join(ls, ","), dp.TimeUnixNano, dp.GetAsDouble()})
				}
			}
		}
	}
	return out
}

// TestToPolling_DefaultPresetNames proves that, for every metric and
// statistic the polling mode fetches with the default preset (its exporter
// rules, rendered from the catalogue by elbmetrics), the converted stream has
// a gauge of the same name and labels, with the statistic's value.
func TestToPolling_DefaultPresetNames(t *testing.T) {
	t.Parallel()
	cfg := elbmetrics.ExporterConfig{Region: "us-east-1", Targets: []elbmetrics.Target{
		{Type: elbmetrics.Application, LoadBalancer: "app/web/50dc6c495c0c9188", TargetGroups: []string{"targetgroup/web/73e2d6bc24d8a067"}},
		{Type: elbmetrics.Network, LoadBalancer: "net/edge/3c3ec6e1b9c1a2d4", TargetGroups: []string{"targetgroup/tcp/0a1b2c3d4e5f6a7b"}},
		{Type: elbmetrics.Classic, LoadBalancer: "legacy-api"},
	}}
	rules, err := cfg.Rules()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, r := range rules {
		// One update per rule, its dimensions pinned to the rule's values.
		var dims [][2]string
		var labels []string
		for _, d := range r.Dimensions {
			dims = append(dims, [2]string{d, r.DimensionSelect[d][0]})
			labels = append(labels, metricstream.PollingLabel(d)+"="+r.DimensionSelect[d][0])
		}
		labels = append(labels, "service=elb")
		sort.Strings(labels)
		u := streamgen.Update{Namespace: r.Namespace, Metric: r.Metric, Dimensions: dims, Start: start,
			Count: 4, Sum: 10, Min: 1, Max: 7, Percentiles: map[float64]float64{}}
		for i, p := range r.ExtendedStatistics {
			q, err := quantileOf(p)
			if err != nil {
				t.Fatal(err)
			}
			u.Percentiles[q] = 2 + float64(i)
		}
		got := gauges(t, metricstream.ToPolling(stream.Request([]streamgen.Update{u})))
		want := map[string]float64{"Sum": 10, "SampleCount": 4, "Minimum": 1, "Maximum": 7, "Average": 2.5}
		for i, p := range r.ExtendedStatistics {
			want[p] = 2 + float64(i)
		}
		for _, stat := range append(append([]string{}, r.Statistics...), r.ExtendedStatistics...) {
			name := metricstream.PollingName(r.Namespace, r.Metric, stat)
			pts := got[name]
			if len(pts) != 1 {
				t.Errorf("%s %s %s %v: the converted stream has %d %s points, want 1 (names: %v)", r.Namespace, r.Metric, stat, r.Dimensions, len(pts), name, keys(got))
				continue
			}
			if p := pts[0]; p.value != want[stat] || p.labels != strings.Join(labels, ",") || p.time != uint64(start.UnixNano()) {
				t.Errorf("%s: got %+v, want value %v, labels %s, time the minute's start", name, p, want[stat], strings.Join(labels, ","))
			}
			checked++
		}
	}
	if checked < 60 {
		t.Fatalf("checked %d series of the default preset, expected many more", checked)
	}
	t.Logf("%d exporter rules of the default preset, %d series names and values matched", len(rules), checked)
}

func quantileOf(p string) (float64, error) {
	var v float64
	if _, err := fmt.Sscanf(p, "p%g", &v); err != nil {
		return 0, fmt.Errorf("extended statistic %q: %w", p, err)
	}
	return v / 100, nil
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestToPolling(t *testing.T) {
	t.Parallel()
	ups := []streamgen.Update{
		{Namespace: "AWS/ApplicationELB", Metric: "RequestCount", Dimensions: [][2]string{{"LoadBalancer", "app/a/1"}}, Start: start, Count: 3, Sum: 300, Min: 100, Max: 100},
		{Namespace: "AWS/ApplicationELB", Metric: "RequestCount", Dimensions: [][2]string{{"LoadBalancer", "app/b/2"}}, Start: start, Count: 1, Sum: 5, Min: 5, Max: 5},
		{Namespace: "AWS/ApplicationELB", Metric: "SomeNewMetric", Dimensions: [][2]string{{"LoadBalancer", "app/a/1"}}, Start: start, Count: 2, Sum: 3, Min: 1, Max: 2},
		{Namespace: "AWS/EC2", Metric: "CPUUtilization", Dimensions: [][2]string{{"InstanceId", "i-1"}}, Start: start, Count: 1, Sum: 50, Min: 50, Max: 50},
	}
	in := stream.Request(ups)
	before := proto.Clone(in)
	out := metricstream.ToPolling(in)
	if !proto.Equal(in, before) {
		t.Fatal("ToPolling modified its input")
	}
	sm := out.ResourceMetrics[0].ScopeMetrics[0]
	var names []string
	for _, m := range sm.Metrics {
		names = append(names, fmt.Sprintf("%s:%d", m.Name, dataPoints(m)))
	}
	want := []string{
		// RequestCount: the catalogue's statistic (Sum), both load balancers in one gauge.
		"aws_applicationelb_request_count_sum:2",
		// A metric the catalogue does not know: all five statistics.
		"aws_applicationelb_some_new_metric_average:1", "aws_applicationelb_some_new_metric_maximum:1",
		"aws_applicationelb_some_new_metric_minimum:1", "aws_applicationelb_some_new_metric_sample_count:1",
		"aws_applicationelb_some_new_metric_sum:1",
		// Another namespace passes unchanged.
		"amazonaws.com/AWS/EC2/CPUUtilization:1",
	}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("metrics\n got %v\nwant %v", names, want)
	}
	if !proto.Equal(out.ResourceMetrics[0].Resource, in.ResourceMetrics[0].Resource) {
		t.Error("the resource changed")
	}
	if ec2 := sm.Metrics[len(sm.Metrics)-1]; !proto.Equal(ec2.GetSummary(), in.ResourceMetrics[0].ScopeMetrics[0].Metrics[3].GetSummary()) {
		t.Error("the other namespace's summary changed")
	}
	avg := gauges(t, &colmetricspb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: sm.Metrics[1:2]}}}}})
	if v := avg["aws_applicationelb_some_new_metric_average"][0].value; math.Abs(v-1.5) > 1e-12 {
		t.Errorf("average %v, want sum/count = 1.5", v)
	}
}

func dataPoints(m *metricspb.Metric) int {
	if g := m.GetGauge(); g != nil {
		return len(g.DataPoints)
	}
	return len(m.GetSummary().GetDataPoints())
}

func TestCompleteResources(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		opts metricstream.Options
		want map[string]string
	}{
		"defaults": {want: map[string]string{
			"cloud.provider": "aws", "cloud.account.id": "123456789012", "cloud.region": "us-east-1",
			"aws.exporter.arn": stream.ARN(), "aws.s3.bucket": "bkt", "aws.s3.key": "metric-streams/2026/11/30/22/x",
			"service.name": "elb",
		}},
		"service name and extra attributes override": {
			opts: metricstream.Options{ServiceName: "edge", ResourceAttributes: map[string]string{"deployment.environment.name": "prod", "cloud.region": "eu-west-1"}},
			want: map[string]string{"service.name": "edge", "deployment.environment.name": "prod", "cloud.region": "eu-west-1", "cloud.account.id": "123456789012"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req := stream.Request(streamgen.Updates(alb, []streamgen.Metric{{Name: "RequestCount"}}, start, 1, 1)[:1])
			metricstream.CompleteResources(req, metricstream.Source{Bucket: "bkt", Key: "metric-streams/2026/11/30/22/x"}, tc.opts)
			got := map[string]string{}
			for _, kv := range req.ResourceMetrics[0].Resource.Attributes {
				if _, dup := got[kv.Key]; dup {
					t.Errorf("attribute %s twice", kv.Key)
				}
				got[kv.Key] = kv.Value.GetStringValue()
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}
