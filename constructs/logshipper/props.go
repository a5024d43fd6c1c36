package logshipper

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
)

// Trigger selects how new log objects reach the work queue.
type Trigger string

const (
	// TriggerEventBridge routes S3 "Object Created" events through an
	// EventBridge rule filtered on the bucket and the log prefix. On a bucket
	// the construct creates, EventBridge delivery is switched on with a plain
	// bucket property (no custom resource).
	TriggerEventBridge Trigger = "eventbridge"
	// TriggerS3Notification uses a classic S3 event notification straight to
	// the queue. On an imported bucket this needs CDK's notifications custom
	// resource, which replaces the bucket's whole notification configuration.
	TriggerS3Notification Trigger = "s3"
)

// LogShipperProps configures a LogShipper. Only OtlpEndpoint is required.
type LogShipperProps struct {
	// OtlpEndpoint is the base URL of the OTLP/HTTP receiver, as in
	// OTEL_EXPORTER_OTLP_ENDPOINT (the handler appends /v1/logs), for example
	// https://otlp.example.com:4318. It must be https unless
	// AllowInsecureEndpoint is set.
	OtlpEndpoint *string
	// AllowInsecureEndpoint permits an http:// endpoint (for a collector in a
	// private network). Default: false.
	AllowInsecureEndpoint *bool
	// OtlpProtocol is "http/protobuf" or "http/json". Default: "http/protobuf".
	OtlpProtocol *string
	// OtlpCompression is "gzip", "zstd" or "none". Every OTLP receiver accepts
	// gzip; zstd (about 10% fewer bytes for the same CPU) is for receivers that
	// accept it, as the OpenTelemetry Collector's OTLP/HTTP receiver does.
	// Default: "gzip".
	OtlpCompression *string
	// GzipLevel is the gzip level, from 1 (fastest) to 9 (smallest), with gzip
	// compression. Default: the function's, 6 (see the README's compression
	// table).
	GzipLevel *float64
	// MaxInFlight is the most export requests in flight per log object, 1 to
	// 64, so a distant backend does not leave the function idle; the function
	// sends fewer while the backend pushes back (429, 503, Retry-After). Each
	// holds its compressed body (a few hundred KB). Default: the function's,
	// 16, which keeps one vCPU busy against a backend 200 ms away.
	MaxInFlight *float64
	// HeadersSecret holds the OTLP request headers (API keys), as a JSON
	// object of header name to value or as "k1=v1,k2=v2". The function reads it
	// once per cold start; it never appears in the environment.
	// Default: no extra headers.
	HeadersSecret awssecretsmanager.ISecret
	// ServiceName is the service.name resource attribute. Default: "elb".
	ServiceName *string
	// ResourceAttributes are extra resource attributes on every record
	// (OTEL_RESOURCE_ATTRIBUTES). Default: none.
	ResourceAttributes *map[string]*string

	// Bucket is an existing bucket that receives the load balancer logs.
	// Default: a new bucket with secure defaults (see BucketProps).
	Bucket awss3.IBucket
	// BucketProps configures the new bucket. Set Bucket or BucketProps, not
	// both. Default: block all public access, TLS only, SSE-S3 (the only
	// encryption ELB log delivery supports), objects expire after
	// LogExpiration, RemovalPolicy.
	BucketProps *awss3.BucketProps
	// LogExpiration is how long a new bucket keeps log objects.
	// Default: 90 days. Ignored for an existing bucket.
	LogExpiration awscdk.Duration
	// RemovalPolicy applies to a new bucket. Default: RETAIN (logs outlive
	// the stack).
	RemovalPolicy awscdk.RemovalPolicy
	// KeyPrefix is the prefix the load balancers write under, as configured
	// on them (without "AWSLogs/" and without slashes at either end).
	// Default: none, logs land under AWSLogs/.
	KeyPrefix *string
	// Trigger selects EventBridge or S3 event notifications.
	// Default: TriggerEventBridge.
	Trigger Trigger
	// MetricsKeyPrefix is where a CloudWatch metric stream's delivery stream
	// writes (constructs/metricstream, KeyPrefix()): the trigger, the read
	// permission and the function cover it too, and the function exports the
	// objects under it to the OTLP metrics endpoint. It must end in "/" and
	// not overlap the log prefix. Default: none (no metrics mode stream).
	MetricsKeyPrefix *string
	// MetricsOtlpEndpoint is the base URL of the OTLP/HTTP receiver of the
	// metric-stream objects (the function posts to <it>/v1/metrics).
	// Default: OtlpEndpoint.
	MetricsOtlpEndpoint *string
	// MetricsPollingNames exports each metric update as the gauges the
	// polling mode produces (aws_applicationelb_request_count_sum, ...), so
	// dashboards work in both modes, instead of the stream's own Summaries.
	// Default: false.
	MetricsPollingNames *bool

	// MemorySizeMiB is the function's memory. Lambda allots CPU in proportion.
	// Default: 1024.
	MemorySizeMiB *float64
	// Timeout is the function timeout; a file not finished in time is
	// continued by a follow-up message. Default: 5 minutes.
	Timeout awscdk.Duration
	// Architecture is the function's CPU architecture. Default: ARM_64.
	Architecture awslambda.Architecture
	// BatchSize is how many queue messages (log objects) one invocation takes.
	// Default: 5.
	BatchSize *float64
	// MaxConcurrency caps concurrent invocations from the queue (2 to 1000).
	// Default: 10.
	MaxConcurrency *float64
	// MaxReceiveCount is how many times a message is tried before it moves to
	// the dead-letter queue. Default: 5.
	MaxReceiveCount *float64
	// LogRetention is the retention of the function's own log group.
	// Default: one month.
	LogRetention awslogs.RetentionDays
	// DeleteProcessedObjects deletes each log object after every line was
	// shipped, and grants s3:DeleteObject on the prefix. Default: false.
	DeleteProcessedObjects *bool
	// OnRejectedRecords says what happens to the message of a log object
	// some of whose records the endpoint rejected (OTLP partial success; the
	// object is never deleted): "fail" (the default) fails it into the
	// dead-letter queue, where the alarm fires and a redrive ships the lines
	// again once the cause is fixed; "succeed" acknowledges it, and the
	// RejectedRecords alarm fires. Sets ELB_OTEL_ON_REJECTED.
	OnRejectedRecords *string
	// EnableBackfill grants s3:ListBucket (limited to the prefix) so a manual
	// invocation {"bucket": ..., "prefix": ...} can ship existing logs.
	// Default: false.
	EnableBackfill *bool
	// Role is the function's execution role. Default: a new role with only
	// the permissions the shipper needs.
	Role awsiam.IRole

	// AlarmTopic receives the alarms' notifications. Default: the alarms are
	// created without actions.
	AlarmTopic awssns.ITopic
	// DashboardName names the CloudWatch dashboard. Default: a generated name.
	DashboardName *string
	// OldestMessageAgeAlarmThreshold is the queue backlog age that raises an
	// alarm. Default: 30 minutes.
	OldestMessageAgeAlarmThreshold awscdk.Duration
}
