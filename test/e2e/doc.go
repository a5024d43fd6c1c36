// Package e2e is the end-to-end test of the logs stack: it deploys the
// stack with the pinned CDK CLI into moto_server (a local AWS API on
// loopback), puts real-format ELB log files into the deployed bucket, lets
// the deployed EventBridge rule deliver to the deployed queue, processes the
// queue with the project's own binaries (`elb-otel consume`, and the Lambda
// `bootstrap` under a local Lambda Runtime API), checks every record on a
// loopback OTLP receiver, drives a corrupt object to the dead-letter queue,
// and destroys the stack.
//
// The tests carry the e2e build tag: run them with `make e2e` (part of
// `make test`). They need moto_server, Node.js and `npm ci`, and no Docker
// and no AWS account.
package e2e
