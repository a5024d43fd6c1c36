package stacks

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/elb-otel/elb-otel/internal/contract"
)

// Context keys the app reads (cdk.json "context", or `cdk deploy -c key=value`).
const (
	CtxOtlpEndpoint           = "elb-otel:otlpEndpoint"
	CtxOtlpProtocol           = "elb-otel:otlpProtocol"
	CtxMetricsOtlpEndpoint    = "elb-otel:metricsOtlpEndpoint"
	CtxMetricsOtlpProtocol    = "elb-otel:metricsOtlpProtocol"
	CtxAllowInsecureEndpoint  = "elb-otel:allowInsecureEndpoint"
	CtxHeadersSecretArn       = "elb-otel:headersSecretArn"
	CtxHeaderNames            = "elb-otel:headerNames"
	CtxEnableLogs             = "elb-otel:enableLogs"
	CtxEnableMetrics          = "elb-otel:enableMetrics"
	CtxLogBucketName          = "elb-otel:logBucketName"
	CtxLogKeyPrefix           = "elb-otel:logKeyPrefix"
	CtxTrigger                = "elb-otel:trigger"
	CtxServiceName            = "elb-otel:serviceName"
	CtxDeleteProcessed        = "elb-otel:deleteProcessedObjects"
	CtxEnableBackfill         = "elb-otel:enableBackfill"
	CtxLoadBalancers          = "elb-otel:loadBalancers"
	CtxClassicLoadBalancers   = "elb-otel:classicLoadBalancers"
	CtxMetricsAllLoadBalancer = "elb-otel:metricsAllLoadBalancers"
	CtxMetricPreset           = "elb-otel:metricPreset"
	CtxMetricsExporter        = "elb-otel:metricsExporter"
	CtxMetricsScrapeInterval  = "elb-otel:metricsScrapeIntervalSeconds"
	CtxMetricsDrop            = "elb-otel:metricsDropMetrics"
	CtxVpcID                  = "elb-otel:vpcId"
	CtxSubnetIDs              = "elb-otel:subnetIds"
	CtxAlarmEmail             = "elb-otel:alarmEmail"
	CtxMetricsMode            = "elb-otel:metricsMode"
	CtxMetricsPollingNames    = "elb-otel:metricsPollingNames"
)

// Metrics modes (elb-otel:metricsMode).
const (
	// MetricsModePolling runs an exporter and a collector in a Fargate task
	// that read CloudWatch with GetMetricData (the metrics stack).
	MetricsModePolling = "polling"
	// MetricsModeStream streams the metrics with a CloudWatch metric stream
	// through Firehose into the log bucket, where the log shipper exports
	// them (in the logs stack; no metrics stack).
	MetricsModeStream = "stream"
)

// LoadBalancerConfig is one entry of elb-otel:loadBalancers.
type LoadBalancerConfig struct {
	// Arn of an Application or Network Load Balancer.
	Arn string `json:"arn"`
	// TargetGroupArns are its target groups, for per-target-group metrics.
	TargetGroupArns []string `json:"targetGroupArns,omitempty"`
	// Logs switches its access logs on into the log bucket. Default: true.
	Logs *bool `json:"logs,omitempty"`
	// ConnectionLogs switches an ALB's connection logs on too. Default: false.
	ConnectionLogs bool `json:"connectionLogs,omitempty"`
}

// Config is the app's configuration, read from context.
type Config struct {
	OtlpEndpoint           string
	OtlpProtocol           string
	MetricsOtlpEndpoint    string
	MetricsOtlpProtocol    string
	AllowInsecureEndpoint  bool
	HeadersSecretArn       string
	HeaderNames            []string
	EnableLogs             bool
	EnableMetrics          bool
	LogBucketName          string
	LogKeyPrefix           string
	Trigger                string
	ServiceName            string
	DeleteProcessed        bool
	EnableBackfill         bool
	LoadBalancers          []LoadBalancerConfig
	ClassicLoadBalancers   []string
	MetricsAllLoadBalancer bool
	MetricPreset           string
	MetricsExporter        string
	MetricsScrapeInterval  int
	MetricsDrop            []string
	VpcID                  string
	SubnetIDs              []string
	AlarmEmail             string
	MetricsMode            string
	MetricsPollingNames    bool
}

var (
	lbArn     = regexp.MustCompile(`^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer/(app|net)/[^/]+/[0-9a-f]+$`)
	tgArn     = regexp.MustCompile(`^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup/[^/]+/[0-9a-f]+$`)
	vpcID     = regexp.MustCompile(`^vpc-[0-9a-f]{8,17}$`)
	subnetID  = regexp.MustCompile(`^subnet-[0-9a-f]{8,17}$`)
	emailAddr = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// ConfigFromContext reads Config from the node's context. Every problem is
// reported at once, naming the key and showing an example.
func ConfigFromContext(node constructs.Node) (Config, error) {
	r := contextReader{node: node}
	c := Config{
		OtlpEndpoint:           r.str(CtxOtlpEndpoint),
		OtlpProtocol:           r.str(CtxOtlpProtocol),
		MetricsOtlpEndpoint:    r.str(CtxMetricsOtlpEndpoint),
		MetricsOtlpProtocol:    r.str(CtxMetricsOtlpProtocol),
		AllowInsecureEndpoint:  r.boolean(CtxAllowInsecureEndpoint, false),
		HeadersSecretArn:       r.str(CtxHeadersSecretArn),
		HeaderNames:            r.list(CtxHeaderNames, `["api-key"]`),
		EnableLogs:             r.boolean(CtxEnableLogs, true),
		EnableMetrics:          r.boolean(CtxEnableMetrics, false),
		LogBucketName:          r.str(CtxLogBucketName),
		LogKeyPrefix:           r.str(CtxLogKeyPrefix),
		Trigger:                r.str(CtxTrigger),
		ServiceName:            r.str(CtxServiceName),
		DeleteProcessed:        r.boolean(CtxDeleteProcessed, false),
		EnableBackfill:         r.boolean(CtxEnableBackfill, false),
		ClassicLoadBalancers:   r.list(CtxClassicLoadBalancers, `["legacy-api"]`),
		MetricsAllLoadBalancer: r.boolean(CtxMetricsAllLoadBalancer, false),
		MetricPreset:           r.str(CtxMetricPreset),
		MetricsExporter:        r.str(CtxMetricsExporter),
		MetricsScrapeInterval:  r.integer(CtxMetricsScrapeInterval, 300),
		MetricsDrop:            r.list(CtxMetricsDrop, `["RuleEvaluations","TargetResponseTime"]`),
		VpcID:                  r.str(CtxVpcID),
		SubnetIDs:              r.list(CtxSubnetIDs, `["subnet-0123456789abcdef0","subnet-0fedcba9876543210"]`),
		AlarmEmail:             r.str(CtxAlarmEmail),
		MetricsMode:            r.str(CtxMetricsMode),
		MetricsPollingNames:    r.boolean(CtxMetricsPollingNames, false),
	}
	if c.MetricsMode == "" {
		c.MetricsMode = MetricsModePolling
	}
	c.LoadBalancers = r.loadBalancers()
	if c.MetricsOtlpEndpoint == "" {
		c.MetricsOtlpEndpoint = c.OtlpEndpoint
	}
	r.check(c)
	return c, errors.Join(r.errs...)
}

type contextReader struct {
	node constructs.Node
	errs []error
}

func (r *contextReader) fail(key, format string, a ...any) {
	r.errs = append(r.errs, fmt.Errorf("context %s "+format, append([]any{key}, a...)...))
}

func (r *contextReader) raw(key string) any {
	return r.node.TryGetContext(&key)
}

func (r *contextReader) str(key string) string {
	switch v := r.raw(key).(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(v)
	default:
		return strings.TrimSpace(fmt.Sprint(v))
	}
}

func (r *contextReader) boolean(key string, def bool) bool {
	switch v := r.raw(key).(type) {
	case nil:
		return def
	case bool:
		return v
	}
	s := r.str(key)
	if s == "" {
		return def
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		r.fail(key, "must be true or false, got %q (example: -c %s=true)", s, key)
	}
	return b
}

// integer reads a whole number (a JSON number in cdk.json, or a -c string).
func (r *contextReader) integer(key string, def int) int {
	if f, ok := r.raw(key).(float64); ok && f == float64(int(f)) {
		return int(f)
	}
	s := r.str(key)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		r.fail(key, "must be a whole number, got %q (example: -c %s=%d)", s, key, def)
	}
	return n
}

// list reads a JSON array (from cdk.json, or a -c value starting with "[")
// or a comma-separated -c value.
func (r *contextReader) list(key, example string) []string {
	v := r.raw(key)
	if s, ok := v.(string); ok {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
		if !strings.HasPrefix(s, "[") {
			var out []string
			for _, part := range strings.Split(s, ",") {
				if part = strings.TrimSpace(part); part != "" {
					out = append(out, part)
				}
			}
			return out
		}
		var out []string
		if err := json.Unmarshal([]byte(s), &out); err != nil {
			r.fail(key, "must be a list of strings, got %q (example: %s)", s, example)
		}
		return out
	}
	if v == nil {
		return nil
	}
	items, ok := v.([]interface{})
	if !ok {
		r.fail(key, "must be a list of strings, got %v (example: %s)", v, example)
		return nil
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := it.(string)
		if !ok {
			r.fail(key, "must be a list of strings, got item %v (example: %s)", it, example)
			continue
		}
		out = append(out, strings.TrimSpace(s))
	}
	return out
}

const loadBalancersExample = `[{"arn":"arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188",` +
	`"targetGroupArns":["arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/73e2d6bc24d8a067"],"connectionLogs":true}]`

func (r *contextReader) loadBalancers() []LoadBalancerConfig {
	v := r.raw(CtxLoadBalancers)
	if v == nil {
		return nil
	}
	var raw []byte
	if s, ok := v.(string); ok {
		if strings.TrimSpace(s) == "" {
			return nil
		}
		raw = []byte(s)
	} else {
		raw, _ = json.Marshal(v)
	}
	var lbs []LoadBalancerConfig
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&lbs); err != nil {
		r.fail(CtxLoadBalancers, "must be a JSON list of {arn, targetGroupArns, logs, connectionLogs}: %v (example: %s)", err, loadBalancersExample)
		return nil
	}
	return lbs
}

func (r *contextReader) check(c Config) {
	if c.OtlpEndpoint == "" {
		r.fail(CtxOtlpEndpoint, "is required: the OTLP/HTTP endpoint to ship to (example: -c %s=https://otlp.example.com:4318)", CtxOtlpEndpoint)
	} else if !*awscdk.Token_IsUnresolved(jsii.String(c.OtlpEndpoint)) {
		// The same check as the constructs', so a bad value fails with the
		// same message wherever it is given.
		if err := contract.ValidateEndpoint(c.OtlpEndpoint, contract.EndpointRules{AllowHTTP: c.AllowInsecureEndpoint}); err != nil {
			r.fail(CtxOtlpEndpoint, "%v", err)
		}
	}
	if c.HeadersSecretArn != "" {
		if err := contract.ValidateSecretARN(c.HeadersSecretArn); err != nil {
			r.fail(CtxHeadersSecretArn, "%v", err)
		}
	}
	if len(c.HeaderNames) > 0 && c.HeadersSecretArn == "" {
		r.fail(CtxHeaderNames, "needs %s: the header values are read from that secret", CtxHeadersSecretArn)
	}
	switch c.Trigger {
	case "", "eventbridge", "s3":
	default:
		r.fail(CtxTrigger, "must be \"eventbridge\" or \"s3\", got %q", c.Trigger)
	}
	switch c.MetricPreset {
	case "", "default", "golden-signals", "all":
	default:
		r.fail(CtxMetricPreset, "must be \"default\", \"golden-signals\" or \"all\", got %q", c.MetricPreset)
	}
	switch c.MetricsExporter {
	case "", "cloudwatch-exporter", "yace":
	default:
		r.fail(CtxMetricsExporter, "must be \"cloudwatch-exporter\" or \"yace\", got %q", c.MetricsExporter)
	}
	if c.MetricsScrapeInterval < 60 || c.MetricsScrapeInterval%60 != 0 {
		r.fail(CtxMetricsScrapeInterval, "must be a whole number of minutes in seconds (60, 120, 300, ...), got %d", c.MetricsScrapeInterval)
	}
	for i, lb := range c.LoadBalancers {
		if !lbArn.MatchString(lb.Arn) {
			r.fail(CtxLoadBalancers, "[%d].arn must be an ALB or NLB ARN, got %q (example: %s)", i, lb.Arn, loadBalancersExample)
		}
		for _, tg := range lb.TargetGroupArns {
			if !tgArn.MatchString(tg) {
				r.fail(CtxLoadBalancers, "[%d].targetGroupArns: %q is not a target group ARN (example: %s)", i, tg, loadBalancersExample)
			}
		}
	}
	if c.VpcID != "" && !vpcID.MatchString(c.VpcID) {
		r.fail(CtxVpcID, "must be a VPC id, got %q (example: vpc-0123456789abcdef0)", c.VpcID)
	}
	if (c.VpcID == "") != (len(c.SubnetIDs) == 0) {
		r.fail(CtxSubnetIDs, "and %s go together: the metrics task runs in those subnets of that VPC (example: -c %s=subnet-0123456789abcdef0,subnet-0fedcba9876543210)", CtxVpcID, CtxSubnetIDs)
	}
	for _, s := range c.SubnetIDs {
		if !subnetID.MatchString(s) {
			r.fail(CtxSubnetIDs, "has %q, not a subnet id (example: subnet-0123456789abcdef0)", s)
		}
	}
	if c.AlarmEmail != "" && !emailAddr.MatchString(c.AlarmEmail) {
		r.fail(CtxAlarmEmail, "must be an e-mail address, got %q (example: oncall@example.com)", c.AlarmEmail)
	}
	if !c.EnableLogs && !c.EnableMetrics {
		r.fail(CtxEnableLogs, "and %s are both false: nothing to deploy", CtxEnableMetrics)
	}
	switch c.MetricsMode {
	case MetricsModePolling, MetricsModeStream:
	default:
		r.fail(CtxMetricsMode, "must be %q or %q, got %q (example: -c %s=%s)", MetricsModePolling, MetricsModeStream, c.MetricsMode, CtxMetricsMode, MetricsModeStream)
	}
	if c.MetricsPollingNames && (!c.EnableMetrics || c.MetricsMode != MetricsModeStream) {
		r.fail(CtxMetricsPollingNames, "applies to %s=%s only (the polling mode has those names already): set %s=true and %s=%s, or drop it",
			CtxMetricsMode, MetricsModeStream, CtxEnableMetrics, CtxMetricsMode, MetricsModeStream)
	}
	// A metric stream takes every load balancer of the account and region: it
	// needs none named.
	if c.EnableMetrics && c.MetricsMode == MetricsModePolling && len(c.LoadBalancers) == 0 && len(c.ClassicLoadBalancers) == 0 && !c.MetricsAllLoadBalancer {
		r.fail(CtxEnableMetrics, "needs load balancers to watch: set %s or %s, or %s=true (example: -c '%s=%s')",
			CtxLoadBalancers, CtxClassicLoadBalancers, CtxMetricsAllLoadBalancer, CtxLoadBalancers, loadBalancersExample)
	}
}

// FullName returns the CloudWatch dimension value of an ELB or target group
// ARN: the part after "loadbalancer/" (app/name/id) or the targetgroup/...
// resource.
func FullName(arn string) string {
	if _, rest, ok := strings.Cut(arn, ":loadbalancer/"); ok {
		return rest
	}
	if i := strings.Index(arn, ":targetgroup/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}
