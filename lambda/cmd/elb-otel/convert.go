package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/elb-otel/elb-otel/lambda/internal/event"
	"github.com/elb-otel/elb-otel/lambda/internal/handler"
	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
	"github.com/elb-otel/elb-otel/lambda/internal/metricstream"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpjson"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

func runConvert(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("convert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	key := fs.String("key", "", "S3 key to derive the resource from (account, region, load balancer); default: the file name")
	bucket := fs.String("bucket", "", "S3 bucket name to record as aws.s3.bucket")
	service := fs.String("service-name", "elb", "service.name resource attribute")
	batch := fs.Int("batch-records", pipeline.DefaultMaxBatchRecords, "records per output line (ExportLogsServiceRequest)")
	pollingNames := fs.Bool("polling-names", false, "metric-stream files: the polling mode's gauges instead of the stream's Summaries")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: elb-otel convert [flags] FILE...\n\nConverts ELB log files (gzip or plain) to OTLP/JSON lines on stdout, one\n"+
			"ExportLogsServiceRequest per line; a CloudWatch metric-stream object (recognized by content) to one\n"+
			"ExportMetricsServiceRequest per line.\n\nFlags:")
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
	h := &handler.Handler{
		Shipper: pipeline.NewShipper(&jsonLines{w: stdout}, pipeline.Options{
			Record:          logrecord.Options{ServiceName: *service},
			MaxBatchRecords: *batch,
			MaxInFlight:     1, // the lines come out in the order of the input, from one writer
		}),
		MetricExporter: &metricJSONLines{w: stdout},
		MetricOptions:  metricstream.ShipOptions{Options: metricstream.Options{ServiceName: *service, PollingNames: *pollingNames}},
	}
	var failed int
	for _, path := range fs.Args() {
		k := *key
		if k == "" {
			k = filepath.Base(path)
		}
		res, err := convertFile(ctx, h, path, *bucket, k)
		if err != nil {
			failed++
			fmt.Fprintf(stderr, "%s: %v\n", path, err)
			continue
		}
		if res.Format == handler.FormatMetricStream {
			fmt.Fprintf(stderr, "%s: %s, %d metric updates, %d data points\n", path, res.Format, res.Lines, res.Records)
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

func convertFile(ctx context.Context, h *handler.Handler, path, bucket, key string) (pipeline.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return pipeline.Result{}, err
	}
	defer f.Close()
	return h.ShipContent(ctx, event.Object{Bucket: bucket, Key: key}, "", f, handler.ExpectAny)
}

// metricJSONLines is a metric exporter that writes each request as one line
// of OTLP/JSON (an ExportMetricsServiceRequest), rendered from the protobuf
// bytes the shipper would send.
type metricJSONLines struct{ w io.Writer }

func (j *metricJSONLines) ExportMetricsProto(_ context.Context, raw []byte, _ int) (otlpexport.Stats, error) {
	b, err := otlpjson.AppendMetricsRequest(nil, raw)
	if err != nil {
		return otlpexport.Stats{}, err
	}
	n, err := j.w.Write(append(b, '\n'))
	return otlpexport.Stats{Attempts: 1, BytesSent: int64(n)}, err
}

// jsonLines is a pipeline exporter that writes each batch as one line of
// OTLP/JSON (an ExportLogsServiceRequest), rendered from the protobuf bytes the
// shipper would send.
type jsonLines struct {
	w   io.Writer
	buf []byte
}

func (j *jsonLines) ExportProto(_ context.Context, req []byte, _ int) (otlpexport.Stats, error) {
	b, err := otlpjson.AppendLogsRequest(j.buf[:0], req)
	if err != nil {
		return otlpexport.Stats{}, err
	}
	j.buf = append(b, '\n')
	n, err := j.w.Write(j.buf)
	return otlpexport.Stats{Attempts: 1, BytesSent: int64(n)}, err
}
