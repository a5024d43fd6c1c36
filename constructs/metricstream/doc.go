// Package metricstream is the metrics mode "stream": a CloudWatch metric
// stream in the OpenTelemetry 1.0.0 format, filtered to the Elastic Load
// Balancing namespaces, delivered by a Kinesis Data Firehose delivery stream
// to a prefix of the log bucket, where the log shipper (constructs/logshipper)
// picks the objects up, recognizes them, and exports them to the OTLP
// metrics endpoint.
//
//	stream := metricstream.NewMetricStream(stack, jsii.String("MetricStream"), &metricstream.MetricStreamProps{
//		Bucket: shipper.Bucket(),
//	})
//	shipper.AddMetricStreamPrefix(*stream.KeyPrefix())
//
// A stream filters by namespace and metric name only: every dimension
// combination of an included metric (per load balancer, per target group, per
// Availability Zone) is streamed and billed, for every load balancer of the
// account and region. Doc:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Metric-Streams.html
package metricstream
