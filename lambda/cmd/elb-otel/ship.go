package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/elb-otel/elb-otel/internal/contract"
	"github.com/elb-otel/elb-otel/lambda/internal/app"
	"github.com/elb-otel/elb-otel/lambda/internal/config"
	"github.com/elb-otel/elb-otel/lambda/internal/event"
	"github.com/elb-otel/elb-otel/lambda/internal/handler"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// headerFlags collects repeated --header name=value flags.
type headerFlags map[string]string

func (h headerFlags) String() string { return fmt.Sprintf("%d headers", len(h)) }
func (h headerFlags) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return errors.New("want name=value (the value is not shown: it may be a secret)")
	}
	h[strings.TrimSpace(k)] = val
	return nil
}

// exporterFlags are the OTLP and sending flags ship and consume share.
type exporterFlags struct {
	endpoint    string
	protocol    string
	compression string
	gzipLevel   int
	timeout     time.Duration
	headers     headerFlags
	inFlight    int
}

func (e *exporterFlags) register(fs *flag.FlagSet) {
	e.headers = headerFlags{}
	fs.StringVar(&e.endpoint, "endpoint", "", "OTLP/HTTP base URL, e.g. http://localhost:4318 (/v1/logs is appended), or the full logs URL ending in /v1/logs (default: $OTEL_EXPORTER_OTLP_ENDPOINT)")
	fs.StringVar(&e.protocol, "protocol", "", "http/protobuf or http/json (default: $OTEL_EXPORTER_OTLP_PROTOCOL or http/protobuf)")
	fs.StringVar(&e.compression, "compression", "", "gzip, zstd (receivers that accept it) or none (default: $OTEL_EXPORTER_OTLP_COMPRESSION or gzip)")
	fs.IntVar(&e.gzipLevel, "gzip-level", 0, fmt.Sprintf("gzip level, 1 (fastest) to 9 (smallest) (default: $%s or %d)", contract.EnvGzipLevel, otlpexport.DefaultGzipLevel))
	fs.IntVar(&e.inFlight, "in-flight", 0, fmt.Sprintf("export requests in flight per file, 1 to %d (default: $%s or %d)", contract.MaxInFlightLimit, contract.EnvMaxInFlight, pipeline.DefaultMaxInFlight))
	fs.DurationVar(&e.timeout, "timeout", 0, "per-request timeout (default: $OTEL_EXPORTER_OTLP_TIMEOUT or 10s)")
	fs.Var(e.headers, "header", "request header name=value (repeatable; prefer $OTEL_EXPORTER_OTLP_HEADERS for secrets)")
}

// apply overrides the environment's exporter config with the flags given.
func (e *exporterFlags) apply(cfg *otlpexport.Config) {
	if e.endpoint != "" {
		// The base URL, as OTEL_EXPORTER_OTLP_ENDPOINT, or the full logs URL.
		base := strings.TrimSuffix(strings.TrimRight(e.endpoint, "/"), "/v1/logs")
		cfg.Endpoint = base + "/v1/logs"
		cfg.MetricsEndpoint = base + "/v1/metrics"
	}
	if e.protocol != "" {
		cfg.Protocol = otlpexport.Protocol(e.protocol)
	}
	if e.compression != "" {
		cfg.Compression = e.compression
	}
	if e.gzipLevel != 0 {
		cfg.GzipLevel = e.gzipLevel
	}
	if e.timeout > 0 {
		cfg.Timeout = e.timeout
	}
	if len(e.headers) > 0 && cfg.Headers == nil {
		cfg.Headers = map[string]string{}
	}
	for k, v := range e.headers {
		cfg.Headers[k] = v
	}
}

// settings overrides the environment's settings with the flags given.
func (e *exporterFlags) settings(s *config.Settings) error {
	if e.inFlight != 0 {
		if err := contract.ValidateMaxInFlight(e.inFlight); err != nil {
			return fmt.Errorf("--in-flight %w", err)
		}
		s.MaxInFlight = e.inFlight
	}
	return nil
}

func runShip(ctx context.Context, args []string, stderr io.Writer, logger *slog.Logger) error {
	fs := flag.NewFlagSet("ship", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var ef exporterFlags
	ef.register(fs)
	key := fs.String("key", "", "S3 key to derive the resource from, for one local FILE (default: the file name)")
	quiet := fs.Bool("quiet", false, "no progress display")
	del := fs.Bool("delete", false, "delete each S3 object once every line was exported (never otherwise, whatever $ELB_OTEL_DELETE_OBJECTS or $DELETE_PROCESSED_FILES say)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: elb-otel ship --endpoint URL [flags] FILE...|s3://BUCKET/PREFIX\n\n"+
			"Ships local ELB log files and metric-stream objects (recognized by content), or every such object under\n"+
			"an S3 prefix, to an OTLP/HTTP endpoint (logs to /v1/logs, metrics to /v1/metrics).\n"+
			"A failed batch is retried; the command exits non-zero if any file could not be shipped.\n"+
			"It never deletes S3 objects unless --delete is given.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errUsage
	}
	deps, err := app.New(ctx, app.Options{Logger: logger, Exporter: ef.apply, Settings: ef.settings})
	if err != nil {
		return err
	}
	deps.Handler.Queue, deps.Handler.QueueURL = nil, "" // ship inline, never fan out
	deps.Handler.Prefix, deps.Handler.Bucket = "", ""   // the s3:// targets name them
	// The function's deletion setting is for the function: a shell that
	// happens to hold it must not make ship delete someone's logs.
	deps.Handler.DeleteObjects = *del
	var total pipeline.Result
	var failed, files int
	prog := newProgress(stderr, !*quiet && isTerminal(stderr))
	defer prog.stop()
	for _, target := range fs.Args() {
		if strings.HasPrefix(target, "s3://") {
			if err := shipS3(ctx, deps.Handler, target, prog, stderr); err != nil {
				return err
			}
			continue
		}
		files++
		k := *key
		if k == "" {
			k = filepath.Base(target)
		}
		res, ok := shipFile(ctx, deps.Handler, target, k, prog, logger)
		total.Lines += res.Lines
		total.Records += res.Records
		total.ParseErrors += res.ParseErrors
		total.BytesSent += res.BytesSent
		if !ok {
			failed++
		}
	}
	prog.stop()
	if files > 0 {
		// The S3 targets were summed up above, object by object.
		fmt.Fprintf(stderr, "shipped %d records from %d lines (%d parse errors), %d bytes on the wire\n",
			total.Records, total.Lines, total.ParseErrors, total.BytesSent)
	}
	if failed > 0 {
		return fmt.Errorf("%d inputs failed", failed)
	}
	return nil
}

// shipS3 ships every log or metric-stream object under an s3://BUCKET/PREFIX
// target and prints its summary.
func shipS3(ctx context.Context, h *handler.Handler, target string, prog *progress, stderr io.Writer) error {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not s3://BUCKET/PREFIX", target)
	}
	res, err := h.Backfill(ctx, event.Backfill{Bucket: u.Host, Prefix: strings.TrimPrefix(u.Path, "/")})
	prog.objects(res.Shipped, res.Failed)
	fmt.Fprintf(stderr, "%s: %d objects shipped, %d failed, %d skipped (not log files)\n", target, res.Shipped, res.Failed, res.Skipped)
	return err
}

// shipFile ships one local file as if it were the S3 object key, and says
// whether it was shipped; a failure is logged.
func shipFile(ctx context.Context, h *handler.Handler, target, key string, prog *progress, logger *slog.Logger) (pipeline.Result, bool) {
	f, err := os.Open(target)
	if err != nil {
		logger.Error("cannot open", "file", target, "error", err.Error())
		return pipeline.Result{}, false
	}
	// Recognized by content: ELB log lines to /v1/logs, a metric-stream
	// object to /v1/metrics.
	res, err := h.ShipContent(ctx, event.Object{Key: key}, "", prog.reader(f, target), handler.ExpectAny)
	f.Close()
	if err != nil {
		logger.Error("ship failed", "file", target, "error", err.Error())
		prog.objects(0, 1)
		return res, false
	}
	prog.objects(1, 0)
	return res, true
}
