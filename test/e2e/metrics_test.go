//go:build e2e

package e2e

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/elb-otel/elb-otel/constructs/elbmetrics"
	"github.com/elb-otel/elb-otel/internal/metricscheck"
	"github.com/elb-otel/elb-otel/internal/metricsrun"
)

// binary returns the binary `make` exported in env, or fails with a hint.
func binary(t *testing.T, env, target string) string {
	t.Helper()
	p := os.Getenv(env)
	if p == "" {
		t.Fatalf("$%s is not set: run this test through `make e2e`, which builds `make %s` once and exports its path", env, target)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%v: run `make %s`", err, target)
	}
	return p
}

// TestMetricsDeployPlayCheck deploys ElbOtelMetrics with YACE into moto,
// plays its task definition here (config writer, YACE v0.62.1 and the
// collector, built from the Go module proxy) against known CloudWatch data,
// and checks every period and every metric-statistic at the OTLP receiver:
// once, with the exact value, the CloudWatch timestamp, the resource and
// service=elb. Then it redeploys with the Java exporter and checks that
// task's wiring.
func TestMetricsDeployPlayCheck(t *testing.T) {
	t.Parallel()
	started := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	var log strings.Builder
	r, err := metricsrun.Start(ctx, metricsrun.Options{
		Root: repoRoot(t), Work: t.TempDir(), Log: &log, Periods: 4,
		Otelcol: binary(t, "ELB_OTEL_OTELCOL", "otelcol"), YACE: binary(t, "ELB_OTEL_YACE", "yace"),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer func() { t.Logf("narration:\n%s", log.String()) }()

	// The test's one change to the defaults: a one-minute period and scrape
	// interval, through the construct's props (the context key).
	interval := time.Minute
	if err := r.Deploy(ctx, elbmetrics.YACE, interval); err != nil {
		t.Fatal(err)
	}
	out, err := r.Play(ctx, interval)
	if err != nil {
		t.Fatal(err)
	}
	checkOutcome(t, r, out)

	// The Java exporter: the same stack redeployed with the default exporter.
	if err := r.Deploy(ctx, elbmetrics.CloudWatchExporter, 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	problems, checked, err := r.JavaWiring(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checked {
		t.Logf("java exporter: %s", c)
	}
	for _, p := range problems {
		t.Errorf("java exporter wiring: %s", p)
	}
	t.Logf("metrics end to end: %.1fs wall (%s)", time.Since(started).Seconds(), took(r.Took))
}

func checkOutcome(t *testing.T, r *metricsrun.Run, out *metricsrun.Outcome) {
	t.Helper()
	res := out.Result
	t.Logf("check: %s", res.Summary())
	for _, p := range res.Problems {
		t.Errorf("check: %s", p)
	}
	// The default preset asks 9 metric-statistic-sets the data has (Sum of
	// RequestCount and HTTPCode_Target_5XX_Count per load balancer and
	// target group, ConsumedLCUs Average and Maximum, HealthyHostCount
	// Minimum, UnHealthyHostCount Minimum and Maximum).
	if len(res.Buckets) < 4 || res.Series < 9 {
		t.Errorf("too little was checked: %s", res.Summary())
	}
	// moto has no percentile statistics, and a GetMetricData request with one
	// percentile query fails whole (500): the run drops TargetResponseTime
	// through elb-otel:metricsDropMetrics, so no percentile is asked here;
	// the config goldens cover their rendering.
	if len(out.Percentiles) > 0 {
		t.Errorf("percentiles asked of moto: %v", out.Percentiles)
	}
	for _, pt := range out.Points {
		if strings.HasPrefix(pt.Metric, "aws_applicationelb_target_response_time") {
			t.Errorf("%s arrived, but TargetResponseTime was dropped", pt.Metric)
			break
		}
	}
	t.Logf("moto shortfall met: no percentile statistics, and a GetMetricData request with a percentile query fails whole (HTTP 500); the run drops TargetResponseTime (-c elb-otel:metricsDropMetrics=TargetResponseTime) and checks it never arrives")
	t.Logf("moto quirk avoided: PutMetricData with the SDK's request compression off (moto cannot read gzip bodies over 10 KB)")
	t.Logf("moto quirk not met: YACE rounds the window to the period itself, so moto not rounding GetMetricData's StartTime changes nothing (each round asked exactly one whole period: checked)")
	h := r.Receiver.Headers(0)
	if h.Get("Api-Key") != metricsrun.HeaderValue {
		t.Errorf("the api-key header from Secrets Manager (ECS secrets) did not arrive: %v", h)
	}
	u := out.YACE
	rounds := len(res.Buckets)
	t.Logf("yace: peak RSS %.1f MiB (limit %d MiB), CPU %.2fs over %d rounds (%.0f ms a round), health %s after %d checks; collector peak RSS %.1f MiB (limit %d MiB), CPU %.2fs",
		float64(u.PeakRSSKiB)/1024, u.MemoryMiB, u.CPU.Seconds(), rounds, float64(u.CPU.Milliseconds())/float64(max(rounds, 1)), out.Health, u.HealthChecks,
		float64(out.Collector.PeakRSSKiB)/1024, out.Collector.MemoryMiB, out.Collector.CPU.Seconds())
	if out.Health != "HEALTHY" {
		t.Errorf("yace health = %s", out.Health)
	}
	calls := r.Recorder.Calls()
	t.Logf("AWS calls the exporter made (through the recorder): %v", calls)
	granted := map[string]bool{"GetMetricData": true, "ListMetrics": true, "ListAccountAliases": true, "GetCallerIdentity": true}
	for action := range calls {
		if !granted[action] {
			t.Errorf("the exporter called %s, which its role is not granted (calls %v)", action, calls)
		}
	}
	if calls["GetMetricData"] == 0 || calls["ListMetrics"] == 0 {
		t.Errorf("the exporter's calls %v lack ListMetrics or GetMetricData", calls)
	}

	// The planted off-by-one, on the real run: the same rounds and points,
	// judged against a delay or a range one period off, fail the check.
	planted := map[string]struct {
		rounds []metricscheck.Round
		want   metricscheck.Want
	}{
		"delay one period long": {out.Rounds, withDelay(out.Want, out.Want.Delay+out.Want.Period)},
		"range one period long": {withRange(out.Rounds), out.Want},
	}
	for name, p := range planted {
		if res := metricscheck.Check(r.Data, p.rounds, out.Points, p.want); len(res.Problems) == 0 {
			t.Errorf("planted %s: the check did not catch it", name)
		} else {
			t.Logf("planted %s on the real run: caught (%d problems; first: %s)", name, len(res.Problems), res.Problems[0])
		}
	}
}

func withDelay(w metricscheck.Want, d time.Duration) metricscheck.Want {
	w.Delay = d
	return w
}

// withRange returns the rounds as an exporter asking one period more would
// have made them.
func withRange(rounds []metricscheck.Round) []metricscheck.Round {
	out := make([]metricscheck.Round, len(rounds))
	for i, r := range rounds {
		r.Start = r.Start.Add(-(r.End.Sub(r.Start)))
		out[i] = r
	}
	return out
}

func took(m map[string]time.Duration) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, k+" "+v.Round(100*time.Millisecond).String())
	}
	return strings.Join(parts, ", ")
}
