package elbmetrics

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// Fixture targets: one load balancer of each type.
var (
	albTarget = Target{Type: Application, LoadBalancer: "app/web/50dc6c495c0c9188",
		TargetGroups: []string{"targetgroup/web/73e2d6bc24d8a067", "targetgroup/api/1a2b3c4d5e6f7081"}}
	nlbTarget = Target{Type: Network, LoadBalancer: "net/edge/0f1e2d3c4b5a6978",
		TargetGroups: []string{"targetgroup/tcp/9a8b7c6d5e4f3021"}}
	clbTarget = Target{Type: Classic, LoadBalancer: "legacy-web"}
)

var levelCombos = map[string][]Level{
	"lb":       {LevelLoadBalancer},
	"tg":       {LevelTargetGroup},
	"lb+tg":    {LevelLoadBalancer, LevelTargetGroup},
	"lb+az":    {LevelLoadBalancer, LevelAvailabilityZone},
	"lb+tg+az": {LevelLoadBalancer, LevelTargetGroup, LevelAvailabilityZone},
}

// Every (metric, dimension set, statistic) any preset renders, at any level,
// with or without targets, is one CloudWatch publishes and AWS calls
// meaningful.
func TestRules_EveryRenderedStatisticIsPublished(t *testing.T) {
	t.Parallel()
	for _, p := range Presets() {
		for levelName, levels := range levelCombos {
			for _, withTargets := range []bool{false, true} {
				c := ExporterConfig{Region: "eu-west-1", Selection: Selection{Preset: p, Levels: levels}}
				if withTargets {
					c.Targets = []Target{albTarget, nlbTarget, clbTarget}
				}
				rules, err := c.Rules()
				if err != nil {
					t.Errorf("%s/%s/targets=%v: %v", p, levelName, withTargets, err)
					continue
				}
				for _, r := range rules {
					checkRulePublished(t, r)
				}
			}
		}
	}
}

func checkRulePublished(t *testing.T, r Rule) {
	t.Helper()
	var typ LoadBalancerType
	for _, x := range Types() {
		if x.Namespace() == r.Namespace {
			typ = x
		}
	}
	m, ok := lookup(typ, r.Metric)
	if !ok {
		t.Errorf("%s %s: not in the catalogue", r.Namespace, r.Metric)
		return
	}
	if !m.Publishes(r.Dimensions) {
		t.Errorf("%s %s: rendered under %s, published under %s", r.Namespace, r.Metric, r.Dimensions, joinSets(m.DimensionSets))
	}
	if len(r.Statistics)+len(r.ExtendedStatistics) == 0 {
		t.Errorf("%s %s: rule without statistics (the exporter would fetch all five)", r.Namespace, r.Metric)
	}
	for _, s := range r.Statistics {
		if !slices.Contains(m.Statistics, s) {
			t.Errorf("%s %s %s: statistic %s not meaningful", r.Namespace, r.Metric, r.Dimensions, s)
		}
	}
	for _, e := range r.ExtendedStatistics {
		if !m.percentiles() || !validPercentile(e) {
			t.Errorf("%s %s: extended statistic %s", r.Namespace, r.Metric, e)
		}
	}
	for d, vs := range r.DimensionSelect {
		if !r.Dimensions.Has(d) || len(vs) == 0 {
			t.Errorf("%s %s: aws_dimension_select %s=%v outside %s", r.Namespace, r.Metric, d, vs, r.Dimensions)
		}
	}
}

func TestRules_PresetAllRendersTheWholeCatalogue(t *testing.T) {
	t.Parallel()
	rules, err := ExporterConfig{Region: "eu-west-1", Selection: Selection{Preset: PresetAll,
		Levels: []Level{LevelLoadBalancer, LevelTargetGroup, LevelAvailabilityZone}}}.Rules()
	if err != nil {
		t.Fatal(err)
	}
	rendered := map[string]bool{}
	for _, r := range rules {
		rendered[r.Namespace+" "+r.Metric] = true
	}
	for _, typ := range Types() {
		for _, m := range Catalog(typ) {
			if !rendered[typ.Namespace()+" "+m.Name] {
				t.Errorf("%s %s is never rendered", typ.Namespace(), m.Name)
			}
		}
	}
}

// The original guide's config, asked through Add: the 14 metrics never
// published under {AvailabilityZone, LoadBalancer, TargetGroup} are rejected,
// each with the sets that are published; the other 16 pass.
func TestRules_RejectsTheOriginalGuidesDeadMetrics(t *testing.T) {
	t.Parallel()
	var add []MetricRequest
	for _, name := range originalGuideMetrics {
		add = append(add, MetricRequest{Type: Application, Name: name,
			Dimensions: DimensionSet{DimTargetGroup, DimAvailabilityZone, DimLoadBalancer}})
	}
	_, err := ExporterConfig{Region: "eu-west-1", Types: []LoadBalancerType{Application},
		Selection: Selection{Add: add}}.Rules()
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(deadGuideMetrics) {
		t.Errorf("%d errors, want %d:\n%v", len(lines), len(deadGuideMetrics), err)
	}
	for _, name := range deadGuideMetrics {
		m, _ := lookup(Application, name)
		want := "CloudWatch does not publish AWS/ApplicationELB " + name + " under {AvailabilityZone, LoadBalancer, TargetGroup}"
		if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "published under "+joinSets(m.DimensionSets)) {
			t.Errorf("no clear error for %s in:\n%v", name, err)
		}
	}
	if got := lines[0]; !strings.HasPrefix(got, "elbmetrics: Selection.Add[0]: CloudWatch does not publish AWS/ApplicationELB ActiveConnectionCount under {AvailabilityZone, LoadBalancer, TargetGroup} (a rule for it stays empty forever); it is published under {LoadBalancer}; {AvailabilityZone, LoadBalancer}: set Dimensions to one of those") {
		t.Errorf("first error = %s", got)
	}
}

// The guide's statistics: Average and Maximum on counters are refused.
func TestRules_RejectsAveragingCounters(t *testing.T) {
	t.Parallel()
	_, err := ExporterConfig{Region: "eu-west-1", Types: []LoadBalancerType{Application}, Selection: Selection{Add: []MetricRequest{
		{Type: Application, Name: "HTTPCode_Target_4XX_Count", Dimensions: setTGAZLB, Statistics: []string{Average, Maximum}},
	}}}.Rules()
	for _, s := range []string{"statistic Average is not meaningful for AWS/ApplicationELB HTTPCode_Target_4XX_Count", "statistic Maximum is not meaningful", "use Sum"} {
		if err == nil || !strings.Contains(err.Error(), s) {
			t.Errorf("error %v lacks %q", err, s)
		}
	}
}

func ruleSets(rules []Rule, namespace, metric string) []string {
	var out []string
	for _, r := range rules {
		if r.Namespace == namespace && r.Metric == metric {
			out = append(out, r.Dimensions.String())
		}
	}
	return out
}

func TestRules_Levels(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		levels []Level
		metric string
		want   []string
	}{
		"default levels":       {nil, "RequestCount", []string{"{LoadBalancer}", "{LoadBalancer, TargetGroup}"}},
		"lb only":              {[]Level{LevelLoadBalancer}, "RequestCount", []string{"{LoadBalancer}"}},
		"tg only":              {[]Level{LevelTargetGroup}, "RequestCount", []string{"{LoadBalancer, TargetGroup}"}},
		"az adds the variants": {[]Level{LevelLoadBalancer, LevelTargetGroup, LevelAvailabilityZone}, "RequestCount", []string{"{LoadBalancer}", "{AvailabilityZone, LoadBalancer}", "{LoadBalancer, TargetGroup}", "{AvailabilityZone, LoadBalancer, TargetGroup}"}},
		"lb+az":                {[]Level{LevelLoadBalancer, LevelAvailabilityZone}, "RequestCount", []string{"{LoadBalancer}", "{AvailabilityZone, LoadBalancer}"}},
		"LB-only metric at tg": {[]Level{LevelTargetGroup}, "ConsumedLCUs", nil},
		"TG-only metric at lb": {[]Level{LevelLoadBalancer}, "HealthyHostCount", nil},
		"TG-only metric at az": {[]Level{LevelLoadBalancer, LevelTargetGroup, LevelAvailabilityZone}, "HealthyHostCount", []string{"{LoadBalancer, TargetGroup}", "{AvailabilityZone, LoadBalancer, TargetGroup}"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rules, err := ExporterConfig{Region: "eu-west-1", Selection: Selection{Levels: tc.levels}}.Rules()
			if err != nil {
				t.Fatal(err)
			}
			if got := ruleSets(rules, "AWS/ApplicationELB", tc.metric); !slices.Equal(got, tc.want) {
				t.Errorf("%s rendered under %v, want %v", tc.metric, got, tc.want)
			}
		})
	}
}

func TestRules_TargetGroupFallbackForTGOnlyMetrics(t *testing.T) {
	t.Parallel()
	rules, err := ExporterConfig{Region: "eu-west-1", Selection: Selection{Preset: PresetAll}}.Rules()
	if err != nil {
		t.Fatal(err)
	}
	if got := ruleSets(rules, "AWS/ApplicationELB", "LambdaInternalError"); !slices.Equal(got, []string{"{TargetGroup}"}) {
		t.Errorf("LambdaInternalError under %v, want {TargetGroup}", got)
	}
	if got := ruleSets(rules, "AWS/ELB", "Latency"); !slices.Equal(got, []string{"{LoadBalancerName}"}) {
		t.Errorf("CLB Latency under %v", got)
	}
}

func TestRules_AddAndDrop(t *testing.T) {
	t.Parallel()
	c := ExporterConfig{Region: "eu-west-1", Types: []LoadBalancerType{Application}, Selection: Selection{
		Drop: []string{"RuleEvaluations", "PeakLCUs"},
		Add: []MetricRequest{
			// a metric outside the preset, at a set the levels do not render
			{Type: Application, Name: "GrpcRequestCount", Dimensions: DimensionSet{DimTargetGroup}},
			// more statistics for a preset metric: merged into its rule
			{Type: Application, Name: "TargetResponseTime", Dimensions: DimensionSet{DimTargetGroup, DimLoadBalancer}, ExtendedStatistics: []string{"p99.9", "p95"}},
			// no Dimensions: the selection's levels; no Statistics: the catalogue's
			{Type: Application, Name: "RejectedConnectionCount"},
		},
	}}
	rules, err := c.Rules()
	if err != nil {
		t.Fatal(err)
	}
	find := func(metric string, set DimensionSet) *Rule {
		for i, r := range rules {
			if r.Metric == metric && r.Dimensions.Equal(set) {
				return &rules[i]
			}
		}
		return nil
	}
	if find("RuleEvaluations", setLB) != nil || find("PeakLCUs", setLB) != nil {
		t.Error("dropped metrics rendered")
	}
	if find("ConsumedLCUs", setLB) == nil {
		t.Error("preset metric missing")
	}
	if r := find("GrpcRequestCount", setTG); r == nil || !slices.Equal(r.Statistics, []string{Sum}) {
		t.Errorf("GrpcRequestCount {TargetGroup} = %+v", r)
	}
	if r := find("TargetResponseTime", setTGLB); r == nil || !slices.Equal(r.ExtendedStatistics, []string{"p50", "p90", "p95", "p99", "p99.9"}) || !slices.Equal(r.Statistics, []string{Average}) {
		t.Errorf("TargetResponseTime {LoadBalancer, TargetGroup} = %+v", r)
	}
	if r := find("TargetResponseTime", setLB); r == nil || !slices.Equal(r.ExtendedStatistics, []string{"p50", "p90", "p99"}) {
		t.Errorf("TargetResponseTime {LoadBalancer} = %+v (the Add names only the TG set)", r)
	}
	if got := ruleSets(rules, "AWS/ApplicationELB", "RejectedConnectionCount"); !slices.Equal(got, []string{"{LoadBalancer}"}) {
		t.Errorf("RejectedConnectionCount under %v", got)
	}
}

func TestRules_Targets(t *testing.T) {
	t.Parallel()
	c := ExporterConfig{Region: "eu-west-1", Targets: []Target{
		albTarget,
		{Type: Application, LoadBalancer: "app/admin/0011223344556677", TargetGroups: []string{"targetgroup/admin/8899aabbccddeeff"}},
		clbTarget,
	}}
	rules, err := c.Rules()
	if err != nil {
		t.Fatal(err)
	}
	var lbRule, tgRules []Rule
	for _, r := range rules {
		if r.Metric != "RequestCount" || r.Namespace != "AWS/ApplicationELB" {
			continue
		}
		if r.Dimensions.Has(DimTargetGroup) {
			tgRules = append(tgRules, r)
		} else {
			lbRule = append(lbRule, r)
		}
	}
	// One LB rule naming both load balancers; one TG rule per load balancer,
	// so no load balancer is paired with another's target group.
	if len(lbRule) != 1 || !slices.Equal(lbRule[0].DimensionSelect[DimLoadBalancer], []string{"app/admin/0011223344556677", "app/web/50dc6c495c0c9188"}) {
		t.Errorf("LB rules = %+v", lbRule)
	}
	if len(tgRules) != 2 ||
		!slices.Equal(tgRules[0].DimensionSelect[DimLoadBalancer], []string{"app/admin/0011223344556677"}) ||
		!slices.Equal(tgRules[1].DimensionSelect[DimTargetGroup], []string{"targetgroup/api/1a2b3c4d5e6f7081", "targetgroup/web/73e2d6bc24d8a067"}) {
		t.Errorf("TG rules = %+v", tgRules)
	}
	for _, r := range rules {
		if !r.complete() {
			t.Errorf("%s %s %s: dimension select incomplete: %v", r.Namespace, r.Metric, r.Dimensions, r.DimensionSelect)
		}
		if r.Namespace == "AWS/NetworkELB" {
			t.Errorf("NLB rule without an NLB target: %+v", r)
		}
	}
	if NeedsListMetrics(c) {
		t.Error("NeedsListMetrics with every value pinned")
	}
}

func TestNeedsListMetrics(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		c    ExporterConfig
		want bool
	}{
		"discovery":            {ExporterConfig{Region: "eu-west-1"}, true},
		"targets":              {ExporterConfig{Region: "eu-west-1", Targets: []Target{albTarget}}, false},
		"targets with AZ":      {ExporterConfig{Region: "eu-west-1", Targets: []Target{albTarget}, Selection: Selection{Levels: []Level{LevelLoadBalancer, LevelAvailabilityZone}}}, true},
		"invalid config: safe": {ExporterConfig{}, true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := NeedsListMetrics(tc.c); got != tc.want {
				t.Errorf("NeedsListMetrics = %v, want %v", got, tc.want)
			}
		})
	}
}

// With the Availability Zone level and targets, the load balancer and target
// group values filter what ListMetrics finds: the zones are not known.
func TestRules_AvailabilityZoneWithTargets(t *testing.T) {
	t.Parallel()
	rules, err := ExporterConfig{Region: "eu-west-1", Targets: []Target{albTarget},
		Selection: Selection{Levels: []Level{LevelTargetGroup, LevelAvailabilityZone}}}.Rules()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		if r.Metric == "RequestCount" && r.Dimensions.Has(DimAvailabilityZone) {
			if r.complete() || len(r.DimensionSelect[DimLoadBalancer]) != 1 || len(r.DimensionSelect[DimTargetGroup]) != 2 {
				t.Errorf("AZ rule = %+v", r)
			}
			return
		}
	}
	t.Error("no AZ rule for RequestCount")
}

func TestRules_AcceptsCDKTokens(t *testing.T) {
	t.Parallel()
	_, err := ExporterConfig{Region: "${Token[AWS.Region.9]}", Targets: []Target{{Type: Application,
		LoadBalancer: "${Token[TOKEN.225]}", TargetGroups: []string{"${Token[TOKEN.260]}"}}}}.Rules()
	if err != nil {
		t.Error(err)
	}
}

func TestRules_Errors(t *testing.T) {
	t.Parallel()
	alb := []LoadBalancerType{Application}
	add := func(r MetricRequest) ExporterConfig {
		return ExporterConfig{Region: "eu-west-1", Types: alb, Selection: Selection{Add: []MetricRequest{r}}}
	}
	tests := map[string]struct {
		c    ExporterConfig
		want []string
	}{
		"dimension set not published": {add(MetricRequest{Type: Application, Name: "UnHealthyHostCount", Dimensions: setLB}),
			[]string{"Selection.Add[0]: CloudWatch does not publish AWS/ApplicationELB UnHealthyHostCount under {LoadBalancer}", "published under {LoadBalancer, TargetGroup}; {AvailabilityZone, LoadBalancer, TargetGroup}: set Dimensions to one of those"}},
		"dimension named twice": {add(MetricRequest{Type: Application, Name: "RequestCount", Dimensions: DimensionSet{"LoadBalancer", "LoadBalancer"}}),
			[]string{"names a dimension twice"}},
		"unknown metric": {add(MetricRequest{Type: Application, Name: "RequestCont"}),
			[]string{`Selection.Add[0]: "RequestCont" is not a metric of AWS/ApplicationELB (did you mean "RequestCount"?)`}},
		"metric of another type": {add(MetricRequest{Type: Application, Name: "ActiveFlowCount"}),
			[]string{`"ActiveFlowCount" is not a metric of AWS/ApplicationELB`}},
		"unknown type": {add(MetricRequest{Type: "gateway", Name: "X"}), []string{`Selection.Add[0].Type "gateway" is unknown`}},
		"unknown statistic": {add(MetricRequest{Type: Application, Name: "RequestCount", Statistics: []string{"Avg"}}),
			[]string{`statistic "Avg" for RequestCount is not a CloudWatch statistic: use Sum, SampleCount, Minimum, Maximum or Average`}},
		"percentile as statistic": {add(MetricRequest{Type: Application, Name: "TargetResponseTime", Statistics: []string{"p99"}}),
			[]string{`statistic "p99"`, "(percentiles go in ExtendedStatistics)"}},
		"statistic not meaningful": {add(MetricRequest{Type: Application, Name: "RequestCountPerTarget", Dimensions: setTGLB, Statistics: []string{Average}}),
			[]string{"statistic Average is not meaningful for AWS/ApplicationELB RequestCountPerTarget", "use Sum"}},
		"percentile syntax": {add(MetricRequest{Type: Application, Name: "TargetResponseTime", ExtendedStatistics: []string{"p999", "P99", "99", "p99.999", "p100.5"}}),
			[]string{`extended statistic "p999"`, `"P99"`, `"99"`, `"p99.999"`, `"p100.5"`, "want pNN or pNN.NN between p0 and p100"}},
		"percentile on a counter": {add(MetricRequest{Type: Application, Name: "RequestCount", ExtendedStatistics: []string{"p99"}}),
			[]string{"AWS/ApplicationELB RequestCount has no percentiles", "percentiles exist for TargetResponseTime"}},
		"not published at the levels": {ExporterConfig{Region: "eu-west-1", Types: alb, Selection: Selection{Levels: []Level{LevelLoadBalancer},
			Add: []MetricRequest{{Type: Application, Name: "HealthyHostCount"}}}},
			[]string{"AWS/ApplicationELB HealthyHostCount is not published at Selection.Levels [load-balancer]"}},
		"add a type not queried": {ExporterConfig{Region: "eu-west-1", Types: alb, Selection: Selection{
			Add: []MetricRequest{{Type: Network, Name: "NewFlowCount"}}}},
			[]string{`AWS/NetworkELB NewFlowCount needs type "network", which Types [application] leaves out`}},
		"add a type without target": {ExporterConfig{Region: "eu-west-1", Targets: []Target{albTarget}, Selection: Selection{
			Add: []MetricRequest{{Type: Classic, Name: "Latency"}}}},
			[]string{`needs a Target of type "classic"`}},
		"add a TG set without target groups": {ExporterConfig{Region: "eu-west-1", Targets: []Target{{Type: Application, LoadBalancer: "app/a/0123"}},
			Selection: Selection{Levels: []Level{LevelLoadBalancer}, Add: []MetricRequest{{Type: Application, Name: "RequestCount", Dimensions: setTGLB}}}},
			[]string{"under {LoadBalancer, TargetGroup} needs target groups, but no application Target names any"}},
		"unknown preset": {ExporterConfig{Region: "eu-west-1", Selection: Selection{Preset: "cheap"}}, []string{`Selection.Preset "cheap" is unknown`}},
		"unknown level":  {ExporterConfig{Region: "eu-west-1", Selection: Selection{Levels: []Level{"zone"}}}, []string{`Selection.Levels[0] "zone" is unknown`}},
		"az alone": {ExporterConfig{Region: "eu-west-1", Selection: Selection{Levels: []Level{LevelAvailabilityZone}}},
			[]string{`"availability-zone" adds the per-zone variant of "load-balancer" or "target-group"; add one of them`}},
		"drop unknown": {ExporterConfig{Region: "eu-west-1", Types: alb, Selection: Selection{Drop: []string{"RuleEvaluation"}}},
			[]string{`Selection.Drop[0] "RuleEvaluation" is not a metric of [application] (did you mean "RuleEvaluations"?)`}},
		"drop and add": {ExporterConfig{Region: "eu-west-1", Types: alb, Selection: Selection{Drop: []string{"RequestCount"},
			Add: []MetricRequest{{Type: Application, Name: "RequestCount"}}}}, []string{"RequestCount is both added and in Selection.Drop"}},
		"renders nothing": {ExporterConfig{Region: "eu-west-1", Types: []LoadBalancerType{Classic}, Selection: Selection{Levels: []Level{LevelTargetGroup}}},
			[]string{"the selection renders no metric"}},
		"types and targets": {ExporterConfig{Region: "eu-west-1", Types: alb, Targets: []Target{albTarget}}, []string{"set Types only without Targets"}},
		"unknown types":     {ExporterConfig{Region: "eu-west-1", Types: []LoadBalancerType{"gwlb"}}, []string{`Types[0] "gwlb" is unknown`}},
		"target ARN": {ExporterConfig{Region: "eu-west-1", Selection: Selection{Levels: []Level{LevelLoadBalancer}}, Targets: []Target{{Type: Application,
			LoadBalancer: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"}}},
			[]string{"is an ARN: give its dimension value (the ARN suffix, for example app/my-alb/50dc6c495c0c9188; CDK: LoadBalancerFullName)"}},
		"target wrong type": {ExporterConfig{Region: "eu-west-1", Selection: Selection{Levels: []Level{LevelLoadBalancer}}, Targets: []Target{{Type: Network, LoadBalancer: "app/web/50dc6c495c0c9188"}}},
			[]string{`Targets[0].LoadBalancer "app/web/50dc6c495c0c9188" is not a network load balancer dimension value such as net/my-nlb/50dc6c495c0c9188`}},
		"target group ARN": {ExporterConfig{Region: "eu-west-1", Targets: []Target{{Type: Application, LoadBalancer: "app/web/50dc6c495c0c9188",
			TargetGroups: []string{"arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/73e2d6bc24d8a067"}}}},
			[]string{"Targets[0].TargetGroups[0]", "is an ARN"}},
		"classic with target groups": {ExporterConfig{Region: "eu-west-1", Targets: []Target{{Type: Classic, LoadBalancer: "legacy", TargetGroups: []string{"targetgroup/x/01"}}}},
			[]string{"Targets[0] is a classic load balancer: it has no target groups"}},
		"target group level without groups": {ExporterConfig{Region: "eu-west-1", Selection: Selection{Levels: []Level{LevelLoadBalancer, LevelTargetGroup}},
			Targets: []Target{{Type: Application, LoadBalancer: "app/web/50dc6c495c0c9188"}}},
			[]string{`Targets[0] (app/web/50dc6c495c0c9188): Selection.Levels includes "target-group" but TargetGroups is empty`}},
		"target twice": {ExporterConfig{Region: "eu-west-1", Targets: []Target{albTarget, albTarget}}, []string{"Targets[1].LoadBalancer \"app/web/50dc6c495c0c9188\" is listed twice"}},
		"period":       {ExporterConfig{Region: "eu-west-1", PeriodSeconds: 90}, []string{"PeriodSeconds must be a multiple of 60 and at least 120", "got 90"}},
		"period 60":    {ExporterConfig{Region: "eu-west-1", PeriodSeconds: 60}, []string{"got 60"}},
		"range": {ExporterConfig{Region: "eu-west-1", RangeSeconds: 600},
			[]string{"RangeSeconds must be PeriodSeconds-60 (240), got 600: a longer range makes the newest datapoint a partial period"}},
		"delay":         {ExporterConfig{Region: "eu-west-1", DelaySeconds: -1}, []string{"DelaySeconds must not be negative, got -1"}},
		"region":        {ExporterConfig{}, []string{"Region is required"}},
		"region format": {ExporterConfig{Region: "Ireland"}, []string{`Region "Ireland" is not an AWS region name`}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rules, err := tc.c.Rules()
			if err == nil {
				t.Fatalf("no error; rules %v", rules)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if !strings.HasPrefix(err.Error(), "elbmetrics: ") {
				t.Errorf("error does not name the package: %v", err)
			}
		})
	}
}

// Every problem is reported at once.
func TestRules_CollectsEveryError(t *testing.T) {
	t.Parallel()
	_, err := ExporterConfig{PeriodSeconds: 90, Selection: Selection{Preset: "x", Levels: []Level{"y"}}}.Rules()
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(joined.Unwrap()) != 4 {
		t.Errorf("want 4 joined errors (period, region, level, preset), got %v", err)
	}
}

// TestRules_DefaultLevelsSkipTargetGroupRulesForLoadBalancersWithoutThem:
// with the default levels, a load balancer without target groups still gets
// its load-balancer rules and no empty target-group rule.
func TestRules_DefaultLevelsSkipTargetGroupRulesForLoadBalancersWithoutThem(t *testing.T) {
	t.Parallel()
	rules, err := ExporterConfig{Region: "eu-west-1", Targets: []Target{
		{Type: Application, LoadBalancer: "app/web/50dc6c495c0c9188", TargetGroups: []string{"targetgroup/web/73e2d6bc24d8a067"}},
		{Type: Network, LoadBalancer: "net/tcp/c6e77e28c25b2234"},
	}}.Rules()
	if err != nil {
		t.Fatal(err)
	}
	var nlbLB, nlbTG int
	for _, r := range rules {
		if r.Namespace != "AWS/NetworkELB" {
			continue
		}
		if r.Dimensions.Has(DimTargetGroup) {
			nlbTG++
		} else {
			nlbLB++
		}
	}
	if nlbLB == 0 || nlbTG != 0 {
		t.Errorf("NLB without target groups: %d load-balancer rules, %d target-group rules; want some and none", nlbLB, nlbTG)
	}
}
