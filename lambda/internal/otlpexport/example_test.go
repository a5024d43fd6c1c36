package otlpexport_test

import (
	"context"
	"errors"
	"log"
	"os"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
)

// Read the configuration from the OpenTelemetry environment variables once at
// startup, and keep every failed batch: a retryable error means "try later".
func ExampleExporter_Export() {
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

	st, err := exp.Export(context.Background(), ld)
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
