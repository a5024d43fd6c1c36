package logshipper

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3notifications"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/elb-otel/elb-otel/constructs/internal/lambdabuild"
	"github.com/elb-otel/elb-otel/internal/contract"
)

// Environment variables the construct sets on the function, named in the
// contract the function reads them by.
const (
	EnvEndpoint           = contract.EnvEndpoint
	EnvProtocol           = contract.EnvProtocol
	EnvCompression        = contract.EnvCompression
	EnvServiceName        = contract.EnvServiceName
	EnvResourceAttributes = contract.EnvResourceAttributes
	EnvHeadersSecretARN   = contract.EnvHeadersSecretARN
	EnvQueueURL           = contract.EnvQueueURL
	EnvDeleteObjects      = contract.EnvDeleteObjects
	EnvBucket             = contract.EnvBucket
	EnvPrefix             = contract.EnvPrefix
	EnvMetricsEndpoint    = contract.EnvMetricsEndpoint
	EnvMetricsPrefix      = contract.EnvMetricsPrefix
	EnvMetricsPollingName = contract.EnvMetricsPollingNames
)

// readActions are the S3 actions that read a log object: GetObjectVersion
// too, because notifications from a versioned bucket name the version, and
// GetObject with a VersionId needs it.
var readActions = []string{"s3:GetObject", "s3:GetObjectVersion"}

// LogShipper ships the access and connection logs that load balancers write
// to S3 to an OTLP endpoint: bucket -> EventBridge rule or S3 notification ->
// SQS work queue (with a dead-letter queue) -> Go Lambda function.
type LogShipper interface {
	constructs.Construct
	// Bucket is the log bucket in use, new or imported.
	Bucket() awss3.IBucket
	// LogKeyPrefix is the key prefix the shipper reads, ending in "AWSLogs/".
	LogKeyPrefix() *string
	// Queue is the work queue: one message per log object.
	Queue() awssqs.IQueue
	// DeadLetterQueue holds the messages that failed MaxReceiveCount times,
	// and the events the EventBridge rule could not deliver to the work queue.
	DeadLetterQueue() awssqs.IQueue
	// Function is the shipper function.
	Function() awslambda.IFunction
	// LogGroup is the function's own log group.
	LogGroup() awslogs.ILogGroup
	// Rule is the EventBridge rule, or nil with TriggerS3Notification.
	Rule() awsevents.IRule
	// Alarms are the pipeline's alarms: dead-letter queue not empty, function
	// errors, throttles, records the endpoint rejected, notifications the
	// EventBridge rule failed to deliver (TriggerEventBridge), and queue
	// backlog age.
	Alarms() []awscloudwatch.IAlarm
	// Dashboard shows the pipeline: objects, lines, records, bytes, parse
	// errors, retries, lag (from the handler's embedded metrics), queue and
	// dead-letter queue depth, function errors and duration.
	Dashboard() awscloudwatch.Dashboard
	// LogLoadBalancer switches on lb's access logs (and an ALB's connection
	// logs when withConnectionLogs is set) into the bucket, under KeyPrefix.
	LogLoadBalancer(lb AccessLogSource, withConnectionLogs bool)
	// GrantReadLogs lets grantee read the log objects the shipper reads:
	// s3:GetObject and s3:GetObjectVersion on <KeyPrefix>/AWSLogs/* only (for Athena, a backfill job
	// or another consumer). It returns the grant.
	GrantReadLogs(grantee awsiam.IGrantable) awsiam.Grant
	// LogLoadBalancerArn does the same for an existing ALB or NLB that this
	// app does not define, by ARN, through a custom resource; id names it.
	LogLoadBalancerArn(id string, arn string, withConnectionLogs bool)
}

type logShipper struct {
	constructs.Construct
	bucket awss3.IBucket
	prefix string
	// metricsPrefix is the metric stream's prefix, "" without one.
	metricsPrefix string
	queue         awssqs.IQueue
	dlq           awssqs.IQueue
	function      awslambda.IFunction
	logGroup      awslogs.ILogGroup
	rule          awsevents.IRule
	alarms        []awscloudwatch.IAlarm
	dashboard     awscloudwatch.Dashboard
	newBucket     awss3.Bucket
	// deliveryAllowed is set once the ELB log delivery policy is added.
	deliveryAllowed bool
}

func (s *logShipper) Bucket() awss3.IBucket              { return s.bucket }
func (s *logShipper) LogKeyPrefix() *string              { return jsii.String(s.prefix) }
func (s *logShipper) Queue() awssqs.IQueue               { return s.queue }
func (s *logShipper) DeadLetterQueue() awssqs.IQueue     { return s.dlq }
func (s *logShipper) Function() awslambda.IFunction      { return s.function }
func (s *logShipper) LogGroup() awslogs.ILogGroup        { return s.logGroup }
func (s *logShipper) Rule() awsevents.IRule              { return s.rule }
func (s *logShipper) Alarms() []awscloudwatch.IAlarm     { return s.alarms }
func (s *logShipper) Dashboard() awscloudwatch.Dashboard { return s.dashboard }

func (s *logShipper) GrantReadLogs(grantee awsiam.IGrantable) awsiam.Grant {
	return awsiam.Grant_AddToPrincipal(&awsiam.GrantOnPrincipalOptions{
		Grantee:      grantee,
		Actions:      jsii.Strings(readActions...),
		ResourceArns: &[]*string{s.bucket.ArnForObjects(jsii.String(s.prefix + "*"))},
	})
}

// settings are the props after validation and defaults.
type settings struct {
	endpoint        string
	protocol        string
	compression     string
	gzipLevel       int // 0: the function's default
	maxInFlight     int // 0: the function's default
	serviceName     string
	resourceAttrs   string
	prefix          string
	metricsPrefix   string
	metricsEndpoint string
	pollingNames    bool
	trigger         Trigger
	memoryMiB       float64
	timeoutSeconds  float64
	batchSize       float64
	maxConcurrency  float64
	maxReceiveCount float64
	expirationDays  float64
	oldestAgeSecs   float64
	deleteObjects   bool
	onRejected      string
	backfill        bool
	arch            awslambda.Architecture
	goarch          string
	logRetention    awslogs.RetentionDays
	removalPolicy   awscdk.RemovalPolicy
}

// NewLogShipper creates the log shipper. It panics with an error listing every
// invalid prop, so misconfiguration fails `cdk synth` with a fix-it message.
func NewLogShipper(scope constructs.Construct, id *string, props *LogShipperProps) LogShipper {
	if props == nil {
		props = &LogShipperProps{}
	}
	cfg, err := validate(props)
	if err != nil {
		panic(err)
	}
	this := constructs.NewConstruct(scope, id)
	s := &logShipper{Construct: this, prefix: cfg.prefix, metricsPrefix: cfg.metricsPrefix}

	s.bucket = s.logBucket(props, cfg)
	s.dlq = awssqs.NewQueue(this, jsii.String("DeadLetterQueue"), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
	})
	s.queue = awssqs.NewQueue(this, jsii.String("Queue"), &awssqs.QueueProps{
		Encryption: awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL: jsii.Bool(true),
		// AWS recommends six times the function timeout for an SQS event
		// source, so a message is not redelivered while a retrying batch runs.
		VisibilityTimeout: awscdk.Duration_Seconds(jsii.Number(6 * cfg.timeoutSeconds)),
		RetentionPeriod:   awscdk.Duration_Days(jsii.Number(4)),
		DeadLetterQueue: &awssqs.DeadLetterQueue{
			Queue:           s.dlq,
			MaxReceiveCount: jsii.Number(cfg.maxReceiveCount),
		},
	})
	s.trigger(cfg)
	s.shipperFunction(props, cfg)
	s.alarmsFor(props, cfg)
	s.dashboardFor(props)
	s.nagSuppressions()
	return s
}

// nagSuppressions records, for cdk-nag's AwsSolutions pack, why the
// remaining findings are intended.
func (s *logShipper) nagSuppressions() {
	cdknag.NagSuppressions_AddResourceSuppressions(s.Construct, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("ELB writes one object per load balancer node every 5 minutes under date-based keys, so the " +
			"function reads (and, if deletion is on, deletes) objects by prefix: the wildcard is only the key suffix " +
			"under <prefix>/AWSLogs/, and only s3:GetObject/s3:DeleteObject are granted on it"),
		AppliesTo: &[]interface{}{map[string]*string{"regex": jsii.String(`/^Resource::.*\/AWSLogs\/\*$/`)}},
	}}, jsii.Bool(true))
	if s.metricsPrefix != "" {
		cdknag.NagSuppressions_AddResourceSuppressions(s.Construct, &[]*cdknag.NagPackSuppression{{
			Id: jsii.String("AwsSolutions-IAM5"),
			Reason: jsii.String("Firehose writes the metric stream's objects under date-based keys with a random suffix, so " +
				"the function reads (and, if deletion is on, deletes) them by the stream's prefix: the wildcard is only the " +
				"key suffix under MetricsKeyPrefix"),
			AppliesTo: &[]interface{}{map[string]*string{"regex": jsii.String("/^Resource::.*\\/" + strings.ReplaceAll(regexp.QuoteMeta(s.metricsPrefix), "/", `\/`) + "\\*$/")}},
		}}, jsii.Bool(true))
	}
	if s.newBucket != nil {
		cdknag.NagSuppressions_AddResourceSuppressions(s.newBucket, &[]*cdknag.NagPackSuppression{{
			Id: jsii.String("AwsSolutions-S1"),
			Reason: jsii.String("this bucket receives the load balancers' own access logs (written by the ELB log delivery " +
				"service); server access logs of it would record only those deliveries and the shipper's reads. Set " +
				"BucketProps.ServerAccessLogsBucket to turn them on where policy requires it"),
		}}, jsii.Bool(false))
	}
}

// defaults are the settings of nil props.
func defaults() settings {
	return settings{
		protocol:        "http/protobuf",
		compression:     "gzip",
		serviceName:     "elb",
		trigger:         TriggerEventBridge,
		memoryMiB:       1024,
		timeoutSeconds:  300,
		batchSize:       5,
		maxConcurrency:  10,
		maxReceiveCount: 5,
		expirationDays:  90,
		oldestAgeSecs:   1800,
		arch:            awslambda.Architecture_ARM_64(),
		goarch:          "arm64",
		logRetention:    awslogs.RetentionDays_ONE_MONTH,
		removalPolicy:   awscdk.RemovalPolicy_RETAIN,
	}
}

// problems collects every invalid prop, each as "logshipper: ...".
type problems []error

func (e *problems) add(format string, a ...any) {
	*e = append(*e, fmt.Errorf("logshipper: "+format, a...))
}

func validate(p *LogShipperProps) (settings, error) {
	var errs problems
	cfg := defaults()
	validateExport(p, &cfg, &errs)
	validateBucket(p, &cfg, &errs)
	validateFunction(p, &cfg, &errs)
	validateQueue(p, &cfg, &errs)
	validateMetrics(p, &cfg, &errs)
	cfg.deleteObjects = deref(p.DeleteProcessedObjects)
	switch v := deref(p.OnRejectedRecords); v {
	case "", contract.OnRejectedFail, contract.OnRejectedSucceed:
		cfg.onRejected = v
	default:
		errs.add("OnRejectedRecords must be %q (the default: keep the lines recoverable through the dead-letter queue) or %q, got %q", contract.OnRejectedFail, contract.OnRejectedSucceed, v)
	}
	cfg.backfill = deref(p.EnableBackfill)
	return cfg, errors.Join(errs...)
}

// validateMetrics checks the metrics mode stream's props.
func validateMetrics(p *LogShipperProps, cfg *settings, errs *problems) {
	if p.MetricsKeyPrefix != nil {
		mp := *p.MetricsKeyPrefix
		switch {
		case mp == "" || strings.HasPrefix(mp, "/") || !strings.HasSuffix(mp, "/"):
			errs.add("MetricsKeyPrefix must be non-empty, not start with \"/\" and end with \"/\", got %q (example: \"elb-otel/metric-stream/\")", mp)
		case strings.HasPrefix(mp, cfg.prefix) || strings.HasPrefix(cfg.prefix, mp):
			errs.add("MetricsKeyPrefix %q overlaps the log prefix %q: give the metric stream a prefix of its own", mp, cfg.prefix)
		}
		cfg.metricsPrefix = mp
	}
	if v := deref(p.MetricsOtlpEndpoint); v != "" {
		if !*awscdk.Token_IsUnresolved(jsii.String(v)) {
			if err := contract.ValidateEndpoint(v, contract.EndpointRules{AllowHTTP: deref(p.AllowInsecureEndpoint)}); err != nil {
				errs.add("MetricsOtlpEndpoint %v", err)
			}
		}
		cfg.metricsEndpoint = strings.TrimSuffix(v, "/") + "/v1/metrics"
	}
	cfg.pollingNames = deref(p.MetricsPollingNames)
	if (p.MetricsOtlpEndpoint != nil || p.MetricsPollingNames != nil) && cfg.metricsPrefix == "" {
		errs.add("MetricsOtlpEndpoint and MetricsPollingNames need MetricsKeyPrefix: set it to the metric stream's KeyPrefix")
	}
}

// validateSending checks the gzip level and the requests in flight.
func validateSending(p *LogShipperProps, cfg *settings, errs *problems) {
	if p.GzipLevel != nil {
		n := *p.GzipLevel
		if err := contract.ValidateGzipLevel(int(n)); err != nil || n != float64(int(n)) {
			errs.add("GzipLevel must be a whole number from 1 (fastest) to 9 (smallest), got %v", n)
		} else if cfg.compression != "gzip" {
			errs.add("GzipLevel applies to gzip, but OtlpCompression is %q: leave GzipLevel unset", cfg.compression)
		}
		cfg.gzipLevel = int(n)
	}
	if p.MaxInFlight != nil {
		n := *p.MaxInFlight
		if err := contract.ValidateMaxInFlight(int(n)); err != nil || n != float64(int(n)) {
			errs.add("MaxInFlight must be a whole number from 1 to %d, got %v", contract.MaxInFlightLimit, n)
		}
		cfg.maxInFlight = int(n)
	}
}

// validateExport checks what the function exports with: endpoint, protocol,
// compression and the resource. An endpoint that is a CDK token (a parameter,
// an import) is checked by the function when it starts, as aws-cdk-lib
// constructs skip validating tokens.
func validateExport(p *LogShipperProps, cfg *settings, errs *problems) {
	cfg.endpoint = deref(p.OtlpEndpoint)
	if !*awscdk.Token_IsUnresolved(jsii.String(cfg.endpoint)) {
		rules := contract.EndpointRules{AllowHTTP: deref(p.AllowInsecureEndpoint)}
		if err := contract.ValidateEndpoint(cfg.endpoint, rules); err != nil {
			errs.add("OtlpEndpoint %v", err)
		}
	}
	if v := deref(p.OtlpProtocol); v != "" {
		if v != "http/protobuf" && v != "http/json" {
			errs.add("OtlpProtocol must be \"http/protobuf\" or \"http/json\", got %q", v)
		}
		cfg.protocol = v
	}
	if v := deref(p.OtlpCompression); v != "" {
		if err := contract.ValidateCompression(v); err != nil {
			errs.add("OtlpCompression %v", err)
		}
		cfg.compression = v
	}
	validateSending(p, cfg, errs)
	if v := deref(p.ServiceName); v != "" {
		cfg.serviceName = v
	} else if p.ServiceName != nil {
		errs.add("ServiceName must not be empty; leave it unset for the default \"elb\"")
	}
	if p.ResourceAttributes != nil {
		attrs := make(map[string]string, len(*p.ResourceAttributes))
		for k, v := range *p.ResourceAttributes {
			attrs[k] = deref(v)
		}
		enc, err := contract.EncodeResourceAttributes(attrs)
		if err != nil {
			errs.add("ResourceAttributes: %v", err)
		}
		cfg.resourceAttrs = enc
	}
}

// validateBucket checks the log bucket props and the key prefix.
func validateBucket(p *LogShipperProps, cfg *settings, errs *problems) {
	if p.Bucket != nil && p.BucketProps != nil {
		errs.add("set Bucket or BucketProps, not both")
	}
	if p.LogExpiration != nil {
		days := *p.LogExpiration.ToDays(&awscdk.TimeConversionOptions{Integral: jsii.Bool(false)})
		if days < 1 || days != float64(int(days)) {
			errs.add("LogExpiration must be a whole number of days, at least 1, got %v days", days)
		}
		cfg.expirationDays = days
	}
	if p.RemovalPolicy != "" {
		cfg.removalPolicy = p.RemovalPolicy
	}
	prefix := deref(p.KeyPrefix)
	if err := contract.ValidateKeyPrefix(prefix); err != nil {
		errs.add("KeyPrefix %v", err)
	}
	cfg.prefix = contract.LogKeyPrefix(prefix)
	switch p.Trigger {
	case "":
	case TriggerEventBridge, TriggerS3Notification:
		cfg.trigger = p.Trigger
	default:
		errs.add("Trigger must be TriggerEventBridge or TriggerS3Notification, got %q", p.Trigger)
	}
}

// validateFunction checks the function's size, timeout, architecture and logs.
func validateFunction(p *LogShipperProps, cfg *settings, errs *problems) {
	if p.MemorySizeMiB != nil {
		cfg.memoryMiB = *p.MemorySizeMiB
		if cfg.memoryMiB < 128 || cfg.memoryMiB > 10240 {
			errs.add("MemorySizeMiB must be between 128 and 10240, got %v", cfg.memoryMiB)
		}
	}
	if p.Timeout != nil {
		cfg.timeoutSeconds = *p.Timeout.ToSeconds(nil)
		// 6 x timeout is the queue's visibility timeout; SQS allows 12 hours,
		// and Lambda 15 minutes anyway.
		if cfg.timeoutSeconds < 30 || cfg.timeoutSeconds > 900 {
			errs.add("Timeout must be between 30 seconds and 15 minutes (the queue's visibility timeout is six times it, at most 12 hours in SQS), got %v seconds", cfg.timeoutSeconds)
		}
	}
	if p.Architecture != nil {
		switch name := *p.Architecture.Name(); name {
		case "arm64":
			cfg.arch, cfg.goarch = p.Architecture, "arm64"
		case "x86_64":
			cfg.arch, cfg.goarch = p.Architecture, "amd64"
		default:
			errs.add("Architecture must be ARM_64 or X86_64, got %q", name)
		}
	}
	if p.LogRetention != "" {
		cfg.logRetention = p.LogRetention
	}
}

// validateQueue checks the event source and the queue's alarm props.
func validateQueue(p *LogShipperProps, cfg *settings, errs *problems) {
	if p.BatchSize != nil {
		cfg.batchSize = *p.BatchSize
		if cfg.batchSize < 1 || cfg.batchSize > 10 {
			errs.add("BatchSize must be between 1 and 10 log objects, got %v", cfg.batchSize)
		}
	}
	if p.MaxConcurrency != nil {
		cfg.maxConcurrency = *p.MaxConcurrency
		if cfg.maxConcurrency < 2 || cfg.maxConcurrency > 1000 {
			errs.add("MaxConcurrency must be between 2 and 1000 (an SQS event source limit), got %v", cfg.maxConcurrency)
		}
	}
	if p.MaxReceiveCount != nil {
		cfg.maxReceiveCount = *p.MaxReceiveCount
		if cfg.maxReceiveCount < 1 || cfg.maxReceiveCount > 1000 {
			errs.add("MaxReceiveCount must be between 1 and 1000, got %v", cfg.maxReceiveCount)
		}
	}
	if p.OldestMessageAgeAlarmThreshold != nil {
		cfg.oldestAgeSecs = *p.OldestMessageAgeAlarmThreshold.ToSeconds(nil)
		if cfg.oldestAgeSecs < 60 {
			errs.add("OldestMessageAgeAlarmThreshold must be at least 1 minute, got %v seconds", cfg.oldestAgeSecs)
		}
	}
}

func (s *logShipper) logBucket(p *LogShipperProps, cfg settings) awss3.IBucket {
	if p.Bucket != nil {
		return p.Bucket
	}
	bp := awss3.BucketProps{}
	if p.BucketProps != nil {
		bp = *p.BucketProps
	}
	// Construct-required values win over user props: ELB log delivery
	// supports SSE-S3 only, and the bucket must stay private and TLS-only.
	bp.BlockPublicAccess = awss3.BlockPublicAccess_BLOCK_ALL()
	bp.EnforceSSL = jsii.Bool(true)
	bp.Encryption = awss3.BucketEncryption_S3_MANAGED
	bp.ObjectOwnership = awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED
	if bp.RemovalPolicy == "" {
		bp.RemovalPolicy = cfg.removalPolicy
	}
	if bp.LifecycleRules == nil {
		bp.LifecycleRules = &[]*awss3.LifecycleRule{{
			Id:                                  jsii.String("ExpireLogs"),
			Expiration:                          awscdk.Duration_Days(jsii.Number(cfg.expirationDays)),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(7)),
		}}
	}
	bucket := awss3.NewBucket(s.Construct, jsii.String("Bucket"), &bp)
	s.newBucket = bucket
	return bucket
}

// trigger wires new log objects to the work queue.
func (s *logShipper) trigger(cfg settings) {
	switch cfg.trigger {
	case TriggerS3Notification:
		s.s3Notification(cfg)
	default:
		s.eventBridgeRule(cfg)
	}
}

func (s *logShipper) eventBridgeRule(cfg settings) {
	if s.newBucket != nil {
		// A plain bucket property, so no notifications custom resource.
		cfn := s.newBucket.Node().DefaultChild().(awss3.CfnBucket)
		cfn.AddPropertyOverride(jsii.String("NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled"), jsii.Bool(true))
	} else {
		awscdk.Annotations_Of(s.Construct).AddWarningV2(jsii.String("elb-otel:eventbridge-imported-bucket"), jsii.String(
			"the log bucket is imported, so this stack cannot switch on its EventBridge notifications: run "+
				"`aws s3api put-bucket-notification-configuration --bucket <name> --notification-configuration '{\"EventBridgeConfiguration\":{}}'` "+
				"(this keeps no other notification; merge with the bucket's existing configuration), or use Trigger: TriggerS3Notification"), nil)
	}
	rule := awsevents.NewRule(s.Construct, jsii.String("Rule"), &awsevents.RuleProps{
		Description: jsii.String("New ELB log objects to the elb-otel work queue"),
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings("aws.s3"),
			DetailType: jsii.Strings("Object Created"),
			Detail: &map[string]interface{}{
				"bucket": map[string]interface{}{"name": []interface{}{s.bucket.BucketName()}},
				"object": map[string]interface{}{"key": keyPatterns(cfg)},
			},
		},
	})
	// An event EventBridge cannot deliver (after its retries, up to 24 hours)
	// goes to the dead-letter queue, where the DLQ alarm fires and a redrive
	// to the work queue ships it; the rule's FailedInvocations alarm (see
	// alarmsFor) says why the queue refused it.
	rule.AddTarget(awseventstargets.NewSqsQueue(s.queue, &awseventstargets.SqsQueueProps{DeadLetterQueue: s.dlq}))
	s.rule = rule
}

// keyPatterns are the EventBridge key patterns of the prefixes read.
func keyPatterns(cfg settings) []interface{} {
	var out []interface{}
	for _, p := range cfg.prefixes() {
		out = append(out, map[string]interface{}{"prefix": p})
	}
	return out
}

// prefixes are the key prefixes the shipper reads: the logs', and the metric
// stream's when set.
func (cfg settings) prefixes() []string {
	if cfg.metricsPrefix == "" {
		return []string{cfg.prefix}
	}
	return []string{cfg.prefix, cfg.metricsPrefix}
}

func (s *logShipper) s3Notification(cfg settings) {
	if s.newBucket == nil {
		// Imported bucket: only CDK's notifications custom resource can change it.
		for _, p := range cfg.prefixes() {
			s.bucket.AddEventNotification(awss3.EventType_OBJECT_CREATED,
				awss3notifications.NewSqsDestination(s.queue),
				&awss3.NotificationKeyFilter{Prefix: jsii.String(p)})
		}
		stack := awscdk.Stack_Of(s.Construct)
		cdknag.NagSuppressions_AddResourceSuppressionsByPath(stack,
			jsii.String(*stack.Node().Path()+"/BucketNotificationsHandler050a0587b7544547bf325f094a3db834/Role/Resource"),
			&[]*cdknag.NagPackSuppression{{
				Id: jsii.String("AwsSolutions-IAM4"),
				Reason: jsii.String("aws-cdk-lib's own BucketNotificationsHandler (the only way CloudFormation can add a notification " +
					"to an imported bucket) uses AWSLambdaBasicExecutionRole for its logs; it runs only during deployments"),
				AppliesTo: &[]interface{}{jsii.String("Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")},
			}}, jsii.Bool(false))
		return
	}
	// New bucket: a plain NotificationConfiguration, with the queue policy
	// created first because S3 checks that it may send to the queue.
	statement := awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowLogBucketNotifications"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("s3.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sqs:SendMessage"),
		Resources:  jsii.Strings(*s.queue.QueueArn()),
		// Only S3 in this account may send. aws:SourceArn would name the
		// bucket, but the bucket must wait for this policy (S3 validates the
		// destination), and that reference would close a dependency cycle.
		Conditions: &map[string]interface{}{
			"StringEquals": map[string]interface{}{"aws:SourceAccount": awscdk.Stack_Of(s.Construct).Account()},
		},
	})
	result := s.queue.AddToResourcePolicy(statement)
	cfn := s.newBucket.Node().DefaultChild().(awss3.CfnBucket)
	var queueConfigs []interface{}
	for _, p := range cfg.prefixes() {
		queueConfigs = append(queueConfigs, map[string]interface{}{
			"Event": "s3:ObjectCreated:*",
			"Queue": s.queue.QueueArn(),
			"Filter": map[string]interface{}{
				"S3Key": map[string]interface{}{
					"Rules": []interface{}{map[string]interface{}{"Name": "prefix", "Value": p}},
				},
			},
		})
	}
	cfn.AddPropertyOverride(jsii.String("NotificationConfiguration.QueueConfigurations"), queueConfigs)
	if result.PolicyDependable != nil {
		cfn.Node().AddDependency(result.PolicyDependable)
	}
}

func (s *logShipper) shipperFunction(p *LogShipperProps, cfg settings) {
	dir, err := lambdabuild.Handler(cfg.goarch)
	if err != nil {
		panic(err)
	}
	s.logGroup = awslogs.NewLogGroup(s.Construct, jsii.String("LogGroup"), &awslogs.LogGroupProps{
		Retention:     cfg.logRetention,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	role := p.Role
	if role == nil {
		role = awsiam.NewRole(s.Construct, jsii.String("Role"), &awsiam.RoleProps{
			AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
			Description: jsii.String("elb-otel log shipper: reads ELB logs, ships them over OTLP"),
		})
	}
	env := s.functionEnv(p, cfg)
	fn := awslambda.NewFunction(s.Construct, jsii.String("Function"), &awslambda.FunctionProps{
		Description:   jsii.String("elb-otel: ships ELB access and connection logs from S3 to OTLP"),
		Runtime:       awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:  cfg.arch,
		Handler:       jsii.String("bootstrap"),
		Code:          awslambda.Code_FromAsset(jsii.String(dir), nil),
		MemorySize:    jsii.Number(cfg.memoryMiB),
		Timeout:       awscdk.Duration_Seconds(jsii.Number(cfg.timeoutSeconds)),
		Role:          role,
		LogGroup:      s.logGroup,
		LoggingFormat: awslambda.LoggingFormat_JSON,
		Environment:   &env,
	})
	s.function = fn
	s.grantFunction(fn, p, cfg)
}

// functionEnv is the shipper Lambda's environment: the function contract,
// plus the metrics settings when metrics are on.
func (s *logShipper) functionEnv(p *LogShipperProps, cfg settings) map[string]*string {
	fenv := contract.FunctionEnv{
		Endpoint:           cfg.endpoint,
		Protocol:           cfg.protocol,
		Compression:        cfg.compression,
		GzipLevel:          cfg.gzipLevel,
		MaxInFlight:        cfg.maxInFlight,
		ServiceName:        cfg.serviceName,
		ResourceAttributes: cfg.resourceAttrs,
		QueueURL:           *s.queue.QueueUrl(),
		Bucket:             *s.bucket.BucketName(),
		Prefix:             cfg.prefix,
		DeleteObjects:      cfg.deleteObjects,
		OnRejected:         cfg.onRejected,
	}
	if p.HeadersSecret != nil {
		fenv.HeadersSecretARN = *p.HeadersSecret.SecretArn()
	}
	env := map[string]*string{}
	for k, v := range fenv.Encode() {
		env[k] = jsii.String(v)
	}
	if cfg.metricsPrefix != "" {
		env[EnvMetricsPrefix] = jsii.String(cfg.metricsPrefix)
		env[EnvMetricsPollingName] = jsii.String(fmt.Sprint(cfg.pollingNames))
		if cfg.metricsEndpoint != "" {
			env[EnvMetricsEndpoint] = jsii.String(cfg.metricsEndpoint)
		}
	}
	return env
}

// grantFunction gives the shipper Lambda least privilege, statement by
// statement, and connects it to the work queue.
func (s *logShipper) grantFunction(fn awslambda.Function, p *LogShipperProps, cfg settings) {
	s.logGroup.GrantWrite(fn)
	// Explicit object actions: the L2 grants add s3:GetBucket* and s3:List*.
	var objects []*string
	for _, p := range cfg.prefixes() {
		objects = append(objects, s.bucket.ArnForObjects(jsii.String(p+"*")))
	}
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings(readActions...), Resources: &objects,
	}))
	if cfg.deleteObjects {
		fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings("s3:DeleteObject"), Resources: &objects,
		}))
	}
	// Listing, inside the log prefix only (s3:prefix), for a backfill; and
	// with deletion on, for a redelivered notification of an object already
	// shipped and deleted: S3 answers GetObject on a missing key with 403, not
	// 404, to a caller that may not list the bucket (a grant conditioned on
	// s3:prefix does not count, as GetObject carries no prefix), so the
	// function lists the key itself to tell "gone" from "denied".
	if cfg.backfill || cfg.deleteObjects {
		fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:    jsii.Strings("s3:ListBucket"),
			Resources:  jsii.Strings(*s.bucket.BucketArn()),
			Conditions: &map[string]interface{}{"StringLike": map[string]interface{}{"s3:prefix": []interface{}{cfg.prefix + "*"}}},
		}))
	}
	// Continuations of large objects go back onto the work queue.
	s.queue.GrantSendMessages(fn)
	if p.HeadersSecret != nil {
		p.HeadersSecret.GrantRead(fn, nil)
	}
	fn.AddEventSource(awslambdaeventsources.NewSqsEventSource(s.queue, &awslambdaeventsources.SqsEventSourceProps{
		BatchSize:               jsii.Number(cfg.batchSize),
		MaxConcurrency:          jsii.Number(cfg.maxConcurrency),
		ReportBatchItemFailures: jsii.Bool(true),
	}))
}

func (s *logShipper) alarmsFor(p *LogShipperProps, cfg settings) {
	period := awscdk.Duration_Minutes(jsii.Number(5))
	add := func(id, description string, metric awscloudwatch.IMetric, threshold float64) {
		alarm := awscloudwatch.NewAlarm(s.Construct, jsii.String(id), &awscloudwatch.AlarmProps{
			AlarmDescription:   jsii.String(description),
			Metric:             metric,
			Threshold:          jsii.Number(threshold),
			EvaluationPeriods:  jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
		if p.AlarmTopic != nil {
			action := awscloudwatchactions.NewSnsAction(p.AlarmTopic)
			alarm.AddAlarmAction(action)
			alarm.AddOkAction(action)
		}
		s.alarms = append(s.alarms, alarm)
	}
	add("DeadLetterQueueAlarm", "elb-otel: log objects failed repeatedly and wait in the dead-letter queue; fix the cause, then redrive it",
		s.dlq.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Period: period, Statistic: jsii.String("Maximum")}), 1)
	add("ErrorsAlarm", "elb-otel: the log shipper function failed",
		s.function.MetricErrors(&awscloudwatch.MetricOptions{Period: period, Statistic: jsii.String("Sum")}), 1)
	add("ThrottlesAlarm", "elb-otel: the log shipper function was throttled",
		s.function.MetricThrottles(&awscloudwatch.MetricOptions{Period: period, Statistic: jsii.String("Sum")}), 1)
	add("RejectedRecordsAlarm", "elb-otel: the OTLP endpoint accepted requests but rejected some records in them (partial success); the handler logs the endpoint's message",
		s.shipperMetric(contract.MetricRejectedRecords, "Sum"), 1)
	if s.rule != nil {
		add("RuleFailedInvocationsAlarm", "elb-otel: EventBridge could not deliver log notifications to the work queue (they go to the dead-letter queue); check the queue and its policy, then redrive",
			awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
				Namespace: jsii.String("AWS/Events"), MetricName: jsii.String("FailedInvocations"),
				DimensionsMap: &map[string]*string{"RuleName": s.rule.RuleName()},
				Period:        period, Statistic: jsii.String("Sum"),
			}), 1)
	}
	add("BacklogAgeAlarm", "elb-otel: log objects wait too long in the work queue (the shipper falls behind or the endpoint is down)",
		s.queue.MetricApproximateAgeOfOldestMessage(&awscloudwatch.MetricOptions{Period: period, Statistic: jsii.String("Maximum")}), cfg.oldestAgeSecs)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
