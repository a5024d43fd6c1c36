package logshipper_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/elb-otel/elb-otel/constructs/logshipper"
)

// TestLogShipper_PropsReachTheTemplate checks each prop against the resource
// property it must set.
func TestLogShipper_PropsReachTheTemplate(t *testing.T) {
	tests := map[string]struct {
		props  logshipper.LogShipperProps
		typ    string
		expect map[string]any
	}{
		"x86_64 architecture": {
			props:  logshipper.LogShipperProps{Architecture: awslambda.Architecture_X86_64()},
			typ:    "AWS::Lambda::Function",
			expect: map[string]any{"Architectures": []any{"x86_64"}},
		},
		"memory and timeout; visibility is six times the timeout": {
			props:  logshipper.LogShipperProps{MemorySizeMiB: jsii.Number(2048), Timeout: awscdk.Duration_Minutes(jsii.Number(10))},
			typ:    "AWS::Lambda::Function",
			expect: map[string]any{"MemorySize": 2048, "Timeout": 600},
		},
		"visibility timeout follows the function timeout": {
			props:  logshipper.LogShipperProps{Timeout: awscdk.Duration_Minutes(jsii.Number(10))},
			typ:    "AWS::SQS::Queue",
			expect: map[string]any{"VisibilityTimeout": 3600},
		},
		"batch size and concurrency": {
			props:  logshipper.LogShipperProps{BatchSize: jsii.Number(2), MaxConcurrency: jsii.Number(50)},
			typ:    "AWS::Lambda::EventSourceMapping",
			expect: map[string]any{"BatchSize": 2, "ScalingConfig": map[string]any{"MaximumConcurrency": 50}},
		},
		"max receive count": {
			props:  logshipper.LogShipperProps{MaxReceiveCount: jsii.Number(3)},
			typ:    "AWS::SQS::Queue",
			expect: map[string]any{"RedrivePolicy": map[string]any{"maxReceiveCount": 3}},
		},
		"log retention": {
			props:  logshipper.LogShipperProps{LogRetention: awslogs.RetentionDays_ONE_WEEK},
			typ:    "AWS::Logs::LogGroup",
			expect: map[string]any{"RetentionInDays": 7},
		},
		"log expiration": {
			props: logshipper.LogShipperProps{LogExpiration: awscdk.Duration_Days(jsii.Number(30))},
			typ:   "AWS::S3::Bucket",
			expect: map[string]any{"LifecycleConfiguration": map[string]any{"Rules": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ObjectLike(&map[string]any{"ExpirationInDays": 30}),
			})}},
		},
		"service name, protocol, compression, resource attributes": {
			props: logshipper.LogShipperProps{
				ServiceName: jsii.String("edge"), OtlpProtocol: jsii.String("http/json"), OtlpCompression: jsii.String("none"),
				ResourceAttributes: &map[string]*string{"team": jsii.String("web"), "deployment.environment": jsii.String("prod eu")},
			},
			typ: "AWS::Lambda::Function",
			expect: map[string]any{"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{
				"OTEL_SERVICE_NAME": "edge", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json", "OTEL_EXPORTER_OTLP_COMPRESSION": "none",
				"OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=prod%20eu,team=web",
			})}},
		},
		"zstd and requests in flight": {
			props: logshipper.LogShipperProps{OtlpCompression: jsii.String("zstd"), MaxInFlight: jsii.Number(32)},
			typ:   "AWS::Lambda::Function",
			expect: map[string]any{"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{
				"OTEL_EXPORTER_OTLP_COMPRESSION": "zstd", "ELB_OTEL_MAX_IN_FLIGHT": "32",
			})}},
		},
		"gzip level": {
			props: logshipper.LogShipperProps{GzipLevel: jsii.Number(9)},
			typ:   "AWS::Lambda::Function",
			expect: map[string]any{"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{
				"OTEL_EXPORTER_OTLP_COMPRESSION": "gzip", "ELB_OTEL_GZIP_LEVEL": "9",
			})}},
		},
		"insecure endpoint when allowed": {
			props: logshipper.LogShipperProps{OtlpEndpoint: jsii.String("http://collector.internal:4318"), AllowInsecureEndpoint: jsii.Bool(true)},
			typ:   "AWS::Lambda::Function",
			expect: map[string]any{"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{
				"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector.internal:4318",
			})}},
		},
		"bucket props merged, security kept": {
			props: logshipper.LogShipperProps{BucketProps: &awss3.BucketProps{
				Versioned: jsii.Bool(true), EnforceSSL: jsii.Bool(false), Encryption: awss3.BucketEncryption_KMS_MANAGED,
			}},
			typ: "AWS::S3::Bucket",
			expect: map[string]any{
				"VersioningConfiguration": map[string]any{"Status": "Enabled"},
				"BucketEncryption": map[string]any{"ServerSideEncryptionConfiguration": []any{
					map[string]any{"ServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "AES256"}},
				}},
			},
		},
		"dashboard name": {
			props:  logshipper.LogShipperProps{DashboardName: jsii.String("elb-logs")},
			typ:    "AWS::CloudWatch::Dashboard",
			expect: map[string]any{"DashboardName": "elb-logs"},
		},
		"backlog alarm threshold": {
			props:  logshipper.LogShipperProps{OldestMessageAgeAlarmThreshold: awscdk.Duration_Hours(jsii.Number(2))},
			typ:    "AWS::CloudWatch::Alarm",
			expect: map[string]any{"MetricName": "ApproximateAgeOfOldestMessage", "Threshold": 7200},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			props := tc.props
			if props.OtlpEndpoint == nil {
				props.OtlpEndpoint = jsii.String(endpoint)
			}
			_, tmpl := synth(t, "Props", &props)
			tmpl.HasResourceProperties(jsii.String(tc.typ), tc.expect)
		})
	}
}

func TestLogShipper_UsesGivenRole(t *testing.T) {
	stack := newStack(t, "GivenRole")
	role := awsiam.NewRole(stack, jsii.String("MyRole"), &awsiam.RoleProps{AssumedBy: awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil)})
	shipper := logshipper.NewLogShipper(stack, jsii.String("Shipper"), &logshipper.LogShipperProps{OtlpEndpoint: jsii.String(endpoint), Role: role})
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.ResourceCountIs(jsii.String("AWS::IAM::Role"), jsii.Number(1))
	tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
		"Role": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^MyRole")), "Arn"}},
	})
	if shipper.Function() == nil || shipper.Queue() == nil || shipper.DeadLetterQueue() == nil || shipper.LogGroup() == nil ||
		shipper.Rule() == nil || shipper.Dashboard() == nil || len(shipper.Alarms()) != 6 || *shipper.LogKeyPrefix() != "AWSLogs/" {
		t.Error("an inner resource is not exposed")
	}
}
