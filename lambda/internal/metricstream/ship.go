package metricstream

import (
	"context"
	"fmt"
	"io"
	"time"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/proto"

	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
)

// Exporter sends one ExportMetricsServiceRequest, encoded as protobuf, to the
// OTLP metrics endpoint; otlpexport.Exporter implements it, with the same
// retries, partial-success accounting and errors as for logs.
type Exporter interface {
	ExportMetricsProto(ctx context.Context, req []byte, dataPoints int) (otlpexport.Stats, error)
}

// Defaults of ShipOptions.
const (
	DefaultMaxBatchPoints = 5000
	DefaultStopMargin     = 20 * time.Second
)

// ShipOptions tune Ship. Zero values take the defaults.
type ShipOptions struct {
	Options
	// MaxBatchPoints bounds the data points of one export request (whole
	// messages are added until it is reached). Default: DefaultMaxBatchPoints.
	MaxBatchPoints int
	// StopMargin: when ctx's deadline is closer than this, Ship stops at the
	// next batch boundary and says which message to continue from.
	// Default: DefaultStopMargin.
	StopMargin time.Duration
}

// Result counts what shipping one metric-stream object did.
type Result struct {
	Messages   int64 // messages read in this run (from StartMessage)
	DataPoints int64 // data points read (the stream's metric updates)
	Exported   int64 // data points exported (after PollingNames, one per gauge)
	Batches    int64
	Retries    int64
	Rejected   int64 // data points the endpoint rejected in partial success responses
	BytesRead  int64 // decompressed bytes read
	BytesSent  int64 // wire bytes sent, retries included
	// NextMessage is 0 when the object was shipped to its end; otherwise the
	// 1-based message to continue from (the deadline came first).
	NextMessage int64
	// MaxLag is the largest delay from a data point's time to its export.
	MaxLag time.Duration
}

// Ship reads the metric-stream object r (decompressed), skips the messages
// before startMessage (1-based; 0 or 1 starts at the top: earlier runs shipped
// them), completes each message's resource, renames it when PollingNames is
// set, and exports the messages in batches, in order. It returns an error
// wrapping ErrCorrupt for content that is not a metric-stream object (after
// exporting the whole messages before it), and the exporter's error when a
// batch could not be exported: the caller must keep the object (fail the
// message) either way.
func Ship(ctx context.Context, exp Exporter, src Source, r io.Reader, startMessage int64, opts ShipOptions) (Result, error) {
	if opts.MaxBatchPoints <= 0 {
		opts.MaxBatchPoints = DefaultMaxBatchPoints
	}
	if opts.StopMargin <= 0 {
		opts.StopMargin = DefaultStopMargin
	}
	var res Result
	rd := NewReader(r)
	batch := &colmetricspb.ExportMetricsServiceRequest{}
	points := 0
	var oldest uint64
	flush := func() error {
		if points == 0 {
			return nil
		}
		raw, err := proto.Marshal(batch)
		if err != nil {
			return fmt.Errorf("metricstream: encoding %d data points: %w", points, err)
		}
		st, err := exp.ExportMetricsProto(ctx, raw, points)
		res.Retries += int64(st.Retries)
		res.BytesSent += st.BytesSent
		res.Rejected += st.RejectedDataPoints
		if err != nil {
			return fmt.Errorf("export of %d data points failed: %w", points, err)
		}
		if oldest > 0 {
			res.MaxLag = max(res.MaxLag, time.Since(time.Unix(0, int64(oldest))))
		}
		res.Exported += int64(points)
		res.Batches++
		batch, points, oldest = &colmetricspb.ExportMetricsServiceRequest{}, 0, 0
		return nil
	}
	deadline, hasDeadline := ctx.Deadline()
	for index := int64(1); ; index++ {
		req := &colmetricspb.ExportMetricsServiceRequest{}
		err := rd.Next(req)
		res.BytesRead = rd.Offset()
		if err == io.EOF {
			break
		}
		if err != nil {
			// Ship what was read, then fail: the corrupt rest needs a human.
			if ferr := flush(); ferr != nil {
				return res, ferr
			}
			return res, fmt.Errorf("s3://%s/%s: %w", src.Bucket, src.Key, err)
		}
		if index < startMessage {
			continue
		}
		res.Messages++
		res.DataPoints += int64(DataPoints(req))
		oldest = earlier(oldest, earliest(req))
		CompleteResources(req, src, opts.Options)
		if opts.PollingNames {
			req = ToPolling(req)
		}
		batch.ResourceMetrics = append(batch.ResourceMetrics, req.ResourceMetrics...)
		points += DataPoints(req)
		if points >= opts.MaxBatchPoints {
			if err := flush(); err != nil {
				return res, err
			}
			if hasDeadline && time.Until(deadline) < opts.StopMargin {
				res.NextMessage = index + 1
				return res, nil
			}
		}
	}
	return res, flush()
}

// earliest returns the earliest data point time of req, 0 when none.
func earliest(req *colmetricspb.ExportMetricsServiceRequest) uint64 {
	var t uint64
	for _, rm := range req.ResourceMetrics {
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				if s, ok := m.Data.(*metricspb.Metric_Summary); ok {
					for _, dp := range s.Summary.DataPoints {
						t = earlier(t, dp.TimeUnixNano)
					}
				}
			}
		}
	}
	return t
}

// earlier returns the earlier of two times in Unix nanoseconds, 0 meaning
// none.
func earlier(a, b uint64) uint64 {
	if a == 0 {
		return b
	}
	if b == 0 {
		return a
	}
	return min(a, b)
}
