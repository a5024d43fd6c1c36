package otlpexport

import (
	"context"
	"fmt"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"

	"github.com/elb-otel/elb-otel/lambda/internal/otlpjson"
)

// signal is the kind of telemetry a request carries: it picks the endpoint
// and the partial success to read.
type signal uint8

const (
	logsSignal signal = iota
	metricsSignal
)

// metricsPath is the OTLP/HTTP metrics path.
const metricsPath = "/v1/metrics"

// ExportMetricsProto sends req, an OTLP ExportMetricsServiceRequest in
// protobuf holding dataPoints data points, to Config.MetricsEndpoint: it is
// compressed (or, with the http/json protocol, converted to OTLP/JSON) and
// sent as ExportProto sends logs, with the same retries and errors. Data
// points the backend rejects in a partial success are in
// Stats.RejectedDataPoints. A request of 0 data points is not sent. req is
// only read.
func (e *Exporter) ExportMetricsProto(ctx context.Context, req []byte, dataPoints int) (Stats, error) {
	if dataPoints == 0 {
		return Stats{}, nil
	}
	if e.cfg.MetricsEndpoint == "" {
		return Stats{}, &ExportError{Message: fmt.Sprintf("no metrics endpoint for %d data points: set %s to the base URL or %s to the full metrics URL (the logs endpoint %s does not end in %s)",
			dataPoints, EnvEndpoint, EnvMetricsEndpoint, e.safeEndpoint, logsPath)}
	}
	if err := ctx.Err(); err != nil {
		return Stats{}, notSent(err)
	}
	p, err := e.enc.encodeMetricsProto(req)
	if err != nil {
		return Stats{}, &ExportError{Message: fmt.Sprintf("encoding %d data points: %v", dataPoints, err), cause: err}
	}
	return e.send(ctx, p, metricsSignal, int64(dataPoints))
}

// encodeMetricsProto makes the request body of raw, an encoded
// ExportMetricsServiceRequest the caller keeps.
func (e *encoder) encodeMetricsProto(raw []byte) (*payload, error) {
	if e.json {
		j, err := otlpjson.AppendMetricsRequest(nil, raw)
		if err != nil {
			return nil, err
		}
		return e.pack(j, true), nil
	}
	return e.pack(raw, false), nil
}

// decodeMetricsPartialSuccess reads the partial success of a 2xx response to
// a metrics request, as decodePartialSuccess does for logs.
func decodeMetricsPartialSuccess(contentType string, body []byte, sent Protocol) (rejected int64, message string) {
	var resp colmetricspb.ExportMetricsServiceResponse
	if !unmarshalResponse(contentType, body, sent, &resp) {
		return 0, ""
	}
	ps := resp.GetPartialSuccess()
	return ps.GetRejectedDataPoints(), truncate(ps.GetErrorMessage(), maxMessage)
}
