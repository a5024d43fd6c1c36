package elbmetrics

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// The checks Rules runs: timing, types, levels, targets, drops and added
// metrics, each reporting through fail so every problem is listed at once.

func (c ExporterConfig) validateTiming(fail func(string, ...any)) {
	p := c.PeriodSeconds
	switch {
	case !c.Exporter.valid():
		fail("Exporter %q is unknown: use %q or %q", c.Exporter, CloudWatchExporter, YACE)
	case c.Exporter == YACE:
		if p < 60 || p%60 != 0 {
			fail("PeriodSeconds must be a multiple of 60 (ELB publishes one-minute datapoints), got %d", p)
		} else if c.RangeSeconds != p {
			fail("RangeSeconds must equal PeriodSeconds (%d) for yace, got %d: YACE exports only the newest datapoint of its window, so a longer one is read for nothing and a shorter one is a partial period; leave it 0 for the default", p, c.RangeSeconds)
		}
	case p < 120 || p%60 != 0:
		fail("PeriodSeconds must be a multiple of 60 and at least 120 (ELB publishes one-minute datapoints; the window is period-60 long), got %d", p)
	case c.RangeSeconds != p-60:
		fail("RangeSeconds must be PeriodSeconds-60 (%d), got %d: a longer range makes the newest datapoint a partial period, a shorter one skips minutes; leave it 0 for the default", p-60, c.RangeSeconds)
	}
	if c.DelaySeconds < 0 {
		fail("DelaySeconds must not be negative, got %d", c.DelaySeconds)
	}
	if c.ListMetricsCacheTTLSeconds < 0 {
		fail("ListMetricsCacheTTLSeconds must not be negative, got %d", c.ListMetricsCacheTTLSeconds)
	}
	if strings.TrimSpace(c.Region) == "" {
		fail("Region is required (for example eu-west-1, or the stack's region token)")
	} else if !isToken(c.Region) && !regionRE.MatchString(c.Region) {
		fail("Region %q is not an AWS region name such as eu-west-1", c.Region)
	}
}

var regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

// isToken reports whether s holds an unresolved CDK token, which is resolved
// at deploy time and cannot be validated here.
func isToken(s string) bool { return strings.Contains(s, "${Token[") }

// usedTypes returns the types to render, in the fixed order.
func (c ExporterConfig) usedTypes(fail func(string, ...any)) []LoadBalancerType {
	seen := map[LoadBalancerType]bool{}
	if len(c.Targets) > 0 {
		if len(c.Types) > 0 {
			fail("set Types only without Targets (with Targets the targets' types are queried), got Types %v", c.Types)
		}
		for _, t := range c.Targets {
			seen[t.Type] = true
		}
	} else {
		if len(c.Types) == 0 {
			return Types()
		}
		for i, t := range c.Types {
			if !t.valid() {
				fail("Types[%d] %q is unknown: use %q, %q or %q", i, t, Application, Network, Classic)
			}
			seen[t] = true
		}
	}
	var out []LoadBalancerType
	for _, t := range Types() {
		if seen[t] {
			out = append(out, t)
		}
	}
	return out
}

func (c ExporterConfig) validateLevels(fail func(string, ...any)) map[Level]bool {
	levels := map[Level]bool{}
	for i, l := range c.Selection.Levels {
		switch l {
		case LevelLoadBalancer, LevelTargetGroup, LevelAvailabilityZone:
			levels[l] = true
		default:
			fail("Selection.Levels[%d] %q is unknown: use %q, %q or %q", i, l, LevelLoadBalancer, LevelTargetGroup, LevelAvailabilityZone)
		}
	}
	if levels[LevelAvailabilityZone] && !levels[LevelLoadBalancer] && !levels[LevelTargetGroup] {
		fail("Selection.Levels %v: %q adds the per-zone variant of %q or %q; add one of them", c.Selection.Levels, LevelAvailabilityZone, LevelLoadBalancer, LevelTargetGroup)
	}
	return levels
}

var (
	suffixRE = map[LoadBalancerType]*regexp.Regexp{
		Application: regexp.MustCompile(`^app/[A-Za-z0-9-]{1,32}/[0-9a-f]+$`),
		Network:     regexp.MustCompile(`^net/[A-Za-z0-9-]{1,32}/[0-9a-f]+$`),
		Classic:     regexp.MustCompile(`^[A-Za-z0-9-]{1,32}$`),
	}
	targetGroupRE = regexp.MustCompile(`^targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]+$`)
	lbExample     = map[LoadBalancerType]string{Application: "app/my-alb/50dc6c495c0c9188", Network: "net/my-nlb/50dc6c495c0c9188", Classic: "my-clb"}
)

// validateTargets checks the targets and returns them grouped by type, with
// sorted, de-duplicated values.
func (c ExporterConfig) validateTargets(fail func(string, ...any), levels map[Level]bool) map[LoadBalancerType][]Target {
	out := map[LoadBalancerType][]Target{}
	seen := map[string]bool{}
	for i, t := range c.Targets {
		if !t.Type.valid() {
			fail("Targets[%d].Type %q is unknown: use %q, %q or %q", i, t.Type, Application, Network, Classic)
			continue
		}
		switch {
		case t.LoadBalancer == "":
			fail("Targets[%d].LoadBalancer is empty: give the %s load balancer's dimension value, for example %s", i, t.Type, lbExample[t.Type])
		case strings.HasPrefix(t.LoadBalancer, "arn:"):
			fail("Targets[%d].LoadBalancer %q is an ARN: give its dimension value (the ARN suffix, for example %s; CDK: LoadBalancerFullName)", i, t.LoadBalancer, lbExample[t.Type])
		case !isToken(t.LoadBalancer) && !suffixRE[t.Type].MatchString(t.LoadBalancer):
			fail("Targets[%d].LoadBalancer %q is not a %s load balancer dimension value such as %s", i, t.LoadBalancer, t.Type, lbExample[t.Type])
		}
		if seen[string(t.Type)+" "+t.LoadBalancer] {
			fail("Targets[%d].LoadBalancer %q is listed twice: merge its target groups into one Target", i, t.LoadBalancer)
		}
		seen[string(t.Type)+" "+t.LoadBalancer] = true
		if t.Type == Classic && len(t.TargetGroups) > 0 {
			fail("Targets[%d] is a classic load balancer: it has no target groups, got %v", i, t.TargetGroups)
		}
		// With the default levels, a load balancer without target groups
		// simply gets no per-target-group rules; asked for explicitly, the
		// target-group level needs them.
		if t.Type != Classic && !c.defaultLevels && levels[LevelTargetGroup] && len(t.TargetGroups) == 0 {
			fail("Targets[%d] (%s): Selection.Levels includes %q but TargetGroups is empty: name its target groups (CDK: TargetGroupFullName) or leave out %q", i, t.LoadBalancer, LevelTargetGroup, LevelTargetGroup)
		}
		for j, tg := range t.TargetGroups {
			switch {
			case strings.HasPrefix(tg, "arn:"):
				fail("Targets[%d].TargetGroups[%d] %q is an ARN: give its dimension value (the ARN suffix, for example targetgroup/my-tg/73e2d6bc24d8a067; CDK: TargetGroupFullName)", i, j, tg)
			case !isToken(tg) && !targetGroupRE.MatchString(tg):
				fail("Targets[%d].TargetGroups[%d] %q is not a target group dimension value such as targetgroup/my-tg/73e2d6bc24d8a067", i, j, tg)
			}
		}
		tgs := slices.Clone(t.TargetGroups)
		sort.Strings(tgs)
		out[t.Type] = append(out[t.Type], Target{Type: t.Type, LoadBalancer: t.LoadBalancer, TargetGroups: slices.Compact(tgs)})
	}
	for _, ts := range out {
		sort.Slice(ts, func(a, b int) bool { return ts[a].LoadBalancer < ts[b].LoadBalancer })
	}
	return out
}

func (c ExporterConfig) validateDrops(fail func(string, ...any), types []LoadBalancerType) map[string]bool {
	dropped := map[string]bool{}
	for i, name := range c.Selection.Drop {
		found := false
		for _, t := range types {
			if _, ok := lookup(t, name); ok {
				found = true
			}
		}
		if !found {
			fail("Selection.Drop[%d] %q is not a metric of %v%s", i, name, types, suggest(name, types))
		}
		dropped[name] = true
	}
	return dropped
}

// levelSets returns the dimension sets the levels render m at, where published.
func levelSets(m Metric, levels map[Level]bool) []DimensionSet {
	var out []DimensionSet
	try := func(sets ...DimensionSet) {
		for _, s := range sets {
			if m.Publishes(s) {
				out = append(out, s)
				return
			}
		}
	}
	lbSet, azLBSet := setLB, setAZLB
	if m.Type == Classic {
		lbSet, azLBSet = setCLB, setAZCLB
	}
	if levels[LevelLoadBalancer] {
		try(lbSet)
		if levels[LevelAvailabilityZone] {
			try(azLBSet)
		}
	}
	if levels[LevelTargetGroup] && m.Type != Classic {
		try(setTGLB, setTG)
		if levels[LevelAvailabilityZone] {
			try(setTGAZLB, setTGAZ)
		}
	}
	return out
}

func (c ExporterConfig) addRequest(fail func(string, ...any), acc *accumulator, i int, r MetricRequest, types []LoadBalancerType, levels map[Level]bool, dropped map[string]bool, targets map[LoadBalancerType][]Target) {
	where := fmt.Sprintf("Selection.Add[%d]", i)
	if !r.Type.valid() {
		fail("%s.Type %q is unknown: use %q, %q or %q", where, r.Type, Application, Network, Classic)
		return
	}
	m, ok := lookup(r.Type, r.Name)
	if !ok {
		fail("%s: %q is not a metric of %s%s; Catalog(%q) lists them", where, r.Name, r.Type.Namespace(), suggest(r.Name, []LoadBalancerType{r.Type}), r.Type)
		return
	}
	if !slices.Contains(types, r.Type) {
		if len(c.Targets) > 0 {
			fail("%s: %s %s needs a Target of type %q, and there is none: add one, or remove the request", where, r.Type.Namespace(), r.Name, r.Type)
		} else {
			fail("%s: %s %s needs type %q, which Types %v leaves out: add it to Types", where, r.Type.Namespace(), r.Name, r.Type, types)
		}
		return
	}
	if dropped[r.Name] {
		fail("%s: %s is both added and in Selection.Drop: keep one", where, r.Name)
	}
	stats, ext, ok := checkStatistics(fail, where, r, m)
	if !ok {
		return
	}
	var sets []DimensionSet
	if len(r.Dimensions) > 0 {
		set := r.Dimensions.sorted()
		if len(slices.Compact(slices.Clone(set))) != len(set) {
			fail("%s: Dimensions %v of %s names a dimension twice", where, r.Dimensions, r.Name)
			return
		}
		if !m.Publishes(set) {
			fail("%s: CloudWatch does not publish %s %s under %s (a rule for it stays empty forever); it is published under %s: set Dimensions to one of those", where, r.Type.Namespace(), r.Name, set, joinSets(m.DimensionSets))
			return
		}
		if set.Has(DimTargetGroup) && len(targets[r.Type]) > 0 && !anyTargetGroup(targets[r.Type]) {
			fail("%s: %s %s under %s needs target groups, but no %s Target names any: add them to the Target", where, r.Type.Namespace(), r.Name, set, r.Type)
			return
		}
		sets = []DimensionSet{set}
	} else {
		sets = levelSets(m, levels)
		if len(sets) == 0 {
			fail("%s: %s %s is not published at Selection.Levels %v; it is published under %s: set Dimensions to one of those or add a level", where, r.Type.Namespace(), r.Name, c.Selection.Levels, joinSets(m.DimensionSets))
			return
		}
	}
	for _, s := range sets {
		acc.add(m, s, stats, ext)
	}
}

// checkStatistics returns the statistics and percentiles request r asks of
// metric m (the catalogue's when it names none), and whether all are valid.
func checkStatistics(fail func(string, ...any), where string, r MetricRequest, m Metric) (stats, ext []string, okStats bool) {
	stats, ext = r.Statistics, r.ExtendedStatistics
	if len(stats) == 0 && len(ext) == 0 {
		stats, ext = m.Statistics, m.ExtendedStatistics
	}
	okStats = true
	for _, s := range stats {
		if !slices.Contains(statisticNames, s) {
			okStats = false
			hint := ""
			if percentileRE.MatchString(s) {
				hint = " (percentiles go in ExtendedStatistics)"
			}
			fail("%s: statistic %q for %s is not a CloudWatch statistic: use Sum, SampleCount, Minimum, Maximum or Average%s", where, s, r.Name, hint)
		} else if !slices.Contains(m.Statistics, s) {
			okStats = false
			fail("%s: statistic %s is not meaningful for %s %s (AWS: %s): use %s", where, s, r.Type.Namespace(), r.Name, m.Help, strings.Join(m.Statistics, " or "))
		}
	}
	for _, e := range ext {
		switch {
		case !m.percentiles():
			okStats = false
			fail("%s: %s %s has no percentiles, got %q: percentiles exist for %s", where, r.Type.Namespace(), r.Name, e, percentileMetrics(r.Type))
		case !validPercentile(e):
			okStats = false
			fail("%s: extended statistic %q for %s is not a percentile: want pNN or pNN.NN between p0 and p100, for example p99 or p99.9", where, e, r.Name)
		}
	}
	return stats, ext, okStats
}

func anyTargetGroup(ts []Target) bool {
	for _, t := range ts {
		if len(t.TargetGroups) > 0 {
			return true
		}
	}
	return false
}

var percentileRE = regexp.MustCompile(`^p([0-9]{1,3})(\.[0-9]{1,2})?$`)

// validPercentile reports whether s is pNN or pNN.NN between p0 and p100.
func validPercentile(s string) bool {
	if !percentileRE.MatchString(s) {
		return false
	}
	v, err := strconv.ParseFloat(s[1:], 64)
	return err == nil && v >= 0 && v <= 100
}

// percentileValue orders percentiles numerically.
func percentileValue(s string) float64 {
	v, _ := strconv.ParseFloat(strings.TrimPrefix(s, "p"), 64)
	return v
}

func percentileMetrics(t LoadBalancerType) string {
	var names []string
	for _, m := range catalogs[t] {
		if m.percentiles() {
			names = append(names, m.Name)
		}
	}
	if len(names) == 0 {
		return "no " + string(t) + " metric"
	}
	return strings.Join(names, ", ")
}

func joinSets(sets []DimensionSet) string {
	parts := make([]string, len(sets))
	for i, s := range sets {
		parts[i] = s.String()
	}
	return strings.Join(parts, "; ")
}

// suggest returns ` (did you mean "X"?)` for the closest metric name, if close.
func suggest(name string, types []LoadBalancerType) string {
	best, bestD := "", 1<<30
	for _, t := range types {
		for _, m := range catalogs[t] {
			d := distance(strings.ToLower(name), strings.ToLower(m.Name))
			if d < bestD {
				best, bestD = m.Name, d
			}
		}
	}
	if best != "" && bestD <= 3 {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
