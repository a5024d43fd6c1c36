package otlpexport_test

import (
	"context"
	"errors"
	"log"
	"os"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"

	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
)

// Read the configuration from the OpenTelemetry environment variables once at
// startup, and keep every failed batch: a retryable error means "try later".
func ExampleExporter_ExportProto() {
	cfg, err := otlpexport.ConfigFromEnv(os.LookupEnv)
	if err != nil {
		log.Fatal(err) // names each variable to fix
	}
	exp, err := otlpexport.New(cfg)
	if err != nil {
		log.Fatal(err)
	}

	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("hello")

	req, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	if err != nil {
		log.Fatal(err)
	}
	st, err := exp.ExportProto(context.Background(), req, ld.LogRecordCount())
	var xe *otlpexport.ExportError
	switch {
	case errors.As(err, &xe) && xe.Retryable:
		log.Printf("backend unavailable, the work item will be redelivered: %v", err)
	case err != nil:
		log.Printf("backend refused the batch: %v", err)
	case st.RejectedLogRecords > 0:
		log.Printf("backend rejected %d records: %s", st.RejectedLogRecords, st.PartialSuccessMessage)
	}
}
