package elbmetrics

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/elb-otel/elb-otel/internal/golden"
)

// goldenYAML compares got with testdata/<test name>.golden.yaml (-update rewrites it).
func goldenYAML(t *testing.T, got []byte) {
	t.Helper()
	golden.AssertFile(t, filepath.Join("testdata", strings.ReplaceAll(t.Name(), "/", "_")+".golden.yaml"), got)
}

var allTargets = []Target{albTarget, nlbTarget, clbTarget}

// The exporter config of each preset (the collector config does not depend
// on the preset: see TestRenderCollector).
func TestRenderExporter(t *testing.T) {
	t.Parallel()
	tests := map[string]ExporterConfig{
		"default":        {Region: "eu-west-1", UseGetMetricData: true, Targets: allTargets},
		"golden-signals": {Region: "eu-west-1", UseGetMetricData: true, Targets: allTargets, Selection: Selection{Preset: PresetGoldenSignals}},
		"all":            {Region: "eu-west-1", UseGetMetricData: true, Targets: allTargets, Selection: Selection{Preset: PresetAll}},
		// No targets: ListMetrics finds every load balancer, cached an hour.
		"default_discovery": {Region: "eu-west-1", UseGetMetricData: true},
		// Per-AZ with targets: LB/TG pinned, zones listed; GetMetricStatistics.
		"golden-signals_az_gms": {Region: "us-east-1", Targets: []Target{albTarget},
			Selection: Selection{Preset: PresetGoldenSignals, Levels: []Level{LevelLoadBalancer, LevelTargetGroup, LevelAvailabilityZone}}},
	}
	for name, c := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := RenderExporter(c)
			if err != nil {
				t.Fatal(err)
			}
			goldenYAML(t, got)
			checkExporterYAML(t, got, NeedsListMetrics(c))
		})
	}
}

// checkExporterYAML reads the rendered YAML back as the exporter would.
func checkExporterYAML(t *testing.T, b []byte, listMetrics bool) {
	t.Helper()
	var doc struct {
		Region      string `yaml:"region"`
		Period      int    `yaml:"period_seconds"`
		Range       int    `yaml:"range_seconds"`
		Delay       int    `yaml:"delay_seconds"`
		CacheTTL    *int   `yaml:"list_metrics_cache_ttl"`
		GetMetricDt *bool  `yaml:"use_get_metric_data"`
		Metrics     []struct {
			Namespace  string              `yaml:"aws_namespace"`
			Name       string              `yaml:"aws_metric_name"`
			Dimensions []string            `yaml:"aws_dimensions"`
			Select     map[string][]string `yaml:"aws_dimension_select"`
			Statistics []string            `yaml:"aws_statistics"`
			Extended   []string            `yaml:"aws_extended_statistics"`
		} `yaml:"metrics"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Period != 300 || doc.Range != 240 || doc.Delay != 600 || doc.GetMetricDt == nil || len(doc.Metrics) == 0 {
		t.Errorf("globals: %+v", doc)
	}
	if (doc.CacheTTL != nil) != listMetrics {
		t.Errorf("list_metrics_cache_ttl %v with NeedsListMetrics %v", doc.CacheTTL, listMetrics)
	}
	for _, m := range doc.Metrics {
		checkRulePublished(t, Rule{Namespace: m.Namespace, Metric: m.Name, Dimensions: m.Dimensions,
			Statistics: m.Statistics, ExtendedStatistics: m.Extended, DimensionSelect: m.Select})
	}
}

func TestRenderCollector(t *testing.T) {
	t.Parallel()
	tests := map[string]CollectorConfig{
		"http": {Endpoint: "https://otlp.example.com:4318", HeaderEnv: map[string]string{"X-Api-Key": "OTLP_API_KEY"},
			ResourceAttributes: map[string]string{"deployment.environment.name": "prod"}},
		"grpc_debug": {Endpoint: "collector.internal:4317", Protocol: ProtocolGRPC, Insecure: true, Compression: "zstd",
			HeaderEnv: map[string]string{"authorization": "OTLP_AUTH", "x-tenant": "OTLP_TENANT"}, Debug: true,
			MemoryLimitPercentage: 75, SpikeLimitPercentage: 15, ExporterAddress: "localhost:9106", HealthCheckEndpoint: "0.0.0.0:13133"},
	}
	for name, c := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := RenderCollector(c)
			if err != nil {
				t.Fatal(err)
			}
			goldenYAML(t, got)
			if strings.Contains(string(got), "prod") {
				t.Error("resource attributes belong in Environment(), not in the config")
			}
		})
	}
}

// The config holds ${env:VAR} for each header, never a value, and the
// relabel rule that sets service=elb for the three namespaces.
func TestRenderCollector_Content(t *testing.T) {
	t.Parallel()
	b, err := RenderCollector(CollectorConfig{Endpoint: "https://otlp.example.com", HeaderEnv: map[string]string{"X-Api-Key": "OTLP_API_KEY"}})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Receivers struct {
			Prometheus struct {
				Config struct {
					ScrapeConfigs []struct {
						Interval string `yaml:"scrape_interval"`
						Timeout  string `yaml:"scrape_timeout"`
						Honor    bool   `yaml:"honor_labels"`
						Static   []struct {
							Targets []string `yaml:"targets"`
						} `yaml:"static_configs"`
						Relabel []map[string]any `yaml:"metric_relabel_configs"`
					} `yaml:"scrape_configs"`
				} `yaml:"config"`
			} `yaml:"prometheus"`
		} `yaml:"receivers"`
		Exporters map[string]struct {
			Endpoint string            `yaml:"endpoint"`
			Headers  map[string]string `yaml:"headers"`
		} `yaml:"exporters"`
		Service struct {
			Pipelines map[string]struct {
				Processors []string `yaml:"processors"`
				Exporters  []string `yaml:"exporters"`
			} `yaml:"pipelines"`
		} `yaml:"service"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	sc := doc.Receivers.Prometheus.Config.ScrapeConfigs[0]
	if sc.Interval != "300s" || sc.Timeout != "120s" || sc.Static[0].Targets[0] != "127.0.0.1:9106" {
		t.Errorf("scrape config = %+v", sc)
	}
	relabel := sc.Relabel[1]
	if relabel["target_label"] != "service" || relabel["replacement"] != "elb" || relabel["regex"] != "aws_(applicationelb|networkelb|elb)_.+" {
		t.Errorf("relabel = %v", relabel)
	}
	if h := doc.Exporters["otlp_http"].Headers["X-Api-Key"]; h != "${env:OTLP_API_KEY}" {
		t.Errorf("header = %q", h)
	}
	p := doc.Service.Pipelines["metrics/elb"]
	if strings.Join(p.Processors, ",") != "memory_limiter,resource_detection,batch" || strings.Join(p.Exporters, ",") != "otlp_http" {
		t.Errorf("pipeline = %+v", p)
	}
}

func TestRenderCollector_Errors(t *testing.T) {
	t.Parallel()
	ok := CollectorConfig{Endpoint: "https://otlp.example.com:4318"}
	with := func(f func(*CollectorConfig)) CollectorConfig { c := ok; f(&c); return c }
	tests := map[string]struct {
		c    CollectorConfig
		want string
	}{
		"no endpoint":        {CollectorConfig{}, "Endpoint is required: the OTLP/HTTP base URL"},
		"plaintext http":     {with(func(c *CollectorConfig) { c.Endpoint = "http://collector:4318" }), `Endpoint "http://collector:4318" is plaintext http: use https, or set Insecure`},
		"not a URL":          {with(func(c *CollectorConfig) { c.Endpoint = "otlp.example.com:4318" }), "is not an http(s) base URL"},
		"signal path":        {with(func(c *CollectorConfig) { c.Endpoint = "https://otlp.example.com/v1/metrics" }), "give the base URL, the exporter appends /v1/metrics"},
		"grpc with scheme":   {with(func(c *CollectorConfig) { c.Protocol = ProtocolGRPC; c.Endpoint = "https://otlp.example.com:4317" }), "with Protocol grpc give host:port without a scheme"},
		"grpc without port":  {with(func(c *CollectorConfig) { c.Protocol = ProtocolGRPC; c.Endpoint = "otlp.example.com" }), `Endpoint "otlp.example.com" is not host:port`},
		"protocol":           {with(func(c *CollectorConfig) { c.Protocol = "http/json" }), `Protocol "http/json" is unknown`},
		"compression":        {with(func(c *CollectorConfig) { c.Compression = "br" }), `Compression "br" is unknown`},
		"header value given": {with(func(c *CollectorConfig) { c.HeaderEnv = map[string]string{"X-Api-Key": "sk-123:abc"} }), `HeaderEnv["X-Api-Key"] = "sk-123:abc" is not an environment variable name: give the variable that holds the value, never the value`},
		"header name":        {with(func(c *CollectorConfig) { c.HeaderEnv = map[string]string{"X Api": "KEY"} }), `HeaderEnv: "X Api" is not an HTTP header name`},
		"timeout > interval": {with(func(c *CollectorConfig) { c.ScrapeInterval = 60 * time.Second }), "ScrapeTimeout must be positive, whole milliseconds and at most ScrapeInterval (1m0s), got 2m0s"},
		"interval":           {with(func(c *CollectorConfig) { c.ScrapeInterval = 10 * time.Millisecond }), "ScrapeInterval must be at least 1s"},
		"exporter address":   {with(func(c *CollectorConfig) { c.ExporterAddress = "127.0.0.1" }), `ExporterAddress "127.0.0.1" is not host:port`},
		"memory":             {with(func(c *CollectorConfig) { c.MemoryLimitPercentage = 120 }), "MemoryLimitPercentage must be between 1 and 100, got 120"},
		"spike":              {with(func(c *CollectorConfig) { c.SpikeLimitPercentage = 90 }), "SpikeLimitPercentage must be at least 1 and below MemoryLimitPercentage (80), got 90"},
		"attribute key":      {with(func(c *CollectorConfig) { c.ResourceAttributes = map[string]string{"bad key": "v"} }), `ResourceAttributes: key "bad key"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := RenderCollector(tc.c)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "elbmetrics: ") {
				t.Errorf("error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestRender_ScrapeIntervalMustEqualPeriod(t *testing.T) {
	t.Parallel()
	e := ExporterConfig{Region: "eu-west-1", UseGetMetricData: true}
	c := CollectorConfig{Endpoint: "https://otlp.example.com:4318"}
	if _, _, err := Render(e, c); err != nil {
		t.Fatalf("defaults do not fit together: %v", err)
	}
	e.PeriodSeconds = 600
	_, _, err := Render(e, c)
	if err == nil || !strings.Contains(err.Error(), "CollectorConfig.ScrapeInterval (5m0s) must equal ExporterConfig.PeriodSeconds (10m0s)") {
		t.Errorf("error = %v", err)
	}
	c.ScrapeInterval = 10 * time.Minute
	if _, _, err := Render(e, c); err != nil {
		t.Errorf("600 s both: %v", err)
	}
}

func TestCollectorConfig_Environment(t *testing.T) {
	t.Parallel()
	env := CollectorConfig{ResourceAttributes: map[string]string{
		"service.name": "elb", "deployment.environment.name": "prod eu", "team": "a,b=c+d/é",
	}}.Environment()
	want := "deployment.environment.name=prod%20eu,service.name=elb,team=a%2Cb%3Dc%2Bd/%C3%A9"
	if got := env["OTEL_RESOURCE_ATTRIBUTES"]; got != want {
		t.Errorf("OTEL_RESOURCE_ATTRIBUTES = %q, want %q", got, want)
	}
	if (CollectorConfig{}).Environment() != nil {
		t.Error("Environment without attributes is not nil")
	}
}

func TestPromDuration(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{300 * time.Second: "300s", time.Second: "1s", 1500 * time.Millisecond: "1500ms"} {
		if got := promDuration(d); got != want {
			t.Errorf("promDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

// CDK tokens (resolved at deploy time) survive the YAML unchanged, so the
// resolved value lands inside one quoted scalar.
func TestRenderExporter_KeepsCDKTokensIntact(t *testing.T) {
	t.Parallel()
	lb, tg, region := "${Token[TOKEN.225]}", "${Token[TOKEN.260]}", "${Token[AWS.Region.9]}"
	b, err := RenderExporter(ExporterConfig{Region: region, Targets: []Target{{Type: Application, LoadBalancer: lb, TargetGroups: []string{tg}}}})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Region  string `yaml:"region"`
		Metrics []struct {
			Select map[string][]string `yaml:"aws_dimension_select"`
		} `yaml:"metrics"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Region != region || doc.Metrics[0].Select[DimLoadBalancer][0] != lb {
		t.Errorf("tokens changed: %+v", doc)
	}
	for _, m := range doc.Metrics {
		if v, ok := m.Select[DimTargetGroup]; ok && v[0] != tg {
			t.Errorf("target group token changed: %v", v)
		}
	}
}
