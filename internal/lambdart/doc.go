// Package lambdart runs a Lambda function's `bootstrap` binary on this
// machine, under a local implementation of the AWS Lambda Runtime API, so a
// test can invoke the very binary the CDK construct deploys without Docker
// and without AWS.
//
// A [Runtime] serves, on loopback, the endpoints a custom runtime uses
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html):
//
//	GET  /2018-06-01/runtime/invocation/next            the next event, with the
//	     Lambda-Runtime-Aws-Request-Id, -Deadline-Ms, -Invoked-Function-Arn
//	     and -Trace-Id headers
//	POST /2018-06-01/runtime/invocation/{id}/response   the result
//	POST /2018-06-01/runtime/invocation/{id}/error      a function error
//	POST /2018-06-01/runtime/init/error                 a failed start
//
// plus the two Extensions API calls aws-lambda-go makes to be sent SIGTERM
// at shutdown (register, and an event/next that answers SHUTDOWN). It starts
// the binary with AWS_LAMBDA_RUNTIME_API pointing at itself and the
// environment Lambda gives a function (its configured variables, the
// reserved AWS_LAMBDA_* ones, credentials), and nothing of this process's
// own environment. Invocations run one at a time, as in one execution
// environment; one that outlives its deadline kills the process, as Lambda
// does.
//
// [EventSourceMapping] plays the part of Lambda's SQS event source mapping:
// it receives batches from a queue, invokes the function with an
// events.SQSEvent, and deletes the messages the response does not report as
// batch item failures.
package lambdart
