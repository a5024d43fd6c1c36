package stacks

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
)

// Context keys the app reads (cdk.json "context", or `cdk deploy -c key=value`).
const (
	CtxOtlpEndpoint          = "elb-otel:otlpEndpoint"
	CtxOtlpProtocol          = "elb-otel:otlpProtocol"
	CtxAllowInsecureEndpoint = "elb-otel:allowInsecureEndpoint"
	CtxHeadersSecretArn      = "elb-otel:headersSecretArn"
	CtxLogBucketName         = "elb-otel:logBucketName"
	CtxLogKeyPrefix          = "elb-otel:logKeyPrefix"
	CtxTrigger               = "elb-otel:trigger"
	CtxServiceName           = "elb-otel:serviceName"
	CtxDeleteProcessed       = "elb-otel:deleteProcessedObjects"
	CtxEnableBackfill        = "elb-otel:enableBackfill"
)

// Config is the app's configuration, read from context.
type Config struct {
	OtlpEndpoint          string
	OtlpProtocol          string
	AllowInsecureEndpoint bool
	HeadersSecretArn      string
	LogBucketName         string
	LogKeyPrefix          string
	Trigger               string
	ServiceName           string
	DeleteProcessed       bool
	EnableBackfill        bool
}

// ConfigFromContext reads Config from the node's context. Every problem is
// reported at once, naming the key and showing an example.
func ConfigFromContext(node constructs.Node) (Config, error) {
	var errs []error
	str := func(key string) string {
		v := node.TryGetContext(&key)
		if v == nil {
			return ""
		}
		if s, ok := v.(string); ok {
			return strings.TrimSpace(s)
		}
		return strings.TrimSpace(fmt.Sprint(v))
	}
	boolean := func(key string) bool {
		v := str(key)
		if v == "" {
			return false
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("context %s must be true or false, got %q (example: -c %s=true)", key, v, key))
		}
		return b
	}
	c := Config{
		OtlpEndpoint:          str(CtxOtlpEndpoint),
		OtlpProtocol:          str(CtxOtlpProtocol),
		AllowInsecureEndpoint: boolean(CtxAllowInsecureEndpoint),
		HeadersSecretArn:      str(CtxHeadersSecretArn),
		LogBucketName:         str(CtxLogBucketName),
		LogKeyPrefix:          str(CtxLogKeyPrefix),
		Trigger:               str(CtxTrigger),
		ServiceName:           str(CtxServiceName),
		DeleteProcessed:       boolean(CtxDeleteProcessed),
		EnableBackfill:        boolean(CtxEnableBackfill),
	}
	if c.OtlpEndpoint == "" {
		errs = append(errs, fmt.Errorf("context %s is required: the OTLP/HTTP endpoint to ship to (example: -c %s=https://otlp.example.com:4318)", CtxOtlpEndpoint, CtxOtlpEndpoint))
	}
	if c.HeadersSecretArn != "" && !strings.HasPrefix(c.HeadersSecretArn, "arn:") {
		errs = append(errs, fmt.Errorf("context %s must be a Secrets Manager secret ARN, got %q (example: arn:aws:secretsmanager:us-east-1:123456789012:secret:otlp-headers-AbCdEf)", CtxHeadersSecretArn, c.HeadersSecretArn))
	}
	switch c.Trigger {
	case "", "eventbridge", "s3":
	default:
		errs = append(errs, fmt.Errorf("context %s must be \"eventbridge\" or \"s3\", got %q", CtxTrigger, c.Trigger))
	}
	return c, errors.Join(errs...)
}
