package elbmetrics

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
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
	stats, ext := r.Statistics, r.ExtendedStatistics
	if len(stats) == 0 && len(ext) == 0 {
		stats, ext = m.Statistics, m.ExtendedStatistics
	}
	okStats := true
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
	if !okStats {
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
