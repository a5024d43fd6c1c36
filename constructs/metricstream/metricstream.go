package metricstream

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesisfirehose"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/elb-otel/elb-otel/constructs/elbmetrics"
)

// OutputFormat is the metric stream's output format; the shipper reads
// OpenTelemetry 1.0.0 only.
const OutputFormat = "opentelemetry1.0"

// Defaults.
const (
	DefaultKeyPrefix         = "elb-otel/metric-stream/"
	DefaultBufferingSeconds  = 60
	DefaultBufferingSizeMiB  = 5
	errorOutputPrefixDefault = "elb-otel/metric-stream-errors/"
)

// MetricStreamProps configures a MetricStream. Only Bucket is required.
type MetricStreamProps struct {
	// Bucket receives the stream's objects: the log shipper's bucket, so its
	// rule (or notification), queue and function pick them up. Required.
	Bucket awss3.IBucket
	// KeyPrefix is where Firehose writes the objects (it appends
	// YYYY/MM/DD/HH/). It must end in "/" and lie outside the load balancers'
	// AWSLogs/ prefix. Default: "elb-otel/metric-stream/".
	KeyPrefix *string
	// Types are the load balancer types whose namespaces are streamed
	// (AWS/ApplicationELB, AWS/NetworkELB, AWS/ELB). Default: all three.
	Types []elbmetrics.LoadBalancerType
	// Preset narrows each namespace's include filter to the preset's metrics,
	// and asks for the preset's percentiles of its latency metrics
	// (TargetResponseTime, Latency). Default: elbmetrics.PresetDefault.
	Preset elbmetrics.Preset
	// AllMetrics streams every metric of the namespaces (no metric-name
	// filter) instead of the preset's; the percentiles stay the preset's.
	// Default: false.
	AllMetrics *bool
	// BufferingInterval is how long Firehose gathers records before it
	// writes an object (0 to 900 seconds). Shorter means fresher metrics and
	// more objects (S3 requests and shipper invocations). Default: 60 seconds.
	BufferingInterval awscdk.Duration
	// BufferingSizeMiB writes an object early once this much has gathered
	// (1 to 128). Default: 5.
	BufferingSizeMiB *float64
}

// MetricStream is a CloudWatch metric stream of the ELB namespaces into a
// Firehose delivery stream that writes to S3.
type MetricStream interface {
	constructs.Construct
	// Stream is the CloudWatch metric stream.
	Stream() awscloudwatch.CfnMetricStream
	// DeliveryStream is the Firehose delivery stream.
	DeliveryStream() awskinesisfirehose.CfnDeliveryStream
	// StreamRole is the role CloudWatch assumes to put records into the
	// delivery stream (firehose:PutRecord and firehose:PutRecordBatch on it).
	StreamRole() awsiam.IRole
	// DeliveryRole is the role Firehose assumes to write the objects
	// (s3:PutObject and s3:AbortMultipartUpload under KeyPrefix and the
	// error prefix; s3:GetBucketLocation and s3:ListBucketMultipartUploads on
	// the bucket).
	DeliveryRole() awsiam.IRole
	// DeliveryStreamName and StreamName are the two streams' names.
	DeliveryStreamName() *string
	StreamName() *string
	// KeyPrefix is the prefix of the objects, ending in "/".
	KeyPrefix() *string
	// ErrorPrefix is where Firehose writes records it could not deliver.
	ErrorPrefix() *string
	// IncludeFilters are the stream's filters: namespace to metric names
	// (none for a whole namespace).
	IncludeFilters() map[string][]string
	// Percentiles are the percentile statistics asked per namespace and
	// metric ("AWS/ApplicationELB/TargetResponseTime" to p50, p90, p99).
	Percentiles() map[string][]string
}

type metricStream struct {
	constructs.Construct
	stream       awscloudwatch.CfnMetricStream
	delivery     awskinesisfirehose.CfnDeliveryStream
	streamRole   awsiam.Role
	deliveryRole awsiam.Role
	prefix       string
	errorPrefix  string
	// deliveryName and streamName are literal names, so the stream and the
	// role refer to the delivery stream by an ARN made of pseudo parameters
	// only (no Ref or GetAtt: tools that lack the type, moto's CloudFormation
	// among them, then still take the template).
	deliveryName string
	streamName   string
	filters      map[string][]string
	percentiles  map[string][]string
}

func (m *metricStream) Stream() awscloudwatch.CfnMetricStream                { return m.stream }
func (m *metricStream) DeliveryStream() awskinesisfirehose.CfnDeliveryStream { return m.delivery }
func (m *metricStream) StreamRole() awsiam.IRole                             { return m.streamRole }
func (m *metricStream) DeliveryRole() awsiam.IRole                           { return m.deliveryRole }
func (m *metricStream) DeliveryStreamName() *string                          { return jsii.String(m.deliveryName) }
func (m *metricStream) StreamName() *string                                  { return jsii.String(m.streamName) }
func (m *metricStream) KeyPrefix() *string                                   { return jsii.String(m.prefix) }
func (m *metricStream) ErrorPrefix() *string                                 { return jsii.String(m.errorPrefix) }
func (m *metricStream) IncludeFilters() map[string][]string                  { return m.filters }
func (m *metricStream) Percentiles() map[string][]string                     { return m.percentiles }

// settings are the props after validation and defaults.
type settings struct {
	prefix      string
	types       []elbmetrics.LoadBalancerType
	preset      elbmetrics.Preset
	allMetrics  bool
	bufferSecs  float64
	bufferMiB   float64
	filters     map[string][]string // namespace -> metric names (nil: all)
	percentiles map[string][]string // namespace/metric -> pNN
}

// NewMetricStream creates the metric stream, the delivery stream and their
// roles. It panics with an error listing every invalid prop.
func NewMetricStream(scope constructs.Construct, id *string, props *MetricStreamProps) MetricStream {
	if props == nil {
		props = &MetricStreamProps{}
	}
	cfg, err := validate(scope, props)
	if err != nil {
		panic(err)
	}
	this := constructs.NewConstruct(scope, id)
	m := &metricStream{Construct: this, prefix: cfg.prefix, errorPrefix: errorOutputPrefixDefault,
		filters: cfg.filters, percentiles: cfg.percentiles}
	if cfg.prefix != DefaultKeyPrefix {
		m.errorPrefix = strings.TrimSuffix(cfg.prefix, "/") + "-errors/"
	}
	base := *awscdk.Names_UniqueResourceName(this, &awscdk.UniqueResourceNameOptions{MaxLength: jsii.Number(55), AllowedSpecialCharacters: jsii.String("-_")})
	m.deliveryName, m.streamName = base+"-delivery", base+"-stream"
	m.deliveryStream(props.Bucket, cfg)
	m.metricStream(cfg)
	m.nagSuppressions()
	return m
}

func validate(scope constructs.Construct, p *MetricStreamProps) (settings, error) {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf("metricstream: "+format, a...)) }
	cfg := settings{prefix: DefaultKeyPrefix, preset: elbmetrics.PresetDefault, bufferSecs: DefaultBufferingSeconds, bufferMiB: DefaultBufferingSizeMiB}
	if p.Bucket == nil {
		add("Bucket is required: give the log shipper's bucket (shipper.Bucket()), so its trigger, queue and function pick the objects up")
	}
	if p.KeyPrefix != nil {
		v := *p.KeyPrefix
		switch {
		case v == "" || strings.HasPrefix(v, "/") || !strings.HasSuffix(v, "/"):
			add("KeyPrefix must be non-empty, not start with \"/\" and end with \"/\", got %q (example: %q)", v, DefaultKeyPrefix)
		case strings.Contains(v, "AWSLogs/") || strings.Contains(v, "!{"):
			add("KeyPrefix must lie outside the load balancers' AWSLogs/ prefix and hold no Firehose expressions, got %q (example: %q)", v, DefaultKeyPrefix)
		}
		cfg.prefix = v
	}
	if p.Preset != "" {
		cfg.preset = p.Preset
	}
	cfg.types = elbmetrics.Types()
	if len(p.Types) > 0 {
		cfg.types = nil
		for i, t := range p.Types {
			if t.Namespace() == "" {
				add("Types[%d] %q is unknown: use %q, %q or %q", i, t, elbmetrics.Application, elbmetrics.Network, elbmetrics.Classic)
				continue
			}
			if !slices.Contains(cfg.types, t) {
				cfg.types = append(cfg.types, t)
			}
		}
	}
	cfg.allMetrics = p.AllMetrics != nil && *p.AllMetrics
	if p.BufferingInterval != nil {
		cfg.bufferSecs = *p.BufferingInterval.ToSeconds(nil)
		if cfg.bufferSecs < 0 || cfg.bufferSecs > 900 {
			add("BufferingInterval must be between 0 and 900 seconds, got %v seconds", cfg.bufferSecs)
		}
	}
	if p.BufferingSizeMiB != nil {
		cfg.bufferMiB = *p.BufferingSizeMiB
		if cfg.bufferMiB < 1 || cfg.bufferMiB > 128 || cfg.bufferMiB != float64(int(cfg.bufferMiB)) {
			add("BufferingSizeMiB must be a whole number between 1 and 128, got %v", cfg.bufferMiB)
		}
	}
	if len(errs) == 0 {
		filters, percentiles, err := presetFilters(awscdk.Stack_Of(scope).Region(), cfg.types, cfg.preset, cfg.allMetrics)
		if err != nil {
			add("Preset %q: %v", cfg.preset, err)
		}
		cfg.filters, cfg.percentiles = filters, percentiles
	}
	return cfg, errors.Join(errs...)
}

// presetFilters returns the include filters and percentiles of a preset, from
// the catalogue's exporter rules (the metrics and extended statistics the
// polling mode fetches for the preset).
func presetFilters(region *string, types []elbmetrics.LoadBalancerType, preset elbmetrics.Preset, all bool) (map[string][]string, map[string][]string, error) {
	rules, err := elbmetrics.ExporterConfig{
		Region: *region, Types: types,
		Selection: elbmetrics.Selection{Preset: preset, Levels: []elbmetrics.Level{
			elbmetrics.LevelLoadBalancer, elbmetrics.LevelTargetGroup, elbmetrics.LevelAvailabilityZone}},
	}.Rules()
	if err != nil {
		return nil, nil, err
	}
	filters := map[string][]string{}
	percentiles := map[string][]string{}
	for _, t := range types {
		filters[t.Namespace()] = nil
	}
	for _, r := range rules {
		if !all && !slices.Contains(filters[r.Namespace], r.Metric) {
			filters[r.Namespace] = append(filters[r.Namespace], r.Metric)
		}
		key := r.Namespace + "/" + r.Metric
		for _, p := range r.ExtendedStatistics {
			if !slices.Contains(percentiles[key], p) {
				percentiles[key] = append(percentiles[key], p)
			}
		}
	}
	for _, names := range filters {
		sort.Strings(names)
	}
	return filters, percentiles, nil
}

func (m *metricStream) deliveryStream(bucket awss3.IBucket, cfg settings) {
	stack := awscdk.Stack_Of(m.Construct)
	m.deliveryRole = awsiam.NewRole(m.Construct, jsii.String("DeliveryRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("firehose.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]interface{}{"StringEquals": map[string]interface{}{"aws:SourceAccount": stack.Account()}},
		}),
		Description: jsii.String("elb-otel metric stream: Firehose writes the stream's objects to the log bucket"),
	})
	m.deliveryRole.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("s3:AbortMultipartUpload", "s3:PutObject"),
		Resources: &[]*string{
			bucket.ArnForObjects(jsii.String(m.prefix + "*")),
			bucket.ArnForObjects(jsii.String(m.errorPrefix + "*")),
		},
	}))
	m.deliveryRole.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:GetBucketLocation", "s3:ListBucketMultipartUploads"),
		Resources: &[]*string{bucket.BucketArn()},
	}))
	m.delivery = awskinesisfirehose.NewCfnDeliveryStream(m.Construct, jsii.String("DeliveryStream"), &awskinesisfirehose.CfnDeliveryStreamProps{
		DeliveryStreamName: jsii.String(m.deliveryName),
		DeliveryStreamType: jsii.String("DirectPut"),
		DeliveryStreamEncryptionConfigurationInput: &awskinesisfirehose.CfnDeliveryStream_DeliveryStreamEncryptionConfigurationInputProperty{
			KeyType: jsii.String("AWS_OWNED_CMK"),
		},
		ExtendedS3DestinationConfiguration: &awskinesisfirehose.CfnDeliveryStream_ExtendedS3DestinationConfigurationProperty{
			BucketArn:         bucket.BucketArn(),
			RoleArn:           m.deliveryRole.RoleArn(),
			Prefix:            jsii.String(m.prefix),
			ErrorOutputPrefix: jsii.String(m.errorPrefix + "!{firehose:error-output-type}/"),
			BufferingHints: &awskinesisfirehose.CfnDeliveryStream_BufferingHintsProperty{
				IntervalInSeconds: jsii.Number(cfg.bufferSecs),
				SizeInMBs:         jsii.Number(cfg.bufferMiB),
			},
			// The shipper gunzips by content; the protobuf compresses about 5x.
			CompressionFormat: jsii.String("GZIP"),
		},
	})
	// Firehose checks the role's permissions when the stream is created.
	m.delivery.Node().AddDependency(m.deliveryRole.Node().FindChild(jsii.String("DefaultPolicy")))
}

func (m *metricStream) metricStream(cfg settings) {
	stack := awscdk.Stack_Of(m.Construct)
	m.streamRole = awsiam.NewRole(m.Construct, jsii.String("StreamRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("streams.metrics.cloudwatch.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]interface{}{"StringEquals": map[string]interface{}{"aws:SourceAccount": stack.Account()}},
		}),
		Description: jsii.String("elb-otel metric stream: CloudWatch puts metric updates into the delivery stream"),
	})
	m.streamRole.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("firehose:PutRecord", "firehose:PutRecordBatch"),
		Resources: &[]*string{m.deliveryArn()},
	}))

	var include []interface{}
	for _, t := range cfg.types {
		ns := t.Namespace()
		f := &awscloudwatch.CfnMetricStream_MetricStreamFilterProperty{Namespace: jsii.String(ns)}
		if names := cfg.filters[ns]; len(names) > 0 {
			f.MetricNames = jsii.Strings(names...)
		}
		include = append(include, f)
	}
	var stats []interface{}
	keys := make([]string, 0, len(cfg.percentiles))
	for k := range cfg.percentiles {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		i := strings.LastIndexByte(k, '/')
		stats = append(stats, &awscloudwatch.CfnMetricStream_MetricStreamStatisticsConfigurationProperty{
			AdditionalStatistics: jsii.Strings(cfg.percentiles[k]...),
			IncludeMetrics: []interface{}{&awscloudwatch.CfnMetricStream_MetricStreamStatisticsMetricProperty{
				Namespace: jsii.String(k[:i]), MetricName: jsii.String(k[i+1:]),
			}},
		})
	}
	props := &awscloudwatch.CfnMetricStreamProps{
		Name:           jsii.String(m.streamName),
		FirehoseArn:    m.deliveryArn(),
		RoleArn:        m.streamRole.RoleArn(),
		OutputFormat:   jsii.String(OutputFormat),
		IncludeFilters: include,
	}
	if len(stats) > 0 {
		props.StatisticsConfigurations = stats
	}
	m.stream = awscloudwatch.NewCfnMetricStream(m.Construct, jsii.String("Resource"), props)
	// CloudWatch checks it may put records when the stream is created.
	m.stream.Node().AddDependency(m.streamRole.Node().FindChild(jsii.String("DefaultPolicy")), m.delivery)
}

// deliveryArn is the delivery stream's ARN, from its literal name.
func (m *metricStream) deliveryArn() *string {
	return awscdk.Stack_Of(m.Construct).FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("firehose"), Resource: jsii.String("deliverystream"), ResourceName: jsii.String(m.deliveryName),
	})
}

func (m *metricStream) nagSuppressions() {
	cdknag.NagSuppressions_AddResourceSuppressions(m.deliveryRole, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("Firehose names each object by date and a random suffix under the stream's prefix " +
			"(<prefix>YYYY/MM/DD/HH/<name>-...), so s3:PutObject and s3:AbortMultipartUpload are granted on the " +
			"prefix and the error prefix only"),
		AppliesTo: &[]interface{}{map[string]*string{"regex": jsii.String(`/^Resource::.*\/\*$/`)}},
	}}, jsii.Bool(true))
}
