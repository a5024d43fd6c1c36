package elbmetrics

// RenderExporter renders the exporter config (YAML) of c. For
// CloudWatchExporter (the default) it is the prometheus/cloudwatch_exporter
// config: the global period, range and delay, GetMetricData on or off, CloudWatch
// timestamps on the samples, a warning for a rule ListMetrics finds nothing
// for, list_metrics_cache_ttl when a rule needs ListMetrics, and one metrics[]
// entry per rule (see Rules).
//
// For Exporter YACE it returns RenderYACE(c).
func RenderExporter(c ExporterConfig) ([]byte, error) {
	if c.Exporter == YACE {
		return RenderYACE(c)
	}
	rules, err := c.Rules()
	if err != nil {
		return nil, err
	}
	c = c.withDefaults()
	metrics := make([]any, len(rules))
	for i, r := range rules {
		m := map[string]any{
			"aws_namespace":   r.Namespace,
			"aws_metric_name": r.Metric,
			"aws_dimensions":  []string(r.Dimensions),
		}
		// With aws_statistics absent the exporter fetches all five unless
		// extended statistics are set: Rules never renders an empty pair.
		if len(r.Statistics) > 0 {
			m["aws_statistics"] = r.Statistics
		}
		if len(r.ExtendedStatistics) > 0 {
			m["aws_extended_statistics"] = r.ExtendedStatistics
		}
		if len(r.DimensionSelect) > 0 {
			m["aws_dimension_select"] = r.DimensionSelect
		}
		metrics[i] = m
	}
	doc := map[string]any{
		"region":                        c.Region,
		"period_seconds":                c.PeriodSeconds,
		"range_seconds":                 c.RangeSeconds,
		"delay_seconds":                 c.DelaySeconds,
		"set_timestamp":                 true,
		"use_get_metric_data":           c.UseGetMetricData,
		"warn_on_empty_list_dimensions": true,
		"metrics":                       metrics,
	}
	if needsListMetrics(rules) {
		doc["list_metrics_cache_ttl"] = c.ListMetricsCacheTTLSeconds
	}
	return marshalYAML(doc)
}

// NeedsListMetrics reports whether the exporter calls cloudwatch:ListMetrics
// for c: when a rule's dimension values are not all pinned (no Targets, or an
// Availability Zone level). The task role needs cloudwatch:ListMetrics only
// then. It is true for a config Rules rejects, the safe answer for IAM.
func NeedsListMetrics(c ExporterConfig) bool {
	if c.Exporter == YACE {
		return true // customNamespace jobs list the namespace
	}
	rules, err := c.Rules()
	if err != nil {
		return true
	}
	return needsListMetrics(rules)
}

func needsListMetrics(rules []Rule) bool {
	for _, r := range rules {
		if !r.complete() {
			return true
		}
	}
	return false
}
