// Package test synthesizes the whole elb-otel CDK app and checks it: a
// snapshot of every stack (asset hashes masked), cdk-nag AwsSolutions with no
// unsuppressed error, cfn-lint with no error, and a stack built the way a
// user's own module would use the constructs (exported API only).
package test
