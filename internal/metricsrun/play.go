package metricsrun

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/elb-otel/elb-otel/constructs/elbmetrics"
	"github.com/elb-otel/elb-otel/constructs/metricscollector"
	"github.com/elb-otel/elb-otel/internal/ecstask"
	"github.com/elb-otel/elb-otel/internal/localaws"
	"github.com/elb-otel/elb-otel/internal/metricscheck"
	"github.com/elb-otel/elb-otel/internal/otlptest"
)

// Outcome is what Play saw.
type Outcome struct {
	Steps  []ecstask.Step
	Result metricscheck.Result
	// Percentiles are the asked percentile series (moto has none).
	Percentiles []string
	Rounds      []metricscheck.Round
	Points      []otlptest.Point
	Want        metricscheck.Want
	YACE        ecstask.Usage
	Collector   ecstask.Usage
	Health      string
	Played      time.Duration
}

// playerOptions maps the pinned images to the binaries built from the same
// versions, and stands the recorder in for the AWS endpoint of the task
// role's credentials.
func (r *Run) playerOptions(dir string) ecstask.Options {
	env := localaws.MergeEnv([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, r.Moto.EnvVars())
	env = localaws.MergeEnv(env, map[string]string{"AWS_ENDPOINT_URL": r.recSrv.URL})
	return ecstask.Options{
		Images: map[string]string{
			metricscollector.DefaultYACEImage:      r.opts.YACE,
			metricscollector.DefaultCollectorImage: r.opts.Otelcol,
		},
		NotRunnable: map[string]string{
			metricscollector.DefaultExporterImage: "the Java cloudwatch_exporter needs a JVM and Maven dependencies no registry here serves; its wiring is checked from the task definition",
		},
		Secrets: r.Moto.SecretsManager(),
		Dir:     dir,
		Env:     env,
		// Parallel collectors on one machine would fight over port 8888.
		ExtraArgs: map[string][]string{"otel-collector": {"--config=yaml:service::telemetry::metrics::level: none"}},
		Log:       r.opts.Log,
	}
}

// Play runs the deployed YACE task until Periods consecutive periods have
// arrived at the receiver, stops it, and checks what arrived.
func (r *Run) Play(ctx context.Context, interval time.Duration) (*Outcome, error) {
	t0 := time.Now()
	opts := r.playerOptions(filepath.Join(r.opts.Work, "task"))
	opts.BeforeStart = func(ctx context.Context, name string) error {
		if name != "yace" {
			return nil
		}
		return r.phaseYACE(ctx, interval)
	}
	task, err := ecstask.Start(ctx, r.Def, opts, 2*interval)
	if err != nil {
		return nil, err
	}
	r.Task = task
	out := &Outcome{Steps: task.Steps}
	r.logf("task %s:%d played here:", r.Def.Family, r.Def.Revision)
	ecstask.PrintPlan(r.opts.Log, task.Steps)
	if err := r.waitPeriods(ctx, interval); err != nil {
		return nil, err
	}
	out.YACE, _ = task.Usage("yace")
	out.Collector, _ = task.Usage("otel-collector")
	out.Health = task.Health("yace")
	r.Task = nil
	if err := task.Stop(); err != nil {
		return nil, err
	}
	out.Played = time.Since(t0)
	r.Took["play"] = out.Played
	out.Want, out.Percentiles, err = r.want(interval)
	if err != nil {
		return nil, err
	}
	out.Rounds, out.Points = r.Recorder.Rounds(), r.Receiver.Points()
	out.Result = metricscheck.Check(r.Data, out.Rounds, out.Points, out.Want)
	return out, nil
}

// phaseYACE starts YACE's timer half a period away from the collector's.
// YACE rounds on its own timer and serves the last round; the collector
// scrapes on another timer of the same period. When a scrape falls while a
// round finishes, which registry it gets varies from round to round, and one
// period can arrive twice and the next never (the README's limits). YACE
// also computes each request's window when it sends it, so a round that
// straddles a period boundary reads two periods. The collector's phase shows
// in its first scrape (its `up` point at the receiver, sent with the target
// still down); YACE then starts half a period later, kept clear of the
// period boundary by roundBudget.
func (r *Run) phaseYACE(ctx context.Context, interval time.Duration) error {
	const roundBudget = 15 * time.Second
	deadline := time.Now().Add(interval + 15*time.Second)
	var scrape time.Time
	for scrape.IsZero() {
		for _, p := range r.Receiver.Points() {
			if p.Metric == "up" {
				scrape = p.Time()
				break
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("metricsrun: the collector sent no `up` point within %s: it is not scraping", interval+15*time.Second)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	phase := time.Duration(scrape.UnixNano()) % interval
	start := (phase + interval/2) % interval
	start = min(max(start, time.Second), interval-roundBudget)
	now := time.Now()
	at := now.Truncate(interval).Add(start)
	if !at.After(now) {
		at = at.Add(interval)
	}
	r.logf("  the collector scrapes at :%02d past each period; YACE starts at %s (:%02d), half a period away and clear of the period boundary",
		int(phase/time.Second), at.UTC().Format("15:04:05"), int(start/time.Second))
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Until(at)):
	}
	return nil
}

// waitPeriods waits until the rounds have read Periods periods and the
// newest one has arrived at the receiver, or fails after Periods+3 periods.
func (r *Run) waitPeriods(ctx context.Context, interval time.Duration) error {
	deadline := time.Now().Add(time.Duration(r.opts.Periods+3) * interval)
	seen := 0
	for {
		if name, err := r.Task.Exited(); name != "" {
			return err
		}
		buckets := metricscheck.Buckets(r.Recorder.Rounds(), interval, elbmetrics.DefaultDelaySeconds*time.Second)
		if len(buckets) > seen {
			seen = len(buckets)
			r.logf("  %s: YACE round %d reads the period %s", time.Now().UTC().Format("15:04:05"), seen, buckets[seen-1].Format("15:04"))
		}
		if len(buckets) >= r.opts.Periods && r.arrived(buckets[len(buckets)-1]) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("metricsrun: %d periods read and the newest not delivered within %s; yace said:\n%s\ncollector said:\n%s",
				len(buckets), time.Duration(r.opts.Periods+3)*interval, r.Task.Output("yace"), r.Task.Output("otel-collector"))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// arrived reports whether the receiver has a RequestCount point of period b.
func (r *Run) arrived(b time.Time) bool {
	for _, p := range r.Receiver.Points() {
		if p.Metric == "aws_applicationelb_request_count_sum" && p.Time().Equal(b) {
			return true
		}
	}
	return false
}

// yaceConfig is the part of the YACE config the check reads back.
type yaceConfig struct {
	CustomNamespace []struct {
		Namespace      string   `yaml:"namespace"`
		DimensionNames []string `yaml:"dimensionNameRequirements"`
		Metrics        []struct {
			Name       string   `yaml:"name"`
			Statistics []string `yaml:"statistics"`
		} `yaml:"metrics"`
	} `yaml:"customNamespace"`
}

// want reads the exporter config the task definition carries (the config
// writer's EXPORTER_CONFIG) and lists every metric-statistic-set it asks for
// in the data's namespace, with the name its series arrive under.
func (r *Run) want(interval time.Duration) (metricscheck.Want, []string, error) {
	w := metricscheck.Want{Period: interval, Delay: elbmetrics.DefaultDelaySeconds * time.Second,
		Resource: map[string]string{"service.name": elbmetrics.ScrapeJobName, "service.instance.id": "127.0.0.1:5000"}}
	writer, ok := r.Def.Container("config-writer")
	raw, okEnv := writer.Env("EXPORTER_CONFIG")
	if !ok || !okEnv {
		return w, nil, fmt.Errorf("metricsrun: the task definition has no config-writer with EXPORTER_CONFIG")
	}
	var cfg yaceConfig
	if err := yaml.Unmarshal([]byte(raw), &cfg); err != nil {
		return w, nil, fmt.Errorf("metricsrun: EXPORTER_CONFIG: %w", err)
	}
	var percentiles []string
	for _, j := range cfg.CustomNamespace {
		if j.Namespace != metricscheck.Namespace {
			continue
		}
		for _, m := range j.Metrics {
			for _, s := range m.Statistics {
				name := PromName(m.Name, s)
				if strings.HasPrefix(s, "p") {
					percentiles = append(percentiles, name+" "+strings.Join(j.DimensionNames, ","))
					continue
				}
				w.Asked = append(w.Asked, metricscheck.Asked{Metric: m.Name, Set: j.DimensionNames, Stat: s, Name: name})
			}
		}
	}
	return w, percentiles, nil
}

// PromName is the name an AWS/ApplicationELB metric-statistic arrives under:
// aws_applicationelb_, the metric in snake case (an underscore before each
// capital that follows a lower-case letter or digit), _, the statistic in
// lower case.
func PromName(metric, stat string) string {
	var b strings.Builder
	for i := 0; i < len(metric); i++ {
		c := metric[i]
		if i > 0 && c >= 'A' && c <= 'Z' {
			if p := metric[i-1]; (p >= 'a' && p <= 'z') || (p >= '0' && p <= '9') {
				b.WriteByte('_')
			}
		}
		b.WriteByte(c)
	}
	return "aws_applicationelb_" + strings.ToLower(b.String()) + "_" + strings.ToLower(stat)
}
