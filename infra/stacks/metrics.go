package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/elb-otel/elb-otel/constructs/elbmetrics"
	"github.com/elb-otel/elb-otel/constructs/metricscollector"
)

// MetricsStackProps configures the metrics stack.
type MetricsStackProps struct {
	awscdk.StackProps
	Config Config
}

// NewMetricsStack creates the stack that turns the load balancers'
// CloudWatch metrics into OTLP metrics.
func NewMetricsStack(scope constructs.Construct, id string, props *MetricsStackProps) awscdk.Stack {
	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	c := props.Config
	mp := &metricscollector.MetricsCollectorProps{
		OtlpEndpoint:          jsii.String(c.MetricsOtlpEndpoint),
		AllowInsecureEndpoint: jsii.Bool(c.AllowInsecureEndpoint),
		Preset:                elbmetrics.Preset(c.MetricPreset),
		AllLoadBalancers:      jsii.Bool(c.MetricsAllLoadBalancer),
		Exporter:              elbmetrics.ExporterKind(c.MetricsExporter),
		ScrapeInterval:        awscdk.Duration_Seconds(jsii.Number(c.MetricsScrapeInterval)),
	}
	if len(c.MetricsDrop) > 0 {
		mp.DropMetrics = jsii.Strings(c.MetricsDrop...)
	}
	if c.MetricsOtlpProtocol != "" {
		mp.OtlpProtocol = jsii.String(c.MetricsOtlpProtocol)
	}
	if c.HeadersSecretArn != "" && len(c.HeaderNames) > 0 {
		mp.HeadersSecret = awssecretsmanager.Secret_FromSecretCompleteArn(stack, jsii.String("HeadersSecret"), jsii.String(c.HeadersSecretArn))
		mp.HeaderNames = jsii.Strings(c.HeaderNames...)
	}
	var lbs []*metricscollector.LoadBalancer
	for _, lb := range c.LoadBalancers {
		name := FullName(lb.Arn)
		typ := elbmetrics.Application
		if len(name) > 4 && name[:4] == "net/" {
			typ = elbmetrics.Network
		}
		var tgs []*string
		for _, tg := range lb.TargetGroupArns {
			tgs = append(tgs, jsii.String(FullName(tg)))
		}
		lbs = append(lbs, &metricscollector.LoadBalancer{Type: typ, Name: jsii.String(name), TargetGroups: &tgs})
	}
	for _, name := range c.ClassicLoadBalancers {
		lbs = append(lbs, &metricscollector.LoadBalancer{Type: elbmetrics.Classic, Name: jsii.String(name)})
	}
	if len(lbs) > 0 {
		mp.LoadBalancers = &lbs
	}
	if c.VpcID != "" {
		// No lookup: the VPC and subnets are named, so synth needs no credentials.
		mp.Vpc = awsec2.Vpc_FromVpcAttributes(stack, jsii.String("Vpc"), &awsec2.VpcAttributes{
			VpcId:             jsii.String(c.VpcID),
			AvailabilityZones: stack.AvailabilityZones(),
		})
		var subnets []awsec2.ISubnet
		for i, id := range c.SubnetIDs {
			subnets = append(subnets, awsec2.Subnet_FromSubnetId(stack, jsii.String("Subnet"+string(rune('A'+i))), jsii.String(id)))
		}
		mp.VpcSubnets = &awsec2.SubnetSelection{Subnets: &subnets}
	}
	collector := metricscollector.NewMetricsCollector(stack, jsii.String("Collector"), mp)
	awscdk.NewCfnOutput(stack, jsii.String("ServiceName"), &awscdk.CfnOutputProps{Value: collector.Service().ServiceName()})
	awscdk.NewCfnOutput(stack, jsii.String("LogGroupName"), &awscdk.CfnOutputProps{Value: collector.LogGroup().LogGroupName()})
	return stack
}
