// Command elb-otel converts, ships and consumes ELB access and connection logs
// with the same code the Lambda function runs:
//
//	elb-otel convert [--key KEY] FILE...            OTLP/JSON lines on stdout
//	elb-otel ship --endpoint URL FILE...|s3://B/P   ship to an OTLP/HTTP endpoint
//	elb-otel consume --queue-url URL                a long-running SQS worker
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

const usage = `elb-otel ships Elastic Load Balancer logs to OpenTelemetry.

Usage:
  elb-otel convert [--key KEY] FILE...
        Convert log files to OTLP/JSON on stdout: one ExportLogsServiceRequest
        per line, as the OpenTelemetry Collector's file exporter writes them.
  elb-otel ship --endpoint URL [flags] FILE...|s3://BUCKET/PREFIX
        Ship local files, or every log object under an S3 prefix (backfill),
        to an OTLP/HTTP endpoint, with retries.
  elb-otel consume --queue-url URL [flags]
        Run the Lambda handler as a long-running SQS worker.

Run 'elb-otel COMMAND --help' for a command's flags. The OTLP exporter also
reads the OpenTelemetry environment variables (OTEL_EXPORTER_OTLP_ENDPOINT,
OTEL_EXPORTER_OTLP_HEADERS, ...); flags win over them.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	var err error
	switch args[0] {
	case "convert":
		err = runConvert(ctx, args[1:], stdout, stderr)
	case "ship":
		err = runShip(ctx, args[1:], stderr, logger)
	case "consume":
		err = runConsume(ctx, args[1:], stderr, logger)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "elb-otel: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintf(stderr, "elb-otel %s: %v\n", args[0], err)
		return 1
	}
}

// errUsage marks a command-line mistake, already explained on stderr.
var errUsage = errors.New("usage")

// parseFlags parses args with fs. A bad flag is a usage error (exit 2, as
// for an unknown command), which fs has already explained on stderr.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		return errUsage
	}
	return err
}
