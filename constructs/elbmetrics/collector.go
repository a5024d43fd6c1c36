package elbmetrics

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/elb-otel/elb-otel/internal/contract"
)

// Protocols of the OTLP exporter.
const (
	ProtocolHTTP = "http/protobuf"
	ProtocolGRPC = "grpc"
)

// CollectorConfig is everything the OpenTelemetry Collector config is
// rendered from. The collector scrapes the exporter, labels the ELB metrics
// service=elb, and sends them over OTLP.
type CollectorConfig struct {
	// ScrapeInterval is how often the exporter is scraped; it must equal the
	// exporter's PeriodSeconds (Render checks). Default: 300s.
	ScrapeInterval time.Duration
	// ScrapeTimeout bounds one scrape, which is a whole sequential CloudWatch
	// round in the exporter; at most ScrapeInterval. Default: 120s.
	ScrapeTimeout time.Duration
	// Exporter is the exporter scraped: it decides the default address, the
	// exporter's self-metrics kept, and for YACE the renaming of its
	// dimension_* labels to the names cloudwatch_exporter uses. Default:
	// CloudWatchExporter.
	Exporter ExporterKind
	// ExporterAddress is the exporter's host:port. Default: 127.0.0.1 and the
	// exporter's port, 9106 or 5000 (containers of one Fargate task share
	// localhost).
	ExporterAddress string
	// KeepLoadBalancers, when set, keeps only the ELB series of these load
	// balancers (LoadBalancer or LoadBalancerName dimension values; series
	// without one, per target group only, are kept). YACE lists every load
	// balancer of a namespace, so the metrics construct sets the targets
	// here. Default: every series.
	KeepLoadBalancers []string
	// Endpoint is the OTLP endpoint: for http/protobuf a base URL (the
	// exporter appends /v1/metrics), for grpc host:port. Required.
	Endpoint string
	// Protocol is "http/protobuf" or "grpc". Default: "http/protobuf".
	Protocol string
	// Compression is "gzip", "zstd" or "none". Default: "gzip".
	Compression string
	// HeaderEnv maps an OTLP request header (an API key) to the environment
	// variable that holds its value; the config holds ${env:VAR}, never the
	// value (ECS fills the variable from Secrets Manager). Default: none.
	HeaderEnv map[string]string
	// Insecure allows plaintext: an http:// endpoint, or grpc without TLS.
	// Default: false (TLS required).
	Insecure bool
	// ResourceAttributes are set on every metric's resource. The collector
	// reads them from OTEL_RESOURCE_ATTRIBUTES through the resource detection
	// env detector: set the variables of Environment() on its container.
	// Default: none.
	ResourceAttributes map[string]string
	// MemoryLimitPercentage and SpikeLimitPercentage configure the
	// memory_limiter, as a share of the container's memory. Default: 80, 20.
	MemoryLimitPercentage, SpikeLimitPercentage int
	// Debug adds the debug exporter (basic verbosity, to the container log)
	// to the pipeline. Default: false.
	Debug bool
	// HealthCheckEndpoint is where the health_check extension listens.
	// Default: "127.0.0.1:13133".
	HealthCheckEndpoint string
}

// Defaults of CollectorConfig.
const (
	DefaultScrapeInterval      = 300 * time.Second
	DefaultScrapeTimeout       = 120 * time.Second
	DefaultHealthCheckEndpoint = "127.0.0.1:13133"
)

// ScrapeJobName is the collector's scrape job: the service.name of the
// metrics' resource unless OTEL_RESOURCE_ATTRIBUTES sets one.
const ScrapeJobName = "aws-cloudwatch-metrics"

// Component names in collector v0.159.0 (otlp_grpc and otlp_http since
// v0.144.0, resource_detection since the contrib rename; the old names are
// deprecated aliases).
const (
	componentOTLPHTTP          = "otlp_http"
	componentOTLPGRPC          = "otlp_grpc"
	componentResourceDetection = "resource_detection"
	pipelineName               = "metrics/elb"
)

func (c CollectorConfig) withDefaults() CollectorConfig {
	if c.ScrapeInterval == 0 {
		c.ScrapeInterval = DefaultScrapeInterval
	}
	if c.ScrapeTimeout == 0 {
		c.ScrapeTimeout = DefaultScrapeTimeout
	}
	if c.Exporter == "" {
		c.Exporter = CloudWatchExporter
	}
	if c.ExporterAddress == "" {
		c.ExporterAddress = fmt.Sprintf("127.0.0.1:%d", c.Exporter.Port())
	}
	if c.Protocol == "" {
		c.Protocol = ProtocolHTTP
	}
	if c.Compression == "" {
		c.Compression = "gzip"
	}
	if c.MemoryLimitPercentage == 0 {
		c.MemoryLimitPercentage = 80
	}
	if c.SpikeLimitPercentage == 0 {
		c.SpikeLimitPercentage = 20
	}
	if c.HealthCheckEndpoint == "" {
		c.HealthCheckEndpoint = DefaultHealthCheckEndpoint
	}
	return c
}

var (
	envVarRE     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	headerNameRE = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
	attrKeyRE    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// Validate reports every problem of c at once.
func (c CollectorConfig) Validate() error {
	c = c.withDefaults()
	var errs []error
	fail := func(format string, a ...any) { errs = append(errs, fmt.Errorf("elbmetrics: "+format, a...)) }

	if c.ScrapeInterval < time.Second || c.ScrapeInterval%time.Millisecond != 0 {
		fail("ScrapeInterval must be at least 1s in whole milliseconds, got %s", c.ScrapeInterval)
	}
	if c.ScrapeTimeout <= 0 || c.ScrapeTimeout > c.ScrapeInterval || c.ScrapeTimeout%time.Millisecond != 0 {
		fail("ScrapeTimeout must be positive, whole milliseconds and at most ScrapeInterval (%s), got %s", c.ScrapeInterval, c.ScrapeTimeout)
	}
	if !c.Exporter.valid() {
		fail("Exporter %q is unknown: use %q or %q", c.Exporter, CloudWatchExporter, YACE)
	}
	for i, lb := range c.KeepLoadBalancers {
		if strings.TrimSpace(lb) == "" || strings.ContainsAny(lb, "|;") {
			fail("KeepLoadBalancers[%d] %q is not a load balancer dimension value such as app/my-alb/50dc6c495c0c9188", i, lb)
		}
	}
	checkHostPort(fail, "ExporterAddress", c.ExporterAddress)
	checkHostPort(fail, "HealthCheckEndpoint", c.HealthCheckEndpoint)

	switch c.Protocol {
	case ProtocolHTTP:
		c.validateHTTPEndpoint(fail)
	case ProtocolGRPC:
		switch {
		case c.Endpoint == "":
			fail("Endpoint is required: the OTLP gRPC receiver's host:port, for example otlp.example.com:4317")
		case isToken(c.Endpoint):
		case strings.Contains(c.Endpoint, "://"):
			fail("Endpoint %q: with Protocol grpc give host:port without a scheme (TLS unless Insecure), for example otlp.example.com:4317", c.Endpoint)
		default:
			checkHostPort(fail, "Endpoint", c.Endpoint)
		}
	default:
		fail("Protocol %q is unknown: use %q or %q", c.Protocol, ProtocolHTTP, ProtocolGRPC)
	}
	switch c.Compression {
	case "gzip", "zstd", "none":
	default:
		fail("Compression %q is unknown: use gzip, zstd or none", c.Compression)
	}
	for _, h := range keys(c.HeaderEnv) {
		if !headerNameRE.MatchString(h) {
			fail("HeaderEnv: %q is not an HTTP header name", h)
		}
		if v := c.HeaderEnv[h]; !envVarRE.MatchString(v) {
			fail("HeaderEnv[%q] = %q is not an environment variable name: give the variable that holds the value, never the value", h, v)
		}
	}
	for _, k := range keys(c.ResourceAttributes) {
		if !attrKeyRE.MatchString(k) {
			fail("ResourceAttributes: key %q is not an attribute name such as deployment.environment.name", k)
		}
	}
	if c.MemoryLimitPercentage < 1 || c.MemoryLimitPercentage > 100 {
		fail("MemoryLimitPercentage must be between 1 and 100, got %d", c.MemoryLimitPercentage)
	}
	if c.SpikeLimitPercentage < 1 || c.SpikeLimitPercentage >= c.MemoryLimitPercentage {
		fail("SpikeLimitPercentage must be at least 1 and below MemoryLimitPercentage (%d), got %d", c.MemoryLimitPercentage, c.SpikeLimitPercentage)
	}
	return errors.Join(errs...)
}

func (c CollectorConfig) validateHTTPEndpoint(fail func(string, ...any)) {
	if c.Endpoint == "" {
		fail("Endpoint is required: the OTLP/HTTP base URL, for example https://otlp.example.com:4318")
		return
	}
	if isToken(c.Endpoint) {
		return
	}
	u, err := url.Parse(c.Endpoint)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		fail("Endpoint %q is not an http(s) base URL such as https://otlp.example.com:4318", c.Endpoint)
	case u.Scheme == "http" && !c.Insecure:
		fail("Endpoint %q is plaintext http: use https, or set Insecure for a collector in a private network", c.Endpoint)
	case strings.HasSuffix(u.Path, "/v1/metrics"):
		fail("Endpoint %q ends in /v1/metrics: give the base URL, the exporter appends /v1/metrics", c.Endpoint)
	}
}

func checkHostPort(fail func(string, ...any), field, v string) {
	if isToken(v) {
		return
	}
	host, port, err := net.SplitHostPort(v)
	if err != nil || host == "" {
		fail("%s %q is not host:port", field, v)
		return
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		fail("%s %q has no valid port", field, v)
	}
}

// Environment returns the environment variables the collector container
// needs besides the config and the header secrets: OTEL_RESOURCE_ATTRIBUTES
// for ResourceAttributes (percent-encoded, sorted), when there are any.
func (c CollectorConfig) Environment() map[string]string {
	if len(c.ResourceAttributes) == 0 {
		return nil
	}
	parts := make([]string, 0, len(c.ResourceAttributes))
	for _, k := range keys(c.ResourceAttributes) {
		parts = append(parts, k+"="+encodeAttrValue(c.ResourceAttributes[k]))
	}
	return map[string]string{contract.EnvResourceAttributes: strings.Join(parts, ",")}
}

// encodeAttrValue percent-encodes everything but unreserved URL characters,
// so ',', '=', '+', spaces and non-ASCII survive OTEL_RESOURCE_ATTRIBUTES.
func encodeAttrValue(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		ch := v[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9',
			ch == '-', ch == '.', ch == '_', ch == '~', ch == '/', ch == ':':
			b.WriteByte(ch)
		default:
			fmt.Fprintf(&b, "%%%02X", ch)
		}
	}
	return b.String()
}

// promDuration renders d as a Prometheus duration (300s, 1500ms).
func promDuration(d time.Duration) string {
	if d%time.Second == 0 {
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return strconv.FormatInt(int64(d/time.Millisecond), 10) + "ms"
}

// RenderCollector renders the OpenTelemetry Collector config (YAML) of c for
// collector v0.159.0 (otel/opentelemetry-collector-contrib:0.159.0):
//
//   - receiver prometheus: one job scraping ExporterAddress every
//     ScrapeInterval, in the classic text format the exporter writes, keeping
//     its CloudWatch timestamps; honor_labels stays false, so the target's job
//     and instance make the resource (service.name = ScrapeJobName,
//     service.instance.id = the address) and the exporter's own job label
//     (aws_applicationelb, ...) arrives as the exported_job attribute. Metric
//     relabelling keeps the ELB metrics and the exporter's cloudwatch_* and
//     tagging_api_* self-metrics (dropping its JVM metrics) and sets
//     service=elb on aws_applicationelb_*, aws_networkelb_* and aws_elb_*.
//   - processors memory_limiter (first), resource_detection (env, ecs), batch.
//   - exporter otlp_http or otlp_grpc with compression, headers from
//     ${env:VAR}, retry_on_failure (up to 10 minutes) and a sending_queue; the
//     debug exporter when Debug is set.
//   - extension health_check on HealthCheckEndpoint; pipeline metrics/elb.
func RenderCollector(c CollectorConfig) ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c = c.withDefaults()

	elb := "aws_(applicationelb|networkelb|elb)_.+"
	scrape := map[string]any{
		"job_name":               ScrapeJobName,
		"scrape_interval":        promDuration(c.ScrapeInterval),
		"scrape_timeout":         promDuration(c.ScrapeTimeout),
		"scrape_protocols":       []string{"PrometheusText0.0.4"},
		"honor_labels":           false,
		"honor_timestamps":       true,
		"static_configs":         []any{map[string]any{"targets": []string{c.ExporterAddress}}},
		"metric_relabel_configs": c.relabelConfigs(elb),
	}

	exporterName, exporter := c.otlpExporter()
	exporters := map[string]any{exporterName: exporter}
	pipelineExporters := []string{exporterName}
	if c.Debug {
		exporters["debug"] = map[string]any{"verbosity": "basic"}
		pipelineExporters = append(pipelineExporters, "debug")
	}

	doc := map[string]any{
		"receivers": map[string]any{
			"prometheus": map[string]any{"config": map[string]any{"scrape_configs": []any{scrape}}},
		},
		"processors": map[string]any{
			"memory_limiter": map[string]any{
				"check_interval":         "1s",
				"limit_percentage":       c.MemoryLimitPercentage,
				"spike_limit_percentage": c.SpikeLimitPercentage,
			},
			componentResourceDetection: map[string]any{
				"detectors": []string{"env", "ecs"},
				"override":  true,
			},
			"batch": map[string]any{
				"send_batch_size": 8192,
				"timeout":         "1s",
			},
		},
		"exporters": exporters,
		"extensions": map[string]any{
			"health_check": map[string]any{"endpoint": c.HealthCheckEndpoint},
		},
		"service": map[string]any{
			"extensions": []string{"health_check"},
			"pipelines": map[string]any{
				pipelineName: map[string]any{
					"receivers":  []string{"prometheus"},
					"processors": []string{"memory_limiter", componentResourceDetection, "batch"},
					"exporters":  pipelineExporters,
				},
			},
		},
	}
	return marshalYAML(doc)
}

// otlpExporter returns the OTLP exporter's component name and config:
// compression, headers from ${env:VAR}, retries for up to 10 minutes and a
// sending queue.
func (c CollectorConfig) otlpExporter() (string, map[string]any) {
	exporter := map[string]any{
		"endpoint":    c.Endpoint,
		"compression": c.Compression,
		"retry_on_failure": map[string]any{
			"enabled":          true,
			"initial_interval": "5s",
			"max_interval":     "30s",
			"max_elapsed_time": "10m",
		},
		"sending_queue": map[string]any{
			"enabled":       true,
			"num_consumers": 2,
			"queue_size":    1000,
		},
	}
	if len(c.HeaderEnv) > 0 {
		h := map[string]string{}
		for name, env := range c.HeaderEnv {
			h[name] = "${env:" + env + "}"
		}
		exporter["headers"] = h
	}
	exporterName := componentOTLPHTTP
	if c.Protocol == ProtocolGRPC {
		exporterName = componentOTLPGRPC
		exporter["tls"] = map[string]any{"insecure": c.Insecure}
	}
	return exporterName, exporter
}

// relabelConfigs keeps the ELB series and the exporter's self-metrics,
// renames YACE's dimension labels, keeps only KeepLoadBalancers' series and
// sets service=elb on the ELB series.
func (c CollectorConfig) relabelConfigs(elb string) []any {
	self := "cloudwatch_.+|tagging_api_.+"
	if c.Exporter == YACE {
		self = "yace_.+"
	}
	out := []any{map[string]any{
		"source_labels": []string{"__name__"},
		"regex":         elb + "|" + self,
		"action":        "keep",
	}}
	if c.Exporter == YACE {
		// dimension_load_balancer -> load_balancer, as cloudwatch_exporter
		// names them; $$ is a literal $ in a collector config.
		out = append(out,
			map[string]any{"regex": "dimension_(.+)", "replacement": "$${1}", "action": "labelmap"},
			map[string]any{"regex": "dimension_.+", "action": "labeldrop"})
	}
	if len(c.KeepLoadBalancers) > 0 {
		alt := make([]string, len(c.KeepLoadBalancers))
		for i, lb := range c.KeepLoadBalancers {
			alt[i] = lb
			if !isToken(lb) { // a token resolves to app/<name>/<id>: no metacharacters
				alt[i] = regexp.QuoteMeta(lb)
			}
		}
		// load_balancer;load_balancer_name: each empty or one of ours.
		names := "(" + strings.Join(alt, "|") + ")?"
		out = append(out, map[string]any{
			"source_labels": []string{"load_balancer", "load_balancer_name"},
			"regex":         names + ";" + names,
			"action":        "keep",
		})
	}
	return append(out, map[string]any{
		// No $ here; a $ in a collector config must be written $$.
		"source_labels": []string{"__name__"},
		"regex":         elb,
		"target_label":  "service",
		"replacement":   "elb",
		"action":        "replace",
	})
}

// Render renders both configs and checks they fit together: the scrape
// interval must equal the exporter's period, or each scrape reads a period
// that does not line up with the last one.
func Render(e ExporterConfig, c CollectorConfig) (exporterYAML, collectorYAML []byte, err error) {
	var errs []error
	exporterYAML, err = RenderExporter(e)
	errs = append(errs, err)
	collectorYAML, err = RenderCollector(c)
	errs = append(errs, err)
	period := time.Duration(e.withDefaults().PeriodSeconds) * time.Second
	if ek, ck := e.withDefaults().Exporter, c.withDefaults().Exporter; ek != ck {
		errs = append(errs, fmt.Errorf("elbmetrics: CollectorConfig.Exporter (%s) must equal ExporterConfig.Exporter (%s)", ck, ek))
	}
	if interval := c.withDefaults().ScrapeInterval; interval != period {
		errs = append(errs, fmt.Errorf("elbmetrics: CollectorConfig.ScrapeInterval (%s) must equal ExporterConfig.PeriodSeconds (%s): set both to the same value", interval, period))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	return exporterYAML, collectorYAML, nil
}
