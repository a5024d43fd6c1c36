package otlpexport

import (
	"context"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
)

// Export sends ld through ExportProto: the tests build their requests with
// pdata, the collector's own library.
func (e *Exporter) Export(ctx context.Context, ld plog.Logs) (Stats, error) {
	raw, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	if err != nil {
		return Stats{}, err
	}
	return e.ExportProto(ctx, raw, ld.LogRecordCount())
}
