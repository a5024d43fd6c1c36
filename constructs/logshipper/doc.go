// Package logshipper provides the LogShipper construct: it ships the access
// logs of Application, Network and Classic Load Balancers, and ALB connection
// logs, from S3 to any OpenTelemetry (OTLP/HTTP) backend.
//
// New log objects reach an SQS work queue through an EventBridge rule (default)
// or an S3 event notification; a Go Lambda function streams each object,
// parses every line into a typed OTLP log record and ships it with retries.
// A message that keeps failing lands in a dead-letter queue, where an alarm
// fires; nothing is dropped silently.
//
//	logshipper.NewLogShipper(stack, jsii.String("ElbLogs"), &logshipper.LogShipperProps{
//		OtlpEndpoint: jsii.String("https://otlp.example.com:4318"),
//	})
package logshipper
