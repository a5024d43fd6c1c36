// Package contract is the one home of what the constructs and the function
// they deploy must agree on: the environment variable names the function
// reads, how each value is encoded and decoded, the CloudWatch namespace and
// names of the function's own metrics, and the validators both sides apply
// (OTLP endpoint, headers, key prefix).
//
// Both constructs/ (which users import from their own modules) and lambda/
// import it, so it imports no CDK code: the constructs skip the validators
// for unresolved CDK tokens themselves, as aws-cdk-lib does.
package contract
