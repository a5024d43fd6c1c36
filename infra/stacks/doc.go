// Package stacks holds the elb-otel CDK app's stacks and reads their settings
// from CDK context. A stack only composes the constructs in constructs/.
package stacks
