package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/elb-otel/elb-otel/constructs/elbmetrics"
	"github.com/elb-otel/elb-otel/constructs/logshipper"
	"github.com/elb-otel/elb-otel/constructs/metricstream"
)

// LogsStackProps configures the logs stack.
type LogsStackProps struct {
	awscdk.StackProps
	Config Config
}

// NewLogsStack creates the stack that ships ELB logs to OTLP.
func NewLogsStack(scope constructs.Construct, id string, props *LogsStackProps) awscdk.Stack {
	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	c := props.Config
	shipperProps := &logshipper.LogShipperProps{
		OtlpEndpoint:           jsii.String(c.OtlpEndpoint),
		AllowInsecureEndpoint:  jsii.Bool(c.AllowInsecureEndpoint),
		DeleteProcessedObjects: jsii.Bool(c.DeleteProcessed),
		EnableBackfill:         jsii.Bool(c.EnableBackfill),
		Trigger:                logshipper.Trigger(c.Trigger),
	}
	if c.OtlpProtocol != "" {
		shipperProps.OtlpProtocol = jsii.String(c.OtlpProtocol)
	}
	if c.ServiceName != "" {
		shipperProps.ServiceName = jsii.String(c.ServiceName)
	}
	if c.LogKeyPrefix != "" {
		shipperProps.KeyPrefix = jsii.String(c.LogKeyPrefix)
	}
	if c.LogBucketName != "" {
		shipperProps.Bucket = awss3.Bucket_FromBucketName(stack, jsii.String("LogBucket"), jsii.String(c.LogBucketName))
	}
	if c.HeadersSecretArn != "" {
		shipperProps.HeadersSecret = awssecretsmanager.Secret_FromSecretCompleteArn(stack, jsii.String("HeadersSecret"), jsii.String(c.HeadersSecretArn))
	}
	shipperProps.AlarmTopic = alarmTopic(stack, c.AlarmEmail)
	stream := c.EnableMetrics && c.MetricsMode == MetricsModeStream
	if stream {
		shipperProps.MetricsKeyPrefix = jsii.String(metricstream.DefaultKeyPrefix)
		shipperProps.MetricsPollingNames = jsii.Bool(c.MetricsPollingNames)
		if c.MetricsOtlpEndpoint != c.OtlpEndpoint {
			shipperProps.MetricsOtlpEndpoint = jsii.String(c.MetricsOtlpEndpoint)
		}
	}
	shipper := logshipper.NewLogShipper(stack, jsii.String("Shipper"), shipperProps)
	if stream {
		ms := metricstream.NewMetricStream(stack, jsii.String("MetricStream"), &metricstream.MetricStreamProps{
			Bucket:    shipper.Bucket(),
			KeyPrefix: shipperProps.MetricsKeyPrefix,
			Preset:    elbmetrics.Preset(c.MetricPreset),
		})
		awscdk.NewCfnOutput(stack, jsii.String("MetricStreamName"), &awscdk.CfnOutputProps{Value: ms.StreamName()})
		awscdk.NewCfnOutput(stack, jsii.String("DeliveryStreamName"), &awscdk.CfnOutputProps{Value: ms.DeliveryStreamName()})
	}
	for i, lb := range c.LoadBalancers {
		if c.EnableLogs && (lb.Logs == nil || *lb.Logs) {
			shipper.LogLoadBalancerArn(fmt.Sprintf("LoadBalancerLogs%d", i), lb.Arn, lb.ConnectionLogs)
		}
	}
	awscdk.NewCfnOutput(stack, jsii.String("LogBucketName"), &awscdk.CfnOutputProps{
		Value:       shipper.Bucket().BucketName(),
		Description: jsii.String("Point your load balancers' access logs here"),
	})
	awscdk.NewCfnOutput(stack, jsii.String("QueueUrl"), &awscdk.CfnOutputProps{Value: shipper.Queue().QueueUrl()})
	awscdk.NewCfnOutput(stack, jsii.String("DeadLetterQueueUrl"), &awscdk.CfnOutputProps{Value: shipper.DeadLetterQueue().QueueUrl()})
	awscdk.NewCfnOutput(stack, jsii.String("FunctionName"), &awscdk.CfnOutputProps{Value: shipper.Function().FunctionName()})
	return stack
}
