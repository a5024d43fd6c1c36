package elbmetrics

import (
	"slices"
	"sort"
	"testing"
)

func TestCatalog_IsConsistent(t *testing.T) {
	t.Parallel()
	for _, typ := range Types() {
		t.Run(string(typ), func(t *testing.T) {
			t.Parallel()
			ms := Catalog(typ)
			if len(ms) == 0 {
				t.Fatal("empty catalogue")
			}
			if !sort.SliceIsSorted(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name }) {
				t.Error("catalogue not sorted by name")
			}
			for _, m := range ms {
				if m.Type != typ || m.Help == "" || len(m.DimensionSets) == 0 || len(m.Statistics)+len(m.ExtendedStatistics) == 0 {
					t.Errorf("%s: incomplete entry %+v", m.Name, m)
				}
				for _, s := range m.Statistics {
					if !slices.Contains(statisticNames, s) {
						t.Errorf("%s: unknown statistic %q", m.Name, s)
					}
				}
				for _, e := range m.ExtendedStatistics {
					if !validPercentile(e) {
						t.Errorf("%s: bad percentile %q", m.Name, e)
					}
				}
				for _, s := range m.DimensionSets {
					if !sort.StringsAreSorted(s) {
						t.Errorf("%s: set %v not sorted", m.Name, s)
					}
					for _, d := range s {
						ok := d == DimAvailabilityZone || (typ == Classic) == (d == DimLoadBalancerName)
						if !ok {
							t.Errorf("%s: dimension %q does not belong to %s", m.Name, d, typ)
						}
					}
				}
			}
		})
	}
}

// The reference tables, spot-checked: the sets that make or break a rule.
func TestCatalog_DimensionSetsFollowTheReference(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		typ       LoadBalancerType
		metric    string
		published []DimensionSet
		not       []DimensionSet
	}{
		"ConsumedLCUs is LB only": {Application, "ConsumedLCUs", []DimensionSet{setLB}, []DimensionSet{setAZLB, setTGLB, setTGAZLB}},
		"ActiveConnectionCount":   {Application, "ActiveConnectionCount", []DimensionSet{setLB, setAZLB}, []DimensionSet{setTGLB, setTGAZLB}},
		"RequestCount all four":   {Application, "RequestCount", []DimensionSet{setLB, setAZLB, setTGLB, setTGAZLB}, []DimensionSet{setTG}},
		// The upstream example asks these at {LoadBalancer}: never published.
		"UnHealthyHostCount per TG":     {Application, "UnHealthyHostCount", []DimensionSet{setTGLB, setTGAZLB}, []DimensionSet{setLB}},
		"RequestCountPerTarget per TG":  {Application, "RequestCountPerTarget", []DimensionSet{setTGLB, setTGAZLB, setTG, setTGAZ}, []DimensionSet{setLB}},
		"GrpcRequestCount has no AZ+LB": {Application, "GrpcRequestCount", []DimensionSet{setLB, setTGLB, setTGAZLB, setTG, setTGAZ}, []DimensionSet{setAZLB}},
		"LambdaInternalError TG only":   {Application, "LambdaInternalError", []DimensionSet{setTG}, []DimensionSet{setLB, setTGLB}},
		"NLB TLS flows have no TG+LB":   {Network, "ActiveFlowCount_TLS", []DimensionSet{setLB, setAZLB, setTGAZLB}, []DimensionSet{setTGLB}},
		"NLB TLS errors LB only":        {Network, "ClientTLSNegotiationErrorCount", []DimensionSet{setLB}, []DimensionSet{setAZLB}},
		"CLB by name":                   {Classic, "Latency", []DimensionSet{setCLB, setAZCLB}, []DimensionSet{setLB}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m, ok := Lookup(tc.typ, tc.metric)
			if !ok {
				t.Fatalf("%s %s not in the catalogue", tc.typ, tc.metric)
			}
			if len(m.DimensionSets) != len(tc.published) {
				t.Errorf("sets = %v, want %v", m.DimensionSets, tc.published)
			}
			for _, s := range tc.published {
				if !m.Publishes(s) {
					t.Errorf("not published under %s", s)
				}
			}
			for _, s := range tc.not {
				if m.Publishes(s) {
					t.Errorf("published under %s", s)
				}
			}
		})
	}
}

func TestCatalog_StatisticsFollowTheReference(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		typ      LoadBalancerType
		metric   string
		stats    []string
		extended bool
	}{
		"counts are Sum":                     {Application, "HTTPCode_Target_5XX_Count", []string{Sum}, false},
		"RequestCountPerTarget only Sum":     {Application, "RequestCountPerTarget", []string{Sum}, false},
		"TargetResponseTime has percentiles": {Application, "TargetResponseTime", []string{Average}, true},
		"health states Minimum":              {Application, "HealthyStateDNS", []string{Minimum}, false},
		"ALB host counts":                    {Application, "UnHealthyHostCount", []string{Average, Maximum, Minimum}, false},
		"NLB host counts":                    {Network, "HealthyHostCount", []string{Maximum, Minimum}, false},
		"ConsumedLCUs all":                   {Application, "ConsumedLCUs", statisticNames, false},
		"SurgeQueueLength Maximum":           {Classic, "SurgeQueueLength", []string{Maximum}, false},
		"CLB Latency":                        {Classic, "Latency", []string{Average, Maximum}, true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m, _ := Lookup(tc.typ, tc.metric)
			if !slices.Equal(m.Statistics, tc.stats) || m.percentiles() != tc.extended {
				t.Errorf("statistics = %v, percentiles %v; want %v, %v", m.Statistics, m.percentiles(), tc.stats, tc.extended)
			}
		})
	}
}

func TestCatalog_ReturnsACopy(t *testing.T) {
	t.Parallel()
	ms := Catalog(Application)
	ms[0].DimensionSets[0][0] = "Changed"
	ms[0].Statistics[0] = "Changed"
	if again := Catalog(Application); again[0].DimensionSets[0][0] == "Changed" || again[0].Statistics[0] == "Changed" {
		t.Error("Catalog exposes the package's data")
	}
	if Catalog("gateway") != nil {
		t.Error("Catalog of an unknown type is not nil")
	}
}

func TestNamespace(t *testing.T) {
	t.Parallel()
	want := map[LoadBalancerType]string{Application: "AWS/ApplicationELB", Network: "AWS/NetworkELB", Classic: "AWS/ELB", "gateway": ""}
	for typ, ns := range want {
		if got := typ.Namespace(); got != ns {
			t.Errorf("%q.Namespace() = %q, want %q", typ, got, ns)
		}
	}
}

// Every preset names catalogue metrics with statistics AWS calls meaningful.
func TestPresets_UseOnlyMeaningfulStatistics(t *testing.T) {
	t.Parallel()
	for _, p := range Presets() {
		for _, typ := range Types() {
			pms, ok := presetMetrics(p, typ)
			if !ok || len(pms) == 0 {
				t.Errorf("%s/%s: empty preset", p, typ)
			}
			seen := map[string]bool{}
			for _, x := range pms {
				m, ok := lookup(typ, x.name)
				if !ok {
					t.Errorf("%s/%s: %s is not in the catalogue", p, typ, x.name)
					continue
				}
				if seen[x.name] {
					t.Errorf("%s/%s: %s listed twice", p, typ, x.name)
				}
				seen[x.name] = true
				if len(x.stats)+len(x.extended) == 0 {
					t.Errorf("%s/%s: %s has no statistic", p, typ, x.name)
				}
				for _, s := range x.stats {
					if !slices.Contains(m.Statistics, s) {
						t.Errorf("%s/%s: %s asks %s, not meaningful (%v)", p, typ, x.name, s, m.Statistics)
					}
				}
				if len(x.extended) > 0 && !m.percentiles() {
					t.Errorf("%s/%s: %s asks percentiles", p, typ, x.name)
				}
			}
		}
	}
}

// PresetDefault holds every metric the original guide asked for, plus
// HTTPCode_Target_5XX_Count.
func TestPresetDefault_CoversTheOriginalGuide(t *testing.T) {
	t.Parallel()
	pms, _ := presetMetrics(PresetDefault, Application)
	var names []string
	for _, p := range pms {
		names = append(names, p.name)
	}
	for _, m := range append(slices.Clone(originalGuideMetrics), "HTTPCode_Target_5XX_Count") {
		if !slices.Contains(names, m) {
			t.Errorf("PresetDefault lacks %s", m)
		}
	}
	if len(names) != len(originalGuideMetrics)+1 {
		t.Errorf("PresetDefault has %d ALB metrics, want %d", len(names), len(originalGuideMetrics)+1)
	}
}

// originalGuideMetrics are the 30 AWS/ApplicationELB metrics of the original
// guide, all of which it asked at {AvailabilityZone, LoadBalancer, TargetGroup}.
var originalGuideMetrics = []string{
	"ActiveConnectionCount", "AnomalousHostCount", "ConsumedLCUs", "DesyncMitigationMode_NonCompliant_Request_Count",
	"ForwardedInvalidHeaderRequestCount", "HTTPCode_ELB_4XX_Count", "HTTPCode_ELB_502_Count", "HTTPCode_ELB_503_Count",
	"HTTPCode_ELB_504_Count", "HTTPCode_ELB_5XX_Count", "HTTPCode_Target_2XX_Count", "HTTPCode_Target_3XX_Count",
	"HTTPCode_Target_4XX_Count", "HTTP_Fixed_Response_Count", "HealthyHostCount", "HealthyStateDNS",
	"HealthyStateRouting", "MitigatedHostCount", "NewConnectionCount", "PeakLCUs", "ProcessedBytes", "RequestCount",
	"RequestCountPerTarget", "RuleEvaluations", "TargetConnectionErrorCount", "TargetResponseTime",
	"UnHealthyHostCount", "UnhealthyRoutingRequestCount", "UnhealthyStateDNS", "UnhealthyStateRouting",
}

// deadGuideMetrics are the 14 the guide asks under a set never published.
var deadGuideMetrics = []string{
	"ActiveConnectionCount", "ConsumedLCUs", "DesyncMitigationMode_NonCompliant_Request_Count",
	"ForwardedInvalidHeaderRequestCount", "HTTPCode_ELB_4XX_Count", "HTTPCode_ELB_502_Count", "HTTPCode_ELB_503_Count",
	"HTTPCode_ELB_504_Count", "HTTPCode_ELB_5XX_Count", "HTTP_Fixed_Response_Count", "NewConnectionCount", "PeakLCUs",
	"ProcessedBytes", "RuleEvaluations",
}

func TestCatalog_OriginalGuideDeadMetricsAreExactlyThe14(t *testing.T) {
	t.Parallel()
	var dead []string
	for _, name := range originalGuideMetrics {
		m, ok := lookup(Application, name)
		if !ok {
			t.Fatalf("%s not in the catalogue", name)
		}
		if !m.Publishes(DimensionSet{DimTargetGroup, DimAvailabilityZone, DimLoadBalancer}) {
			dead = append(dead, name)
		}
	}
	sort.Strings(dead)
	want := slices.Clone(deadGuideMetrics)
	sort.Strings(want)
	if !slices.Equal(dead, want) {
		t.Errorf("dead at TG+AZ+LB = %v\nwant %v", dead, want)
	}
}
