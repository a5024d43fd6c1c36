package handler

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/elb-otel/elb-otel/internal/contract"
	"github.com/elb-otel/elb-otel/lambda/internal/event"
	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
	"github.com/elb-otel/elb-otel/lambda/internal/metricstream"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// Expect is what an object's key says its content must be.
type Expect int

// What a key expects.
const (
	// ExpectAny: the content decides (local files, no metrics prefix set).
	ExpectAny Expect = iota
	// ExpectLogs: an ELB log object (outside the metrics prefix).
	ExpectLogs
	// ExpectMetrics: a metric-stream object (under the metrics prefix).
	ExpectMetrics
)

// FormatMetricStream is the Format of a metric-stream object in the
// handler's logs and Embedded Metric Format lines.
const FormatMetricStream = contract.FormatMetricStream

// ErrWrongContent wraps the error for an object whose content is not what its
// key says (a metric-stream object under the log prefix, or anything else
// under the metrics prefix): it is not shipped, so a metric object never
// becomes log lines and a log object never metrics. Retrying cannot fix it.
var ErrWrongContent = errors.New("content does not match the key's prefix")

// expect returns what the key of an object expects.
func (h *Handler) expect(key string) Expect {
	switch {
	case h.MetricsPrefix == "":
		return ExpectAny
	case strings.HasPrefix(key, h.MetricsPrefix):
		return ExpectMetrics
	default:
		return ExpectLogs
	}
}

// isMetricKey reports whether key lies under the metrics prefix.
func (h *Handler) isMetricKey(key string) bool {
	return h.MetricsPrefix != "" && strings.HasPrefix(key, h.MetricsPrefix)
}

// ShipContent ships one object's content, body (gzip or not), recognized by
// content: a metric-stream object goes to the OTLP metrics endpoint
// (MetricExporter), anything else through the log pipeline. When want is not
// ExpectAny the content must match it, or nothing is shipped and the error
// wraps ErrWrongContent. obj.StartLine is the line (or, for a metric-stream
// object, the message) to start at. For a metric-stream object the result's
// Format is FormatMetricStream, Lines counts the stream's metric updates,
// Records the data points exported and NextLine the message to continue at.
func (h *Handler) ShipContent(ctx context.Context, obj event.Object, etag string, body io.Reader, want Expect) (pipeline.Result, error) {
	br := bufio.NewReaderSize(body, metricstream.PeekBytes)
	isMetric, err := metricstream.Detect(br)
	if err != nil {
		return pipeline.Result{}, fmt.Errorf("read object: %w", err)
	}
	switch {
	case isMetric && want == ExpectLogs:
		return pipeline.Result{Format: FormatMetricStream}, fmt.Errorf("%w: s3://%s/%s is a metric-stream object (by content) outside the metrics prefix %q: not shipped as log lines",
			ErrWrongContent, obj.Bucket, obj.Key, h.MetricsPrefix)
	case !isMetric && want == ExpectMetrics:
		return pipeline.Result{}, fmt.Errorf("%w: s3://%s/%s is under the metrics prefix %q but is not a metric-stream object (length-prefixed OTLP ExportMetricsServiceRequest messages): not shipped as metrics",
			ErrWrongContent, obj.Bucket, obj.Key, h.MetricsPrefix)
	case isMetric:
		return h.shipMetrics(ctx, obj, br)
	}
	return h.Shipper.Ship(ctx, pipeline.Source{
		Source:    logrecord.Source{Bucket: obj.Bucket, Key: obj.Key, ETag: strings.Trim(etag, `"`)},
		StartLine: obj.StartLine,
	}, br)
}

// shipMetrics exports a metric-stream object.
func (h *Handler) shipMetrics(ctx context.Context, obj event.Object, br *bufio.Reader) (pipeline.Result, error) {
	res := pipeline.Result{Format: FormatMetricStream}
	if h.MetricExporter == nil {
		return res, fmt.Errorf("s3://%s/%s is a metric-stream object, and this handler exports no metrics (no MetricExporter)", obj.Bucket, obj.Key)
	}
	content, err := metricstream.Open(br)
	if err != nil {
		return res, fmt.Errorf("%w: s3://%s/%s: gzip: %v", metricstream.ErrCorrupt, obj.Bucket, obj.Key, err)
	}
	mr, err := metricstream.Ship(ctx, h.MetricExporter, metricstream.Source{Bucket: obj.Bucket, Key: obj.Key}, content, obj.StartLine, h.MetricOptions)
	res.Lines, res.Records, res.Batches, res.Retries, res.Rejected = mr.DataPoints, mr.Exported, mr.Batches, mr.Retries, mr.Rejected
	res.BytesRead, res.BytesSent, res.NextLine, res.MaxLag = mr.BytesRead, mr.BytesSent, mr.NextMessage, mr.MaxLag
	return res, err
}
