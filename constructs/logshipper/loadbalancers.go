package logshipper

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
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
