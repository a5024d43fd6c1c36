package contract

import "strconv"

// Environment variables of the function and of `elb-otel consume`. For each
// setting the logs-specific variable wins over the general one, which wins
// over the alias; the aliases are the names of the hand-run guide this
// project replaces, kept for people migrating.
const (
	EnvLogsEndpoint    = "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"    // full logs URL, used as-is
	EnvEndpoint        = "OTEL_EXPORTER_OTLP_ENDPOINT"         // base URL; /v1/logs is appended
	EnvLogsHeaders     = "OTEL_EXPORTER_OTLP_LOGS_HEADERS"     // k1=v1,k2=v2 (values percent-encoded)
	EnvHeaders         = "OTEL_EXPORTER_OTLP_HEADERS"          // k1=v1,k2=v2 (values percent-encoded)
	EnvLogsCompression = "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION" // gzip, zstd or none
	EnvCompression     = "OTEL_EXPORTER_OTLP_COMPRESSION"      // gzip, zstd or none
	EnvLogsTimeout     = "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT"     // milliseconds per attempt
	EnvTimeout         = "OTEL_EXPORTER_OTLP_TIMEOUT"          // milliseconds per attempt
	EnvLogsProtocol    = "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL"    // http/protobuf or http/json
	EnvProtocol        = "OTEL_EXPORTER_OTLP_PROTOCOL"         // http/protobuf or http/json
	EnvAliasEndpoint   = "OTEL_ENDPOINT"                       // base URL; /v1/logs is appended
	EnvAliasHeaders    = "OTEL_HEADERS"                        // a JSON object of header name to value
	EnvAliasTimeout    = "REQUEST_TIMEOUT"                     // seconds per attempt, may be fractional

	EnvServiceName        = "OTEL_SERVICE_NAME"        // default "elb"
	EnvResourceAttributes = "OTEL_RESOURCE_ATTRIBUTES" // see EncodeResourceAttributes

	EnvHeadersSecretARN = "ELB_OTEL_HEADERS_SECRET_ARN" // Secrets Manager secret holding the OTLP headers
	EnvQueueURL         = "ELB_OTEL_QUEUE_URL"          // work queue, for continuations and backfill fan-out
	EnvDeleteObjects    = "ELB_OTEL_DELETE_OBJECTS"     // true or false
	AliasDeleteObjects  = "DELETE_PROCESSED_FILES"
	// EnvBucket names the log bucket: the only bucket the handler and
	// `elb-otel consume` read; a message naming another fails.
	EnvBucket         = "ELB_OTEL_BUCKET"
	AliasBucket       = "S3_BUCKET_NAME"
	EnvPrefix         = "ELB_OTEL_PREFIX" // keys outside it are skipped; ends in "AWSLogs/"
	AliasPrefix       = "S3_PREFIX"
	EnvBatchRecords   = "ELB_OTEL_BATCH_RECORDS" // records per export request
	AliasBatchRecords = "BATCH_SIZE"
	EnvBatchBytes     = "ELB_OTEL_BATCH_BYTES" // uncompressed bytes per export request

	// The metrics mode stream: a CloudWatch metric stream's objects, read by
	// the same function and exported to the OTLP metrics endpoint.
	EnvMetricsEndpoint     = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT" // full metrics URL, used as-is
	EnvMetricsPrefix       = "ELB_OTEL_METRICS_PREFIX"             // keys under it are metric-stream objects
	EnvMetricsPollingNames = "ELB_OTEL_METRICS_POLLING_NAMES"      // true: the polling mode's names and types

	// EnvOnRejected says what happens to the message of an object whose
	// records the endpoint partly rejected: OnRejectedFail (the default) or
	// OnRejectedSucceed. The object is kept either way.
	EnvOnRejected = "ELB_OTEL_ON_REJECTED"
)

// The values of EnvOnRejected.
const (
	OnRejectedFail    = "fail"    // the message fails into the dead-letter queue: the lines stay recoverable
	OnRejectedSucceed = "succeed" // the message is acknowledged; the RejectedRecords alarm fires
)

// FunctionEnv is what the log shipper construct tells its function. Encode
// renders it; the function decodes it with lambda/internal/config.FromEnv and
// lambda/internal/otlpexport.ConfigFromEnv. String fields may hold CDK token
// strings (a queue URL, a bucket name, an imported endpoint): they are copied
// as they are.
type FunctionEnv struct {
	Endpoint           string // base URL of the OTLP/HTTP receiver
	Protocol           string // http/protobuf or http/json
	Compression        string // gzip, zstd or none
	GzipLevel          int    // 0: unset (the function's default)
	MaxInFlight        int    // 0: unset (the function's default)
	ServiceName        string
	ResourceAttributes string // already encoded with EncodeResourceAttributes; empty: unset
	HeadersSecretARN   string // empty: unset
	QueueURL           string
	Bucket             string
	Prefix             string
	DeleteObjects      bool
	OnRejected         string // OnRejectedFail or OnRejectedSucceed; empty: unset (fail)
}

// Encode returns the environment variables for e. Optional settings left
// empty are left out.
func (e FunctionEnv) Encode() map[string]string {
	env := map[string]string{
		EnvEndpoint:      e.Endpoint,
		EnvProtocol:      e.Protocol,
		EnvCompression:   e.Compression,
		EnvServiceName:   e.ServiceName,
		EnvQueueURL:      e.QueueURL,
		EnvBucket:        e.Bucket,
		EnvPrefix:        e.Prefix,
		EnvDeleteObjects: strconv.FormatBool(e.DeleteObjects),
	}
	if e.ResourceAttributes != "" {
		env[EnvResourceAttributes] = e.ResourceAttributes
	}
	if e.HeadersSecretARN != "" {
		env[EnvHeadersSecretARN] = e.HeadersSecretARN
	}
	if e.OnRejected != "" {
		env[EnvOnRejected] = e.OnRejected
	}
	if e.GzipLevel != 0 {
		env[EnvGzipLevel] = strconv.Itoa(e.GzipLevel)
	}
	if e.MaxInFlight != 0 {
		env[EnvMaxInFlight] = strconv.Itoa(e.MaxInFlight)
	}
	return env
}
