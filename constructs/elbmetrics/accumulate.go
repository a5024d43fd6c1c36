package elbmetrics

import (
	"slices"
	"sort"
	"strings"
)

// accumulator merges the statistics asked for each (type, metric, set).
type accumulator struct {
	entries map[string]*accEntry
}

type accEntry struct {
	metric   Metric
	set      DimensionSet
	stats    map[string]bool
	extended map[string]bool
}

func newAccumulator() *accumulator { return &accumulator{entries: map[string]*accEntry{}} }

func (a *accumulator) add(m Metric, set DimensionSet, stats, ext []string) {
	k := string(m.Type) + "|" + m.Name + "|" + set.key()
	e := a.entries[k]
	if e == nil {
		e = &accEntry{metric: m, set: set, stats: map[string]bool{}, extended: map[string]bool{}}
		a.entries[k] = e
	}
	for _, s := range stats {
		e.stats[s] = true
	}
	for _, s := range ext {
		e.extended[s] = true
	}
}

// rules renders the accumulated entries. Without targets of the type, one
// rule per entry (ListMetrics discovers the values). With targets: a set of
// load balancer or target group dimensions only is pinned completely, one
// rule per load balancer when it holds both (so no load balancer is paired
// with another's target group); a set with AvailabilityZone pins the load
// balancer and target group values and lets ListMetrics find the zones.
func (a *accumulator) rules(targets map[LoadBalancerType][]Target) []Rule {
	var out []Rule
	for _, e := range a.entries {
		base := Rule{
			Namespace:          e.metric.Type.Namespace(),
			Metric:             e.metric.Name,
			Dimensions:         slices.Clone(e.set),
			Statistics:         sortStatistics(keys(e.stats)),
			ExtendedStatistics: sortPercentiles(keys(e.extended)),
		}
		ts := targets[e.metric.Type]
		if len(ts) == 0 {
			out = append(out, base)
			continue
		}
		var lbs, tgs []string
		for _, t := range ts {
			lbs = append(lbs, t.LoadBalancer)
			tgs = append(tgs, t.TargetGroups...)
		}
		sort.Strings(tgs)
		tgs = slices.Compact(tgs)
		lbDim := DimLoadBalancer
		if e.metric.Type == Classic {
			lbDim = DimLoadBalancerName
		}
		hasLB, hasTG := e.set.Has(lbDim), e.set.Has(DimTargetGroup)
		switch {
		case hasLB && hasTG && !e.set.Has(DimAvailabilityZone):
			for _, t := range ts {
				if len(t.TargetGroups) == 0 {
					continue
				}
				r := base.clone()
				r.DimensionSelect = map[string][]string{lbDim: {t.LoadBalancer}, DimTargetGroup: slices.Clone(t.TargetGroups)}
				out = append(out, r)
			}
		default:
			r := base.clone()
			r.DimensionSelect = map[string][]string{}
			if hasLB {
				r.DimensionSelect[lbDim] = slices.Clone(lbs)
			}
			if hasTG {
				if len(tgs) == 0 {
					continue // no target names a target group: nothing to query
				}
				r.DimensionSelect[DimTargetGroup] = tgs
			}
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].less(out[j]) })
	return out
}

func (r Rule) clone() Rule {
	c := r
	c.Dimensions = slices.Clone(r.Dimensions)
	c.Statistics = slices.Clone(r.Statistics)
	c.ExtendedStatistics = slices.Clone(r.ExtendedStatistics)
	if r.DimensionSelect != nil {
		c.DimensionSelect = map[string][]string{}
		for k, v := range r.DimensionSelect {
			c.DimensionSelect[k] = slices.Clone(v)
		}
	}
	return c
}

func (r Rule) less(o Rule) bool {
	if r.Namespace != o.Namespace {
		return r.Namespace < o.Namespace
	}
	if r.Metric != o.Metric {
		return r.Metric < o.Metric
	}
	if len(r.Dimensions) != len(o.Dimensions) {
		return len(r.Dimensions) < len(o.Dimensions)
	}
	if r.Dimensions.key() != o.Dimensions.key() {
		return r.Dimensions.key() < o.Dimensions.key()
	}
	return selectKey(r.DimensionSelect) < selectKey(o.DimensionSelect)
}

func selectKey(m map[string][]string) string {
	var parts []string
	for _, k := range keys(m) {
		parts = append(parts, k+"="+strings.Join(m[k], ","))
	}
	return strings.Join(parts, ";")
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortPercentiles(in []string) []string {
	sort.SliceStable(in, func(i, j int) bool {
		vi, vj := percentileValue(in[i]), percentileValue(in[j])
		if vi != vj {
			return vi < vj
		}
		return in[i] < in[j]
	})
	if len(in) == 0 {
		return nil
	}
	return in
}
