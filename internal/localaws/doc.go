// Package localaws stands up a local AWS for the end-to-end test and the
// demo: moto_server on loopback, the pinned CDK CLI pointed at it, and
// aws-sdk-go-v2 clients for it.
//
// moto is not AWS. What it does with each resource of the logs stack is
// checked and said out loud by [Adapt], which applies, through moto's service
// APIs, the parts of the template moto's CloudFormation ignores (the bucket's
// NotificationConfiguration, the alarms), switches off moto's event source
// mapping (it would "invoke" the function through Docker on every message and
// count a receive) and returns a ledger of what is real, what was applied by
// hand and what is checked in the template only. Nothing here needs Docker or
// an AWS account.
//
//	m, err := localaws.Start(ctx, localaws.Options{})
//	defer m.Stop()
//	cdk := m.CDK(repoRoot, os.Stderr)
//	err = cdk.Bootstrap(ctx)
//	err = cdk.Deploy(ctx, "ElbOtelLogs", map[string]string{"elb-otel:otlpEndpoint": url}, outputs)
package localaws
