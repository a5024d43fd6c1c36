package elbmetrics

import (
	"fmt"
	"slices"
	"strings"
)

// ExporterKind names the exporter a config is rendered for.
type ExporterKind string

const (
	// CloudWatchExporter is prometheus/cloudwatch_exporter (Java), the
	// original guide's exporter: listens on 9106.
	CloudWatchExporter ExporterKind = "cloudwatch-exporter"
	// YACE is prometheus-community/yet-another-cloudwatch-exporter (Go):
	// listens on 5000.
	YACE ExporterKind = "yace"
)

// ExporterKinds lists the exporters in a fixed order.
func ExporterKinds() []ExporterKind { return []ExporterKind{CloudWatchExporter, YACE} }

// valid reports whether k is one of the exporters ("" is the default).
func (k ExporterKind) valid() bool { return k == "" || slices.Contains(ExporterKinds(), k) }

// Port is the port the exporter serves /metrics on.
func (k ExporterKind) Port() int {
	if k == YACE {
		return 5000
	}
	return 9106
}

// YACEVersion is the YACE release the configs are rendered for, the tag of
// the image the metrics construct pins and the version the tests build and
// run. v0.62.1 is the newest release whose CloudWatch client speaks the
// query protocol; later ones speak Smithy RPCv2 CBOR.
const YACEVersion = "v0.62.1"

// RenderYACE renders the YACE config (YAML, apiVersion v1alpha1) of c, from
// the same rules as RenderExporter: one customNamespace job per namespace
// and dimension set, whose dimensionNameRequirements match exactly that set
// (ListMetrics, then GetMetricData in batches), each job with period =
// length = PeriodSeconds, delay = DelaySeconds (at the job level: YACE
// ignores a metric's own delay) and the CloudWatch timestamp on the sample.
//
// YACE rounds the window's end down to the period: each round reads the one
// whole bucket [t-delay-period, t-delay) with t = now rounded down to the
// period, and rounds one period apart read adjacent buckets. YACE runs its
// rounds on its own timer (-scraping-interval, which must equal the period)
// and serves the last round's values; the collector scrapes at the same
// interval.
//
// customNamespace jobs match dimension names, not values: YACE lists every
// load balancer of the namespace, and the collector keeps only the Targets'
// (CollectorConfig.KeepLoadBalancers).
func RenderYACE(c ExporterConfig) ([]byte, error) {
	c.Exporter = YACE
	rules, err := c.Rules()
	if err != nil {
		return nil, err
	}
	c = c.withDefaults()
	jobs := yaceJobs(rules)
	out := make([]any, len(jobs))
	for i, j := range jobs {
		metrics := make([]any, len(j.metrics))
		for k, m := range j.metrics {
			metrics[k] = map[string]any{"name": m.name, "statistics": m.stats}
		}
		// Period, length and delay at the job level: v0.62.1 ignores a
		// metric-level delay (and warns), and always rounds to the period.
		out[i] = map[string]any{
			"name":                      j.name,
			"namespace":                 j.namespace,
			"regions":                   []string{c.Region},
			"dimensionNameRequirements": []string(j.set),
			"recentlyActiveOnly":        true,
			"period":                    c.PeriodSeconds,
			"length":                    c.PeriodSeconds,
			"delay":                     c.DelaySeconds,
			"nilToZero":                 false,
			"addCloudwatchTimestamp":    true,
			"metrics":                   metrics,
		}
	}
	return marshalYAML(map[string]any{"apiVersion": "v1alpha1", "customNamespace": out})
}

// YACEArgs returns the YACE command-line arguments for a config file at
// path and a round every periodSeconds: dimension labels in snake case
// (dimension_load_balancer), as the collector expects them.
func YACEArgs(path string, periodSeconds int) []string {
	return []string{
		"-config.file=" + path,
		"-listen-address=127.0.0.1:" + fmt.Sprint(YACE.Port()),
		"-scraping-interval=" + fmt.Sprint(periodSeconds),
		"-labels-snake-case",
	}
}

type yaceJob struct {
	name, namespace string
	set             DimensionSet
	metrics         []yaceMetric
}

type yaceMetric struct {
	name  string
	stats []string
}

// yaceJobs groups the rules by namespace and dimension set, merging the
// statistics of a metric asked for several load balancers. rules are sorted
// by namespace, metric and set, so the jobs and their metrics come out sorted.
func yaceJobs(rules []Rule) []yaceJob {
	var jobs []yaceJob
	index := map[string]int{}
	for _, r := range rules {
		k := r.Namespace + "|" + r.Dimensions.key()
		i, ok := index[k]
		if !ok {
			i = len(jobs)
			index[k] = i
			name := strings.TrimPrefix(r.Namespace, "AWS/") + "-" + strings.Join(r.Dimensions, "-")
			jobs = append(jobs, yaceJob{name: name, namespace: r.Namespace, set: slices.Clone(r.Dimensions)})
		}
		j := &jobs[i]
		stats := append(slices.Clone(r.Statistics), r.ExtendedStatistics...)
		if n := len(j.metrics); n > 0 && j.metrics[n-1].name == r.Metric {
			for _, s := range stats {
				if !slices.Contains(j.metrics[n-1].stats, s) {
					j.metrics[n-1].stats = append(j.metrics[n-1].stats, s)
				}
			}
			continue
		}
		j.metrics = append(j.metrics, yaceMetric{name: r.Metric, stats: stats})
	}
	slices.SortStableFunc(jobs, func(a, b yaceJob) int { return strings.Compare(a.name, b.name) })
	return jobs
}

// APIActions returns the IAM actions the exporter calls for c, sorted:
// cloudwatch_exporter calls GetMetricData or GetMetricStatistics, and
// ListMetrics only when a rule's dimension values are not all pinned; YACE's
// customNamespace jobs always call ListMetrics and GetMetricData, and each
// round reads the account's alias for its account_alias label
// (iam:ListAccountAliases; its sts:GetCallerIdentity needs no permission).
// Neither calls tag:GetResources: no rendered config uses tag discovery.
func APIActions(c ExporterConfig) []string {
	if c.Exporter == YACE {
		return []string{"cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "iam:ListAccountAliases"}
	}
	out := []string{"cloudwatch:GetMetricStatistics"}
	if c.UseGetMetricData {
		out = []string{"cloudwatch:GetMetricData"}
	}
	if NeedsListMetrics(c) {
		out = append(out, "cloudwatch:ListMetrics")
	}
	return out
}
