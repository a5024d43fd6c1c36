// Package metricstream reads the objects a CloudWatch metric stream writes to
// S3 through Kinesis Data Firehose in the OpenTelemetry 1.0.0 output format
// (OutputFormat opentelemetry1.0), completes their resource attributes as the
// log path does, and optionally renames them to the series the polling mode's
// exporter produces.
//
// An object is a sequence of ExportMetricsServiceRequest messages
// (opentelemetry-proto v1.0.0), each preceded by its length as an unsigned
// varint: CloudWatch writes one or more such messages per Firehose record, and
// Firehose concatenates the records. The format 0.7.0 (StringKeyValue
// attributes) is not supported: its attributes do not decode as 1.0.0's.
//
// Each metric update is a Summary data point one minute long: count is
// SampleCount, sum is Sum, quantile 0 is Minimum, quantile 1 is Maximum, and
// further quantiles are the percentiles the stream was asked for. Its
// attributes are Namespace, MetricName and Dimensions (a key-value list of the
// CloudWatch dimensions).
//
// Doc: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-metric-streams-formats-opentelemetry-100.html
package metricstream
