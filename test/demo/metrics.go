package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/elb-otel/elb-otel/constructs/elbmetrics"
	"github.com/elb-otel/elb-otel/internal/metricsrun"
	"github.com/elb-otel/elb-otel/internal/otlptest"
)

// lineWriter prefixes each narration line with the demo's clock.
type lineWriter struct{ d *demo }

func (w lineWriter) Write(p []byte) (int, error) {
	for _, l := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		w.d.say("%s", l)
	}
	return len(p), nil
}

// metrics shows the metrics path: ELB datapoints in (moto's) CloudWatch,
// the ElbOtelMetrics stack deployed with YACE and a one-minute period, its
// task definition played here, and the OTLP metrics that arrive, checked.
func (d *demo) metrics(ctx context.Context, root string) error {
	fmt.Fprintln(d.out)
	fmt.Fprintln(d.out, "Metrics: CloudWatch -> YACE -> the OpenTelemetry Collector -> OTLP, the deployed task definition played")
	fmt.Fprintln(d.out, "as local processes (YACE and the collector built from the Go module proxy; a one-minute period for the demo).")
	work, err := os.MkdirTemp("", "elb-otel-demo-metrics-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	r, err := metricsrun.Start(ctx, metricsrun.Options{Root: root, Work: work, Log: lineWriter{d}, Periods: 2,
		Otelcol: os.Getenv("ELB_OTEL_OTELCOL"), YACE: os.Getenv("ELB_OTEL_YACE")})
	if err != nil {
		return err
	}
	d.pids["moto_server (metrics)"] = r.Moto.Pid()
	defer func() { r.Close(); d.say("metrics: task stopped, moto_server stopped") }()
	if err := r.Deploy(ctx, elbmetrics.YACE, time.Minute); err != nil {
		return err
	}
	out, err := r.Play(ctx, time.Minute)
	if err != nil {
		return err
	}
	printMetrics(d, out.Points)
	d.say("check: %s", out.Result.Summary())
	for _, p := range out.Result.Problems {
		d.say("  problem: %s", p)
	}
	d.say("yace: peak RSS %.1f MiB, %.0f ms CPU a round; collector: peak RSS %.1f MiB",
		float64(out.YACE.PeakRSSKiB)/1024, float64(out.YACE.CPU.Milliseconds())/float64(max(len(out.Result.Buckets), 1)), float64(out.Collector.PeakRSSKiB)/1024)
	if len(out.Result.Problems) > 0 {
		return fmt.Errorf("metrics: the check found %d problems", len(out.Result.Problems))
	}
	return nil
}

// printMetrics prints the RequestCount sums and the response-time averages
// as they arrived, period by period.
func printMetrics(d *demo, points []otlptest.Point) {
	var lines []string
	for _, p := range points {
		if p.Metric != "aws_applicationelb_request_count_sum" && p.Metric != "aws_applicationelb_target_response_time_average" {
			continue
		}
		where := p.Attrs["load_balancer"]
		if tg := p.Attrs["target_group"]; tg != "" {
			where += " " + tg
		}
		lines = append(lines, fmt.Sprintf("%s  %-48s %-60s %g  (service=%s, resource service.name=%s)",
			p.Time().Format("15:04"), p.Metric, where, p.Value, p.Attrs["service"], p.Resource["service.name"]))
	}
	sort.Strings(lines)
	d.say("arrived at the OTLP receiver (CloudWatch timestamp, metric, dimensions, value):")
	for _, l := range lines {
		fmt.Fprintf(d.out, "          %s\n", l)
	}
}
