package elbmetrics

import (
	"errors"
	"fmt"
)

// Level is a granularity at which metrics are rendered.
type Level string

const (
	// LevelLoadBalancer renders each metric per load balancer: {LoadBalancer}
	// ({LoadBalancerName} for Classic).
	LevelLoadBalancer Level = "load-balancer"
	// LevelTargetGroup renders each metric per target group:
	// {LoadBalancer, TargetGroup}, or {TargetGroup} for the metrics published
	// only per target group. Classic Load Balancers have no target groups.
	LevelTargetGroup Level = "target-group"
	// LevelAvailabilityZone adds the per-Availability-Zone variant of the other
	// chosen levels ({AvailabilityZone, LoadBalancer}, {AvailabilityZone,
	// LoadBalancer, TargetGroup}, ...). It multiplies series and cost by the
	// number of zones, and always needs ListMetrics (zones are not known at
	// synth time).
	LevelAvailabilityZone Level = "availability-zone"
)

// Selection chooses the metrics to render.
type Selection struct {
	// Preset is the base set of metrics. Default: PresetDefault.
	Preset Preset
	// Levels are the dimension sets to render preset metrics at; a metric is
	// rendered at each chosen level it is published under, and skipped at the
	// others. Default: {LevelLoadBalancer, LevelTargetGroup}.
	Levels []Level
	// Add requests extra metrics (or extra statistics or dimension sets for
	// preset metrics); each is validated against the catalogue.
	Add []MetricRequest
	// Drop names preset metrics to leave out, for every type.
	Drop []string
}

// MetricRequest asks for one metric beyond the preset.
type MetricRequest struct {
	Type LoadBalancerType
	Name string
	// Dimensions is the exact published dimension set to fetch, in any order.
	// Default: the selection's levels, where the metric is published.
	Dimensions DimensionSet
	// Statistics and ExtendedStatistics to fetch. Default: the catalogue's
	// meaningful statistics and default percentiles for the metric.
	Statistics, ExtendedStatistics []string
}

// Target names one load balancer to query, by its CloudWatch dimension
// values: the ARN suffix app/<name>/<id> (ALB) or net/<name>/<id> (NLB), as
// CDK's LoadBalancerFullName returns it, or the name of a Classic Load
// Balancer; target groups as targetgroup/<name>/<id> (TargetGroupFullName).
type Target struct {
	Type         LoadBalancerType
	LoadBalancer string
	TargetGroups []string
}

// ExporterConfig is everything the exporter's config is rendered from.
type ExporterConfig struct {
	// Exporter is the exporter the config is for. Default: CloudWatchExporter.
	Exporter ExporterKind
	// Region is the AWS region of the load balancers (may be a CDK token).
	Region string
	// PeriodSeconds is the CloudWatch period; it must equal the collector's
	// scrape interval and be a multiple of 60, at least 120 for
	// cloudwatch_exporter (its window is period-60 long) and at least 60 for
	// YACE. Default: 300.
	PeriodSeconds int
	// DelaySeconds is how far behind now the window ends, so CloudWatch has
	// converged on the values (ConsumedLCUs may lag 30 minutes). Default (0):
	// 600.
	DelaySeconds int
	// RangeSeconds is the length of the window each scrape reads. For
	// cloudwatch_exporter it must be PeriodSeconds-60. Default:
	// PeriodSeconds-60 (240 for 300); for YACE, PeriodSeconds (YACE aligns
	// the window to the period itself: see RenderYACE).
	//
	// The exporter asks for [now-delay-range, now-delay) and keeps only the
	// newest datapoint. CloudWatch rounds the start down to the minute and
	// aligns its period buckets to that start, and returns a partial last
	// bucket. With range = period-60 the window always holds exactly one
	// bucket start, and (start rounding included) the five one-minute ELB
	// datapoints of that bucket; consecutive scrapes one period apart read
	// adjacent buckets: nothing is missed and nothing is read twice. A range
	// of period or more makes the newest datapoint a partial bucket (one
	// minute of five: a 5x undercount, the original guide's bug in another
	// form) and, for sparse metrics, re-exports an older bucket; a shorter
	// range drops minutes.
	RangeSeconds int
	// UseGetMetricData selects GetMetricData (billed per metric-statistic,
	// batched 500 queries a request; the default, which the metrics
	// construct sets) over GetMetricStatistics (one request per rule and
	// dimension combination, in the free API tier). The zero value, false,
	// selects GetMetricStatistics.
	UseGetMetricData bool
	// ListMetricsCacheTTLSeconds caches ListMetrics results when a rule needs
	// them (discovery, Availability Zone levels). Default: 3600.
	ListMetricsCacheTTLSeconds int
	// Targets are the load balancers to query; with them the load balancer
	// and target group dimensions are pinned with aws_dimension_select and no
	// ListMetrics call is made for them. Default: every load balancer of Types
	// that CloudWatch lists (ListMetrics, cached ListMetricsCacheTTLSeconds).
	Targets []Target
	// Types are the load balancer types to query when Targets is empty (with
	// Targets, the targets' types are used). Default: all three.
	Types []LoadBalancerType
	// Selection chooses the metrics. Default: PresetDefault at the load
	// balancer and target group levels.
	Selection Selection

	// defaultLevels records that Selection.Levels was defaulted (set by
	// withDefaults), so target-group rules are skipped, not demanded, for a
	// load balancer without target groups.
	defaultLevels bool
}

// Rule is one rendered metrics[] entry of the exporter config.
type Rule struct {
	Namespace, Metric  string
	Dimensions         DimensionSet
	Statistics         []string
	ExtendedStatistics []string
	// DimensionSelect pins dimension values (aws_dimension_select). When it
	// names every dimension of the set, the exporter requests exactly those
	// combinations without ListMetrics; otherwise ListMetrics lists the set
	// and the values filter it.
	DimensionSelect map[string][]string
}

// complete reports whether DimensionSelect names every dimension, so the
// exporter makes no ListMetrics call for the rule.
func (r Rule) complete() bool {
	for _, d := range r.Dimensions {
		if len(r.DimensionSelect[d]) == 0 {
			return false
		}
	}
	return len(r.Dimensions) > 0
}

// Defaults.
const (
	DefaultPeriodSeconds              = 300
	DefaultDelaySeconds               = 600
	DefaultListMetricsCacheTTLSeconds = 3600
)

// withDefaults returns c with its defaults filled in.
func (c ExporterConfig) withDefaults() ExporterConfig {
	if c.PeriodSeconds == 0 {
		c.PeriodSeconds = DefaultPeriodSeconds
	}
	if c.DelaySeconds == 0 {
		c.DelaySeconds = DefaultDelaySeconds
	}
	if c.Exporter == "" {
		c.Exporter = CloudWatchExporter
	}
	if c.RangeSeconds == 0 {
		c.RangeSeconds = c.PeriodSeconds - 60
		if c.Exporter == YACE {
			c.RangeSeconds = c.PeriodSeconds
		}
	}
	if c.ListMetricsCacheTTLSeconds == 0 {
		c.ListMetricsCacheTTLSeconds = DefaultListMetricsCacheTTLSeconds
	}
	if c.Selection.Preset == "" {
		c.Selection.Preset = PresetDefault
	}
	if len(c.Selection.Levels) == 0 {
		c.Selection.Levels = []Level{LevelLoadBalancer, LevelTargetGroup}
		c.defaultLevels = true
	}
	return c
}

// Rules resolves the selection into exporter rules, sorted by namespace,
// metric and dimension set (fewest dimensions first). It reports every problem at once (errors.Join);
// each message names the field, the value and how to fix it.
func (c ExporterConfig) Rules() ([]Rule, error) {
	c = c.withDefaults()
	var errs []error
	fail := func(format string, a ...any) { errs = append(errs, fmt.Errorf("elbmetrics: "+format, a...)) }

	c.validateTiming(fail)
	types := c.usedTypes(fail)
	levels := c.validateLevels(fail)
	targets := c.validateTargets(fail, levels)

	sel := c.Selection
	if _, ok := presetMetrics(sel.Preset, Application); !ok {
		fail("Selection.Preset %q is unknown: use %q, %q or %q", sel.Preset, PresetDefault, PresetGoldenSignals, PresetAll)
	}

	// acc merges the statistics asked per (type, metric, dimension set).
	acc := newAccumulator()
	dropped := c.validateDrops(fail, types)
	for _, t := range types {
		pms, _ := presetMetrics(sel.Preset, t)
		for _, p := range pms {
			if dropped[p.name] {
				continue
			}
			m, ok := lookup(t, p.name)
			if !ok {
				panic("elbmetrics: preset names unknown metric " + p.name) // guarded by tests
			}
			for _, set := range levelSets(m, levels) {
				acc.add(m, set, p.stats, p.extended)
			}
		}
	}
	for i, r := range sel.Add {
		c.addRequest(fail, acc, i, r, types, levels, dropped, targets)
	}

	rules := acc.rules(targets)
	if len(errs) == 0 && len(rules) == 0 {
		fail("the selection renders no metric (preset %q, levels %v, %d dropped): add metrics or choose other levels", sel.Preset, sel.Levels, len(sel.Drop))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return rules, nil
}
