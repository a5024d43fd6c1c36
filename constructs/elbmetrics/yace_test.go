package elbmetrics

import (
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// yaceDoc is the part of YACE's config (pkg/config ScrapeConf, v1alpha1)
// the renderer writes.
type yaceDoc struct {
	APIVersion      string `yaml:"apiVersion"`
	CustomNamespace []struct {
		Name           string   `yaml:"name"`
		Namespace      string   `yaml:"namespace"`
		Regions        []string `yaml:"regions"`
		DimensionNames []string `yaml:"dimensionNameRequirements"`
		RecentlyActive bool     `yaml:"recentlyActiveOnly"`
		Period         int      `yaml:"period"`
		Length         int      `yaml:"length"`
		Delay          int      `yaml:"delay"`
		NilToZero      *bool    `yaml:"nilToZero"`
		Timestamp      *bool    `yaml:"addCloudwatchTimestamp"`
		Metrics        []struct {
			Name       string         `yaml:"name"`
			Statistics []string       `yaml:"statistics"`
			Rest       map[string]any `yaml:",inline"`
		} `yaml:"metrics"`
	} `yaml:"customNamespace"`
}

// The YACE config of each preset: the same metric-statistics and dimension
// sets as the cloudwatch_exporter config, grouped into one job per
// namespace and dimension set.
func TestRenderYACE(t *testing.T) {
	t.Parallel()
	tests := map[string]ExporterConfig{
		"default":        {Region: "eu-west-1", Targets: allTargets},
		"golden-signals": {Region: "eu-west-1", Targets: allTargets, Selection: Selection{Preset: PresetGoldenSignals}},
		"az_discovery": {Region: "us-east-1", Types: []LoadBalancerType{Application}, PeriodSeconds: 60, DelaySeconds: 120,
			Selection: Selection{Preset: PresetGoldenSignals, Levels: []Level{LevelLoadBalancer, LevelAvailabilityZone}}},
	}
	for name, c := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c.Exporter = YACE
			got, err := RenderExporter(c)
			if err != nil {
				t.Fatal(err)
			}
			goldenYAML(t, got)
			checkYACEAgainstRules(t, c, got)
		})
	}
}

// checkYACEAgainstRules reads the YACE config back and compares it, metric
// by metric, with the rules the cloudwatch_exporter config is rendered from.
func checkYACEAgainstRules(t *testing.T, c ExporterConfig, b []byte) {
	t.Helper()
	var doc yaceDoc
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	rules, err := c.Rules()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{} // namespace|set|metric -> statistics
	for _, r := range rules {
		k := r.Namespace + "|" + r.Dimensions.key() + "|" + r.Metric
		for _, s := range append(slices.Clone(r.Statistics), r.ExtendedStatistics...) {
			if !slices.Contains(want[k], s) {
				want[k] = append(want[k], s)
			}
		}
	}
	c = c.withDefaults()
	got := map[string][]string{}
	for _, j := range doc.CustomNamespace {
		// YACE v0.62.1 reads delay at the job level only (a metric's delay is
		// ignored), so timing lives on the job and nowhere else.
		if j.Period != c.PeriodSeconds || j.Length != c.PeriodSeconds || j.Delay != c.DelaySeconds ||
			j.NilToZero == nil || *j.NilToZero || j.Timestamp == nil || !*j.Timestamp ||
			len(j.Regions) != 1 || j.Regions[0] != c.Region || !j.RecentlyActive {
			t.Errorf("job %s: %+v", j.Name, j)
		}
		for _, m := range j.Metrics {
			if len(m.Rest) > 0 {
				t.Errorf("job %s metric %s has its own settings %v (YACE ignores a metric's delay)", j.Name, m.Name, m.Rest)
			}
			got[j.Namespace+"|"+strings.Join(j.DimensionNames, ",")+"|"+m.Name] = m.Statistics
		}
	}
	if doc.APIVersion != "v1alpha1" || len(got) != len(want) {
		t.Errorf("apiVersion %q; %d metric entries, want %d", doc.APIVersion, len(got), len(want))
	}
	for k, stats := range want {
		if !slices.Equal(got[k], stats) {
			t.Errorf("%s: statistics %v, want %v", k, got[k], stats)
		}
	}
}

func TestRenderYACE_Timing(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		c    ExporterConfig
		want string // "" = valid
	}{
		"one minute":          {ExporterConfig{Exporter: YACE, PeriodSeconds: 60}, ""},
		"one minute for java": {ExporterConfig{PeriodSeconds: 60}, "PeriodSeconds must be a multiple of 60 and at least 120"},
		"90 s":                {ExporterConfig{Exporter: YACE, PeriodSeconds: 90}, "PeriodSeconds must be a multiple of 60 (ELB publishes one-minute datapoints), got 90"},
		"range = period":      {ExporterConfig{Exporter: YACE, PeriodSeconds: 300, RangeSeconds: 300}, ""},
		"range one period long": {ExporterConfig{Exporter: YACE, PeriodSeconds: 300, RangeSeconds: 600},
			"RangeSeconds must equal PeriodSeconds (300) for yace, got 600"},
		"java range for yace": {ExporterConfig{Exporter: YACE, RangeSeconds: 240}, "RangeSeconds must equal PeriodSeconds (300) for yace, got 240"},
		"unknown exporter":    {ExporterConfig{Exporter: "stackdriver"}, `Exporter "stackdriver" is unknown: use "cloudwatch-exporter" or "yace"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tc.c.Region = "eu-west-1"
			_, err := tc.c.Rules()
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestAPIActions(t *testing.T) {
	t.Parallel()
	pinned := []Target{albTarget}
	tests := map[string]struct {
		c    ExporterConfig
		want string
	}{
		"java pinned, GetMetricData": {ExporterConfig{Region: "eu-west-1", UseGetMetricData: true, Targets: pinned}, "cloudwatch:GetMetricData"},
		"java discovery, statistics": {ExporterConfig{Region: "eu-west-1"}, "cloudwatch:GetMetricStatistics,cloudwatch:ListMetrics"},
		"yace pinned":                {ExporterConfig{Region: "eu-west-1", Exporter: YACE, Targets: pinned}, "cloudwatch:GetMetricData,cloudwatch:ListMetrics,iam:ListAccountAliases"},
		"yace discovery":             {ExporterConfig{Region: "eu-west-1", Exporter: YACE}, "cloudwatch:GetMetricData,cloudwatch:ListMetrics,iam:ListAccountAliases"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := strings.Join(APIActions(tc.c), ","); got != tc.want {
				t.Errorf("APIActions = %s, want %s", got, tc.want)
			}
		})
	}
}

// For YACE the collector scrapes port 5000, keeps YACE's self-metrics,
// renames dimension_* labels and keeps only the named load balancers.
func TestRenderCollector_YACE(t *testing.T) {
	t.Parallel()
	c := CollectorConfig{Exporter: YACE, Endpoint: "https://otlp.example.com:4318", ScrapeInterval: time.Minute, ScrapeTimeout: time.Minute,
		KeepLoadBalancers: []string{"app/web/50dc6c495c0c9188", "${Token[TOKEN.225]}", "legacy-api"}}
	got, err := RenderCollector(c)
	if err != nil {
		t.Fatal(err)
	}
	goldenYAML(t, got)
	if _, _, err := Render(ExporterConfig{Region: "eu-west-1", Targets: []Target{albTarget}}, c); err == nil ||
		!strings.Contains(err.Error(), "CollectorConfig.Exporter (yace) must equal ExporterConfig.Exporter (cloudwatch-exporter)") {
		t.Errorf("mismatched exporters: %v", err)
	}
	if _, err := RenderCollector(CollectorConfig{Endpoint: "https://otlp.example.com:4318", KeepLoadBalancers: []string{"a|b"}}); err == nil ||
		!strings.Contains(err.Error(), `KeepLoadBalancers[0] "a|b" is not a load balancer dimension value`) {
		t.Errorf("bad keep value: %v", err)
	}
}

func TestYACEArgs(t *testing.T) {
	t.Parallel()
	got := strings.Join(YACEArgs("/elb-otel/config.yml", 300), " ")
	if got != "-config.file=/elb-otel/config.yml -listen-address=127.0.0.1:5000 -scraping-interval=300 -labels-snake-case" {
		t.Errorf("YACEArgs = %s", got)
	}
}
