package otlpexport

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
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
	return e.send(ctx, p, metricsSignal)
}

// encodeMetricsProto makes the request body of raw, an encoded
// ExportMetricsServiceRequest the caller keeps.
func (e *encoder) encodeMetricsProto(raw []byte) (*payload, error) {
	if e.json {
		req := pmetricotlp.NewExportRequest()
		if err := req.UnmarshalProto(raw); err != nil {
			return nil, err
		}
		j, err := req.MarshalJSON()
		if err != nil {
			return nil, err
		}
		return e.pack(j, true)
	}
	return e.pack(raw, false)
}

// decodeMetricsPartialSuccess reads the partial success of a 2xx response to
// a metrics request, as decodePartialSuccess does for logs.
func decodeMetricsPartialSuccess(contentType string, body []byte, sent Protocol) (rejected int64, message string) {
	if len(body) == 0 {
		return 0, ""
	}
	kind := kindOf(contentType)
	if kind == kindUnknown {
		kind = kindProto
		if sent == ProtocolHTTPJSON {
			kind = kindJSON
		}
	}
	resp := pmetricotlp.NewExportResponse()
	var err error
	if kind == kindJSON {
		err = resp.UnmarshalJSON(body)
	} else {
		err = resp.UnmarshalProto(body)
	}
	if err != nil {
		return 0, ""
	}
	ps := resp.PartialSuccess()
	return ps.RejectedDataPoints(), truncate(ps.ErrorMessage(), maxMessage)
}
