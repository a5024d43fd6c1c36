package test

// These stacks use the constructs only through their exported API, the way a
// user's own module does, so the public API stays honest.

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/elb-otel/elb-otel/constructs/logshipper"
	"github.com/elb-otel/elb-otel/internal/cdktest"
	"github.com/elb-otel/elb-otel/internal/golden"
)

var userEnv = &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("eu-west-1")}

// userApp returns an app with the AwsSolutions checks, as a careful user runs it.
func userApp(t *testing.T, name string) awscdk.App {
	app := cdktest.NewApp(t, name, nil)
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	return app
}

// checkStack runs the snapshot, cdk-nag and cfn-lint checks on a stack.
func checkStack(t *testing.T, app awscdk.App, stack awscdk.Stack, snapshot string) {
	t.Helper()
	golden.Assert(t, snapshot, cdktest.TemplateJSON(t, stack))
	for _, e := range cdktest.NagErrors(stack) {
		t.Errorf("cdk-nag: %s", e)
	}
	cdktest.CfnLint(t, app, stack)
}

func TestUserStack_ImportedBucketWithS3Notification(t *testing.T) {
	app := userApp(t, "UserImported")
	stack := awscdk.NewStack(app, jsii.String("UserImportedBucket"), &awscdk.StackProps{Env: userEnv})
	bucket := awss3.Bucket_FromBucketName(stack, jsii.String("ExistingLogs"), jsii.String("acme-elb-logs"))
	topic := awssns.NewTopic(stack, jsii.String("Alarms"), &awssns.TopicProps{EnforceSSL: jsii.Bool(true)})
	cdknag.NagSuppressions_AddResourceSuppressions(topic, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-SNS2"), Reason: jsii.String("test fixture: the user's alarm topic, encryption is the user's choice"),
	}}, nil)
	shipper := logshipper.NewLogShipper(stack, jsii.String("Shipper"), &logshipper.LogShipperProps{
		OtlpEndpoint: jsii.String("https://otlp.example.com:4318"),
		Bucket:       bucket,
		KeyPrefix:    jsii.String("prod/alb"),
		Trigger:      logshipper.TriggerS3Notification,
		AlarmTopic:   topic,
		Architecture: nil,
	})
	if *shipper.Bucket().BucketName() != "acme-elb-logs" || shipper.Rule() != nil {
		t.Errorf("imported bucket not used as is, or a rule was made for an S3 trigger")
	}
	tmpl := assertions.Template_FromStack(stack, nil)
	// CloudFormation cannot change an imported bucket: CDK's notification
	// custom resource does, and it is the only custom resource.
	tmpl.ResourceCountIs(jsii.String("Custom::S3BucketNotifications"), jsii.Number(1))
	tmpl.HasResourceProperties(jsii.String("Custom::S3BucketNotifications"), map[string]any{
		"NotificationConfiguration": map[string]any{"QueueConfigurations": []any{assertions.Match_ObjectLike(&map[string]any{
			"Events": []any{"s3:ObjectCreated:*"},
			"Filter": map[string]any{"Key": map[string]any{"FilterRules": []any{map[string]any{"Name": "prefix", "Value": "prod/alb/AWSLogs/"}}}},
		})}},
	})
	tmpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
		"AlarmActions": []any{map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Alarms"))}},
	})
	checkStack(t, app, stack, "UserImportedBucket.template")
}

func TestUserStack_EnablesLoadBalancerLogs(t *testing.T) {
	app := userApp(t, "UserLoadBalancers")
	stack := awscdk.NewStack(app, jsii.String("UserLoadBalancers"), &awscdk.StackProps{Env: userEnv})
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{MaxAzs: jsii.Number(2), NatGateways: jsii.Number(0)})
	alb := awselasticloadbalancingv2.NewApplicationLoadBalancer(stack, jsii.String("Alb"), &awselasticloadbalancingv2.ApplicationLoadBalancerProps{
		Vpc: vpc, InternetFacing: jsii.Bool(true), DropInvalidHeaderFields: jsii.Bool(true),
	})
	nlb := awselasticloadbalancingv2.NewNetworkLoadBalancer(stack, jsii.String("Nlb"), &awselasticloadbalancingv2.NetworkLoadBalancerProps{
		Vpc: vpc, InternetFacing: jsii.Bool(true),
	})
	cdknag.NagSuppressions_AddResourceSuppressions(vpc, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-VPC7"), Reason: jsii.String("test fixture: the user's VPC, flow logs are out of scope here"),
	}}, jsii.Bool(true))
	cdknag.NagSuppressions_AddResourceSuppressions(alb, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-EC23"), Reason: jsii.String("test fixture: a public load balancer accepts any client"),
	}}, jsii.Bool(true))
	shipper := logshipper.NewLogShipper(stack, jsii.String("Shipper"), &logshipper.LogShipperProps{
		OtlpEndpoint: jsii.String("https://otlp.example.com:4318"),
		KeyPrefix:    jsii.String("edge"),
		Architecture: nil,
	})
	shipper.LogLoadBalancer(alb, true)
	shipper.LogLoadBalancer(nlb, false)

	tmpl := assertions.Template_FromStack(stack, nil)
	for _, typ := range []string{"application", "network"} {
		tmpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::LoadBalancer"), map[string]any{
			"Type": typ,
			"LoadBalancerAttributes": assertions.Match_ArrayWith(&[]any{
				map[string]any{"Key": "access_logs.s3.enabled", "Value": "true"},
				map[string]any{"Key": "access_logs.s3.prefix", "Value": "edge"},
			}),
		})
	}
	tmpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::LoadBalancer"), map[string]any{
		"Type": "application",
		"LoadBalancerAttributes": assertions.Match_ArrayWith(&[]any{
			map[string]any{"Key": "connection_logs.s3.enabled", "Value": "true"},
		}),
	})
	checkStack(t, app, stack, "UserLoadBalancers.template")
}

func TestUserStack_EnablesLogsOnExistingLoadBalancersByArn(t *testing.T) {
	app := userApp(t, "UserExistingLoadBalancers")
	stack := awscdk.NewStack(app, jsii.String("UserExistingLoadBalancers"), &awscdk.StackProps{Env: userEnv})
	shipper := logshipper.NewLogShipper(stack, jsii.String("Shipper"), &logshipper.LogShipperProps{
		OtlpEndpoint: jsii.String("https://otlp.example.com:4318"),
	})
	albArn := "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188"
	shipper.LogLoadBalancerArn("ShopAlbLogs", albArn, true)
	shipper.LogLoadBalancerArn("PaymentsNlbLogs", "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/payments/c6e77e28c25b2234", false)

	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.ResourceCountIs(jsii.String("Custom::AWS"), jsii.Number(2))
	tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": []any{map[string]any{
			"Action": "elasticloadbalancing:ModifyLoadBalancerAttributes", "Effect": "Allow", "Resource": albArn,
		}}},
	})
	tmpl.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"Sid": "AllowElbLogDelivery", "Action": "s3:PutObject",
			"Principal": map[string]any{
				"AWS":     assertions.Match_AnyValue(),
				"Service": "logdelivery.elasticloadbalancing.amazonaws.com",
			},
		})})},
	})
	checkStack(t, app, stack, "UserExistingLoadBalancers.template")
}
