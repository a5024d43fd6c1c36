package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

func runConvert(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("convert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	key := fs.String("key", "", "S3 key to derive the resource from (account, region, load balancer); default: the file name")
	bucket := fs.String("bucket", "", "S3 bucket name to record as aws.s3.bucket")
	service := fs.String("service-name", "elb", "service.name resource attribute")
	batch := fs.Int("batch-records", pipeline.DefaultMaxBatchRecords, "records per output line (ExportLogsServiceRequest)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: elb-otel convert [flags] FILE...\n\nConverts ELB log files (gzip or plain) to OTLP/JSON lines on stdout.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errUsage
	}
	if *key != "" && fs.NArg() > 1 {
		fmt.Fprintln(stderr, "elb-otel convert: --key names one object; give one FILE with it")
		return errUsage
	}
	shipper := pipeline.NewShipper(&jsonLines{w: stdout}, pipeline.Options{
		Record:          logrecord.Options{ServiceName: *service},
		MaxBatchRecords: *batch,
		MaxInFlight:     1, // the lines come out in the order of the input, from one writer
	})
	var failed int
	for _, path := range fs.Args() {
		k := *key
		if k == "" {
			k = filepath.Base(path)
		}
		res, err := convertFile(ctx, shipper, path, *bucket, k)
		if err != nil {
			failed++
			fmt.Fprintf(stderr, "%s: %v\n", path, err)
			continue
		}
		fmt.Fprintf(stderr, "%s: %s, %d lines, %d records, %d parse errors, %d skipped\n",
			path, res.Format, res.Lines, res.Records, res.ParseErrors, res.Skipped)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files failed", failed, fs.NArg())
	}
	return nil
}

func convertFile(ctx context.Context, s *pipeline.Shipper, path, bucket, key string) (pipeline.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return pipeline.Result{}, err
	}
	defer f.Close()
	return s.Ship(ctx, pipeline.Source{Source: logrecord.Source{Bucket: bucket, Key: key}}, f)
}

// jsonLines is a pipeline exporter that writes each batch as one line of
// OTLP/JSON (an ExportLogsServiceRequest).
type jsonLines struct {
	w io.Writer
	m plog.JSONMarshaler
}

func (j *jsonLines) Export(_ context.Context, ld plog.Logs) (otlpexport.Stats, error) {
	b, err := j.m.MarshalLogs(ld)
	if err != nil {
		return otlpexport.Stats{}, err
	}
	b = append(b, '\n')
	n, err := j.w.Write(b)
	return otlpexport.Stats{Attempts: 1, BytesSent: int64(n)}, err
}
