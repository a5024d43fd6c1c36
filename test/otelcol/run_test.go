package otelcol_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/elb-otel/elb-otel/constructs/elbmetrics"
	"github.com/elb-otel/elb-otel/internal/otlptest"
)

// exposition is what prometheus/cloudwatch_exporter serves at /metrics, in
// its exact text format (simpleclient 0.x, text 0.0.4): one family per rule
// and statistic, so a metric rendered at two dimension sets repeats its
// family name; job and instance="" labels on every CloudWatch sample; snake
// case dimension labels with a trailing comma; Java doubles; the CloudWatch
// timestamp in milliseconds; then the exporter's self-metrics and the JVM's.
func exposition(ts int64) string {
	const (
		alb = `job="aws_applicationelb",instance="",load_balancer="app/web/50dc6c495c0c9188",`
		web = `target_group="targetgroup/web/73e2d6bc24d8a067",`
		api = `target_group="targetgroup/api/1a2b3c4d5e6f7081",`
	)
	lines := []string{
		`# HELP aws_applicationelb_request_count_sum CloudWatch metric AWS/ApplicationELB RequestCount Dimensions: [LoadBalancer] Statistic: Sum Unit: Count`,
		`# TYPE aws_applicationelb_request_count_sum gauge`,
		fmt.Sprintf(`aws_applicationelb_request_count_sum{%s} 1234.0 %d`, alb, ts),
		`# HELP aws_applicationelb_request_count_sum CloudWatch metric AWS/ApplicationELB RequestCount Dimensions: [LoadBalancer, TargetGroup] Statistic: Sum Unit: Count`,
		`# TYPE aws_applicationelb_request_count_sum gauge`,
		fmt.Sprintf(`aws_applicationelb_request_count_sum{%s%s} 1000.0 %d`, alb, web, ts),
		fmt.Sprintf(`aws_applicationelb_request_count_sum{%s%s} 234.0 %d`, alb, api, ts),
		`# HELP aws_applicationelb_httpcode_target_5_xx_count_sum CloudWatch metric AWS/ApplicationELB HTTPCode_Target_5XX_Count Dimensions: [LoadBalancer, TargetGroup] Statistic: Sum Unit: Count`,
		`# TYPE aws_applicationelb_httpcode_target_5_xx_count_sum gauge`,
		fmt.Sprintf(`aws_applicationelb_httpcode_target_5_xx_count_sum{%s%s} 7.0 %d`, alb, web, ts),
		`# HELP aws_applicationelb_target_response_time_average CloudWatch metric AWS/ApplicationELB TargetResponseTime Dimensions: [LoadBalancer, TargetGroup] Statistic: Average Unit: Seconds`,
		`# TYPE aws_applicationelb_target_response_time_average gauge`,
		fmt.Sprintf(`aws_applicationelb_target_response_time_average{%s%s} 0.0421 %d`, alb, web, ts),
		`# HELP aws_applicationelb_target_response_time_p99 CloudWatch metric AWS/ApplicationELB TargetResponseTime Dimensions: [LoadBalancer, TargetGroup] Statistic: p99 Unit: Seconds`,
		`# TYPE aws_applicationelb_target_response_time_p99 gauge`,
		fmt.Sprintf(`aws_applicationelb_target_response_time_p99{%s%s} 0.253 %d`, alb, web, ts),
		`# HELP aws_applicationelb_un_healthy_host_count_minimum CloudWatch metric AWS/ApplicationELB UnHealthyHostCount Dimensions: [LoadBalancer, TargetGroup] Statistic: Minimum Unit: Count`,
		`# TYPE aws_applicationelb_un_healthy_host_count_minimum gauge`,
		fmt.Sprintf(`aws_applicationelb_un_healthy_host_count_minimum{%s%s} 0.0 %d`, alb, web, ts),
		`# HELP aws_networkelb_new_flow_count_sum CloudWatch metric AWS/NetworkELB NewFlowCount Dimensions: [LoadBalancer] Statistic: Sum Unit: Count`,
		`# TYPE aws_networkelb_new_flow_count_sum gauge`,
		fmt.Sprintf(`aws_networkelb_new_flow_count_sum{job="aws_networkelb",instance="",load_balancer="net/edge/0f1e2d3c4b5a6978",} 5.1234E7 %d`, ts),
		`# HELP aws_elb_latency_p99 CloudWatch metric AWS/ELB Latency Dimensions: [LoadBalancerName] Statistic: p99 Unit: Seconds`,
		`# TYPE aws_elb_latency_p99 gauge`,
		fmt.Sprintf(`aws_elb_latency_p99{job="aws_elb",instance="",load_balancer_name="legacy-web",} 0.5 %d`, ts),
		`# HELP aws_resource_info AWS information available for resource`,
		`# TYPE aws_resource_info gauge`,
		`# HELP cloudwatch_exporter_scrape_duration_seconds Time this CloudWatch scrape took, in seconds.`,
		`# TYPE cloudwatch_exporter_scrape_duration_seconds gauge`,
		`cloudwatch_exporter_scrape_duration_seconds 2.345`,
		`# HELP cloudwatch_exporter_scrape_error Non-zero if this scrape failed.`,
		`# TYPE cloudwatch_exporter_scrape_error gauge`,
		`cloudwatch_exporter_scrape_error 0.0`,
		`# HELP cloudwatch_requests_total API requests made to CloudWatch`,
		`# TYPE cloudwatch_requests_total counter`,
		`cloudwatch_requests_total{action="getMetricData",namespace="AWS/ApplicationELB",} 12.0`,
		`# HELP cloudwatch_requests_created API requests made to CloudWatch`,
		`# TYPE cloudwatch_requests_created gauge`,
		`cloudwatch_requests_created{action="getMetricData",namespace="AWS/ApplicationELB",} 1.764072000123E9`,
		`# HELP jvm_memory_bytes_used Used bytes of a given JVM memory area.`,
		`# TYPE jvm_memory_bytes_used gauge`,
		`jvm_memory_bytes_used{area="heap",} 4.194304E7`,
	}
	return strings.Join(lines, "\n") + "\n"
}

// The collector, on the rendered config, scrapes the exporter's exposition
// format, labels the ELB metrics service=elb, adds the resource attributes
// from OTEL_RESOURCE_ATTRIBUTES, sends gzip-compressed OTLP with the header
// from ${env:...}, answers its health check, and stops cleanly on SIGTERM.
func TestRun_ScrapesTheExporterAndDeliversOTLP(t *testing.T) {
	bin := collectorBinary(t)
	start := time.Now()

	// CloudWatch timestamps are delay+ minutes old: 15 minutes, on the minute.
	ts := time.Now().Add(-15 * time.Minute).Truncate(time.Minute)
	body := exposition(ts.UnixMilli())
	exporter := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_, _ = io.WriteString(w, body)
	}))
	defer exporter.Close()
	recv := &otlptest.MetricsReceiver{}
	backend := httptest.NewServer(recv)
	defer backend.Close()

	health := freeAddr(t)
	cc := elbmetrics.CollectorConfig{
		// The scrape interval is 1 s for the test only (300 s in the task).
		ScrapeInterval:      time.Second,
		ScrapeTimeout:       time.Second,
		ExporterAddress:     strings.TrimPrefix(exporter.URL, "http://"),
		Endpoint:            backend.URL,
		Insecure:            true,
		HeaderEnv:           map[string]string{"X-Api-Key": "ELB_OTEL_TEST_API_KEY"},
		ResourceAttributes:  map[string]string{"service.name": "elb-metrics", "deployment.environment.name": "test env", "team": "sre,obs"},
		HealthCheckEndpoint: health,
		Debug:               true,
	}
	config, err := elbmetrics.RenderCollector(cc)
	if err != nil {
		t.Fatal(err)
	}
	env := cc.Environment()
	env["ELB_OTEL_TEST_API_KEY"] = "s3cr3t-key"
	proc := startCollector(t, bin, config, env)

	// Bounded wait for the ELB metrics to arrive.
	deadline := time.Now().Add(60 * time.Second)
	var got map[string][]otlptest.Point
	for {
		got = otlptest.ByMetric(recv.Points())
		if len(got["aws_applicationelb_request_count_sum"]) >= 3 && len(got["aws_elb_latency_p99"]) > 0 {
			break
		}
		select {
		case <-proc.done:
			t.Fatalf("the collector exited: %v", proc.err)
		default:
		}
		if time.Now().After(deadline) {
			n, errs := recv.Requests(), recv.Errors()
			t.Fatalf("no ELB metrics at the OTLP receiver within 60 s; received %d requests, errors %v", n, errs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	firstDelivery := time.Since(start)

	// Both families named aws_applicationelb_request_count_sum (the
	// {LoadBalancer} and {LoadBalancer, TargetGroup} rules) arrive.
	byTG := map[string]float64{}
	for _, p := range got["aws_applicationelb_request_count_sum"] {
		byTG[p.Attrs["target_group"]] = p.Value
		if p.Attrs["service"] != "elb" || p.Attrs["load_balancer"] != "app/web/50dc6c495c0c9188" {
			t.Errorf("request_count_sum attributes = %v, want service=elb and the load balancer", p.Attrs)
		}
		if p.TimeUnixNano != uint64(ts.UnixNano()) {
			t.Errorf("timestamp = %s, want the CloudWatch timestamp %s", time.Unix(0, int64(p.TimeUnixNano)).UTC(), ts.UTC())
		}
		// honor_labels false: the exporter's job label is kept as
		// exported_job; instance="" is an absent label in Prometheus.
		if p.Attrs["exported_job"] != "aws_applicationelb" || p.Attrs["job"] != "" || p.Attrs["instance"] != "" {
			t.Errorf("job labels = %v", p.Attrs)
		}
	}
	if byTG[""] != 1234 || byTG["targetgroup/web/73e2d6bc24d8a067"] != 1000 || byTG["targetgroup/api/1a2b3c4d5e6f7081"] != 234 {
		t.Errorf("request_count_sum values by target group = %v", byTG)
	}
	for _, name := range []string{"aws_networkelb_new_flow_count_sum", "aws_elb_latency_p99", "aws_applicationelb_target_response_time_p99"} {
		if ps := got[name]; len(ps) == 0 || ps[0].Attrs["service"] != "elb" {
			t.Errorf("%s = %+v, want a point with service=elb", name, ps)
		}
	}
	if ps := got["aws_networkelb_new_flow_count_sum"]; len(ps) > 0 && ps[0].Value != 5.1234e7 {
		t.Errorf("new_flow_count_sum = %v", ps[0].Value)
	}

	// Self-metrics are kept without service=elb; the JVM's are dropped.
	if ps := got["cloudwatch_exporter_scrape_error"]; len(ps) == 0 || ps[0].Attrs["service"] != "" {
		t.Errorf("cloudwatch_exporter_scrape_error = %+v", ps)
	}
	if _, ok := got["jvm_memory_bytes_used"]; ok {
		t.Error("jvm_memory_bytes_used was not dropped")
	}

	// Resource: OTEL_RESOURCE_ATTRIBUTES (decoded, overriding the scrape
	// job's service.name) on top of what the receiver sets.
	res := got["aws_applicationelb_request_count_sum"][0].Resource
	want := map[string]string{"service.name": "elb-metrics", "deployment.environment.name": "test env", "team": "sre,obs",
		"service.instance.id": cc.ExporterAddress}
	for k, v := range want {
		if res[k] != v {
			t.Errorf("resource %s = %q, want %q (resource %v)", k, res[k], v, res)
		}
	}

	// The header value comes from the environment, and the body is gzip.
	h := recv.Headers(0)
	errs := recv.Errors()
	if h.Get("X-Api-Key") != "s3cr3t-key" || h.Get("Content-Encoding") != "gzip" || h.Get("Content-Type") != "application/x-protobuf" {
		t.Errorf("request headers = %v", h)
	}
	if len(errs) > 0 {
		t.Errorf("receiver errors: %v", errs)
	}

	resp, err := http.Get("http://" + health + "/")
	if err != nil {
		t.Errorf("health check: %v", err)
	} else {
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("health check status %d", resp.StatusCode)
		}
	}

	if err := proc.stop(15 * time.Second); err != nil {
		t.Errorf("stop: %v", err)
	}
	t.Logf("first OTLP delivery after %s; whole run %s", firstDelivery.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}
