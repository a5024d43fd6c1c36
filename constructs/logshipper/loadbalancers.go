package logshipper

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/customresources"
	"github.com/aws/aws-cdk-go/awscdk/v2/regioninfo"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// AccessLogSource is a load balancer that can deliver access logs to S3:
// awselasticloadbalancingv2.ApplicationLoadBalancer and NetworkLoadBalancer
// both are.
type AccessLogSource interface {
	LogAccessLogs(bucket awss3.IBucket, prefix *string)
}

// ConnectionLogSource is a load balancer that can also deliver connection
// logs (an ApplicationLoadBalancer).
type ConnectionLogSource interface {
	LogConnectionLogs(bucket awss3.IBucket, prefix *string)
}

// LogLoadBalancer switches on access logs of lb into the shipper's bucket,
// under the shipper's KeyPrefix, and connection logs too when lb is an ALB
// and withConnectionLogs is set. CDK adds the bucket policy ELB log delivery
// needs in the stack's region (so the stack needs an explicit region).
func (s *logShipper) LogLoadBalancer(lb AccessLogSource, withConnectionLogs bool) {
	prefix := s.elbPrefix()
	lb.LogAccessLogs(s.bucket, prefix)
	if conn, ok := lb.(ConnectionLogSource); ok && withConnectionLogs {
		conn.LogConnectionLogs(s.bucket, prefix)
	}
}

// elbPrefix is the prefix to configure on a load balancer: KeyPrefix
// without the "AWSLogs/" ELB adds, or nil for none.
func (s *logShipper) elbPrefix() *string {
	const suffix = "AWSLogs/"
	p := s.prefix[:len(s.prefix)-len(suffix)]
	if p == "" {
		return nil
	}
	return jsii.String(p[:len(p)-1]) // drop the "/" before AWSLogs
}

// LogLoadBalancerArn switches on the access logs (and, for an ALB with
// withConnectionLogs, the connection logs) of an existing load balancer that
// this app does not define, by its ARN, into the shipper's bucket under
// KeyPrefix. CloudFormation cannot change a resource it does not own, so a
// custom resource calls elasticloadbalancing:ModifyLoadBalancerAttributes
// (only on that ARN) on create and update, and switches the logs off on
// delete. On a bucket the construct created, it also adds the bucket policy
// ELB log delivery needs. It panics when arn is not an ALB or NLB ARN.
func (s *logShipper) LogLoadBalancerArn(id string, arn string, withConnectionLogs bool) {
	kind, err := loadBalancerKind(arn)
	if err != nil {
		panic(err)
	}
	prefix := ""
	if p := s.elbPrefix(); p != nil {
		prefix = *p
	}
	attrs := func(enabled bool) []interface{} {
		on := fmt.Sprint(enabled)
		list := []interface{}{
			map[string]interface{}{"Key": "access_logs.s3.enabled", "Value": on},
		}
		if enabled {
			list = append(list,
				map[string]interface{}{"Key": "access_logs.s3.bucket", "Value": s.bucket.BucketName()},
				map[string]interface{}{"Key": "access_logs.s3.prefix", "Value": prefix})
		}
		if kind == "app" && withConnectionLogs {
			list = append(list, map[string]interface{}{"Key": "connection_logs.s3.enabled", "Value": on})
			if enabled {
				list = append(list,
					map[string]interface{}{"Key": "connection_logs.s3.bucket", "Value": s.bucket.BucketName()},
					map[string]interface{}{"Key": "connection_logs.s3.prefix", "Value": prefix})
			}
		}
		return list
	}
	call := func(enabled bool) *customresources.AwsSdkCall {
		return &customresources.AwsSdkCall{
			Service:            jsii.String("ElasticLoadBalancingV2"),
			Action:             jsii.String("modifyLoadBalancerAttributes"),
			Parameters:         map[string]interface{}{"LoadBalancerArn": arn, "Attributes": attrs(enabled)},
			PhysicalResourceId: customresources.PhysicalResourceId_Of(jsii.String(arn)),
		}
	}
	cr := customresources.NewAwsCustomResource(s.Construct, jsii.String(id), &customresources.AwsCustomResourceProps{
		OnCreate: call(true),
		OnUpdate: call(true),
		OnDelete: call(false),
		Policy: customresources.AwsCustomResourcePolicy_FromStatements(&[]awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings("elasticloadbalancing:ModifyLoadBalancerAttributes"),
				Resources: jsii.Strings(arn),
			}),
		}),
		InstallLatestAwsSdk: jsii.Bool(false),
	})
	stack := awscdk.Stack_Of(s.Construct)
	cdknag.NagSuppressions_AddResourceSuppressionsByPath(stack,
		jsii.String(*stack.Node().Path()+"/AWS679f53fac002430cb0da5b7982bd2287/ServiceRole/Resource"),
		&[]*cdknag.NagPackSuppression{{
			Id: jsii.String("AwsSolutions-IAM4"),
			Reason: jsii.String("aws-cdk-lib's AwsCustomResource provider function uses AWSLambdaBasicExecutionRole for its own " +
				"logs; its API permissions are the separate statements scoped to each load balancer ARN"),
			AppliesTo: &[]interface{}{jsii.String("Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")},
		}}, jsii.Bool(false))
	if s.newBucket != nil {
		// ELB checks it may write before it accepts the attributes.
		s.allowLogDelivery()
		cr.Node().AddDependency(s.newBucket.Policy())
	} else {
		awscdk.Annotations_Of(s.Construct).AddWarningV2(jsii.String("elb-otel:imported-bucket-log-delivery"), jsii.String(
			"the log bucket is imported: make sure its policy lets ELB log delivery write to it "+
				"(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html#attach-bucket-policy)"), nil)
	}
}

// allowLogDelivery adds, once, the bucket policy ELB log delivery needs:
// the log delivery service principal, and the region's ELB account where the
// region is known and older than August 2022.
func (s *logShipper) allowLogDelivery() {
	if s.deliveryAllowed {
		return
	}
	s.deliveryAllowed = true
	stack := awscdk.Stack_Of(s.Construct)
	principals := []awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("logdelivery.elasticloadbalancing.amazonaws.com"), nil)}
	if region := stack.Region(); !*awscdk.Token_IsUnresolved(region) {
		if account := regioninfo.RegionInfo_Get(region).Elbv2Account(); account != nil {
			principals = append(principals, awsiam.NewAccountPrincipal(account))
		}
	}
	s.bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowElbLogDelivery"),
		Principals: &principals,
		Actions:    jsii.Strings("s3:PutObject"),
		Resources:  &[]*string{s.bucket.ArnForObjects(jsii.String(s.prefix + *stack.Account() + "/*"))},
	}))
}

// loadBalancerKind returns "app" or "net" for an ALB or NLB ARN.
func loadBalancerKind(arn string) (string, error) {
	_, rest, ok := strings.Cut(arn, ":loadbalancer/")
	if !strings.HasPrefix(arn, "arn:") || !ok {
		return "", fmt.Errorf("logshipper: %q is not a load balancer ARN (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>)", arn)
	}
	kind, _, _ := strings.Cut(rest, "/")
	if kind != "app" && kind != "net" {
		return "", fmt.Errorf("logshipper: %q is neither an Application (app/) nor a Network (net/) load balancer; Classic load balancers take their logging settings from their own stack", arn)
	}
	return kind, nil
}
