package metricstream

import (
	"sort"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
)

// DefaultServiceName is the service.name when Options.ServiceName is empty,
// the same as the log records'.
const DefaultServiceName = "elb"

// Options shape the exported metrics. The zero Options are valid.
type Options struct {
	// ServiceName is the service.name resource attribute. Default: "elb".
	ServiceName string
	// ResourceAttributes are extra resource attributes (from
	// OTEL_RESOURCE_ATTRIBUTES), applied last, so they can override the
	// others. Default: none.
	ResourceAttributes map[string]string
	// PollingNames turns each Summary into the gauges the polling mode
	// produces, named as its exporter names them (see ToPolling).
	// Default: false, the stream's own metrics are exported as they are.
	PollingNames bool
}

// Source is the S3 object the metrics came from.
type Source struct {
	Bucket string
	Key    string
}

// CompleteResources completes the resource of every ResourceMetrics of req as
// the log path completes the log records' resource: the stream sets
// cloud.provider, cloud.account.id, cloud.region and aws.exporter.arn (the
// metric stream's ARN); this adds cloud.provider when missing,
// aws.s3.bucket and aws.s3.key (the object), service.name, and then
// Options.ResourceAttributes, which override any of them.
func CompleteResources(req *colmetricspb.ExportMetricsServiceRequest, src Source, opts Options) {
	service := opts.ServiceName
	if service == "" {
		service = DefaultServiceName
	}
	extra := make([]string, 0, len(opts.ResourceAttributes))
	for k := range opts.ResourceAttributes {
		extra = append(extra, k)
	}
	sort.Strings(extra)
	for _, rm := range req.ResourceMetrics {
		if rm.Resource == nil {
			rm.Resource = &resourcepb.Resource{}
		}
		attrs := &rm.Resource.Attributes
		setDefault(attrs, "cloud.provider", "aws")
		set(attrs, "aws.s3.bucket", src.Bucket)
		set(attrs, "aws.s3.key", src.Key)
		setDefault(attrs, "service.name", service)
		for _, k := range extra {
			set(attrs, k, opts.ResourceAttributes[k])
		}
	}
}

func find(attrs []*commonpb.KeyValue, key string) *commonpb.KeyValue {
	for _, kv := range attrs {
		if kv.GetKey() == key {
			return kv
		}
	}
	return nil
}

func strValue(v string) *commonpb.AnyValue {
	return &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}
}

// set sets key to v, replacing its value when present; an empty v is not set.
func set(attrs *[]*commonpb.KeyValue, key, v string) {
	if v == "" {
		return
	}
	if kv := find(*attrs, key); kv != nil {
		kv.Value = strValue(v)
		return
	}
	*attrs = append(*attrs, &commonpb.KeyValue{Key: key, Value: strValue(v)})
}

// setDefault sets key to v when it is absent.
func setDefault(attrs *[]*commonpb.KeyValue, key, v string) {
	if find(*attrs, key) == nil {
		set(attrs, key, v)
	}
}
