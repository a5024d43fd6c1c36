package logrecord

import "go.opentelemetry.io/collector/pdata/pcommon"

// The pdata side of the tests' oracle: the resource and the scope of the
// records Convert makes, as FinishRequest encodes them.

// FillResource sets the resource attributes of the records (see resource): cloud.provider (aws),
// cloud.platform (aws_elb), cloud.region and cloud.account.id (from the key),
// cloud.resource_id (the load balancer's ARN, from the elb field of the first parsed
// line, else from the key; the bare ID when the key gives no Region or account),
// aws.s3.bucket, aws.s3.key, service.name, then Options.ResourceAttributes. Call it
// after converting the first lines, so that the load balancer is known.
func (c *Converter) FillResource(res pcommon.Resource) {
	c.resource()
	c.res.flush(res.Attributes())
}

// FillScope sets the instrumentation scope of the records.
func FillScope(s pcommon.InstrumentationScope) {
	s.SetName(ScopeName)
	s.SetVersion(ScopeVersion)
}
