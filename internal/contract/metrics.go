package contract

// MetricNamespace is the CloudWatch namespace of the function's own metrics,
// written as Embedded Metric Format lines.
const MetricNamespace = "elb-otel"

// DimensionFormat is the dimension the metrics are also published under: the
// log format of the object (alb, nlb, clb, alb-connection, metric-stream, unknown).
const DimensionFormat = "Format"

// FormatMetricStream is the Format of a CloudWatch metric-stream object (the
// metrics mode stream): for it, Lines counts the stream's metric updates and
// Records the data points exported.
const FormatMetricStream = "metric-stream"

// Names of the function's own metrics, per log object.
const (
	MetricObjects         = "Objects"
	MetricFailedObjects   = "FailedObjects"
	MetricLines           = "Lines"
	MetricRecords         = "Records"
	MetricParseErrors     = "ParseErrors"
	MetricRetries         = "Retries"
	MetricRejectedRecords = "RejectedRecords"
	MetricBytesRead       = "BytesRead"
	MetricBytesSent       = "BytesSent"
	MetricLagSeconds      = "LagSeconds"
)

// Metric is one metric and its CloudWatch unit.
type Metric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

// Metrics lists every metric the function publishes, in the order of its
// EMF directive.
var Metrics = []Metric{
	{MetricObjects, "Count"}, {MetricFailedObjects, "Count"}, {MetricLines, "Count"}, {MetricRecords, "Count"},
	{MetricParseErrors, "Count"}, {MetricRetries, "Count"}, {MetricRejectedRecords, "Count"},
	{MetricBytesRead, "Bytes"}, {MetricBytesSent, "Bytes"}, {MetricLagSeconds, "Seconds"},
}
