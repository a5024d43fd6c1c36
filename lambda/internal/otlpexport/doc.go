// Package otlpexport sends OpenTelemetry log records to an OTLP/HTTP logs endpoint
// (http/protobuf or http/json, gzip by default) and never loses them silently.
//
// An [Exporter] encodes a plog.Logs once (or takes a request already encoded as
// protobuf, [Exporter.ExportProto]), compresses it once, and POSTs it, retrying
// the failures the OTLP specification calls retryable (429, 502, 503, 504, connection
// errors, timeouts) with exponential backoff and full jitter, honouring Retry-After.
// It stops before the context deadline instead of sleeping past it. Every failure
// comes back as an [*ExportError] saying whether it is retryable, so the caller
// (the Lambda handler, the SQS worker, the CLI) can fail the work item and let it be
// redelivered. Records the backend rejected through an OTLP partial success are
// reported in [Stats], for the caller to count and log.
//
// [ConfigFromEnv] reads the OpenTelemetry exporter variables
// (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, ..._HEADERS,
// ..._COMPRESSION, ..._TIMEOUT, ..._PROTOCOL) and the original guide's names
// (OTEL_ENDPOINT, OTEL_HEADERS, REQUEST_TIMEOUT) as aliases.
//
// Header values (API keys) never appear in errors, in [Config.String] or in
// [Config.LogValue].
package otlpexport
