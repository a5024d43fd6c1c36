package handler

import (
	"encoding/json"
	"io"
	"time"

	"github.com/elb-otel/elb-otel/internal/contract"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// MetricNamespace is the CloudWatch namespace of the shipper's own metrics.
const MetricNamespace = contract.MetricNamespace

type emfDirective struct {
	Namespace  string            `json:"Namespace"`
	Dimensions [][]string        `json:"Dimensions"`
	Metrics    []contract.Metric `json:"Metrics"`
}

type emfMeta struct {
	Timestamp         int64          `json:"Timestamp"`
	CloudWatchMetrics []emfDirective `json:"CloudWatchMetrics"`
}

// writeEMF writes one CloudWatch Embedded Metric Format record for one log
// object: CloudWatch Logs turns it into metrics without any API call from
// the function. The metric names come from package contract, which the
// construct's dashboard and alarms use too.
func writeEMF(w io.Writer, now time.Time, res pipeline.Result, failed bool) {
	format := res.Format
	if format == "" {
		format = "unknown"
	}
	failedObjects := 0
	if failed {
		failedObjects = 1
	}
	line := map[string]any{
		"_aws": emfMeta{
			Timestamp: now.UnixMilli(),
			CloudWatchMetrics: []emfDirective{{
				Namespace:  contract.MetricNamespace,
				Dimensions: [][]string{{contract.DimensionFormat}, {}},
				Metrics:    contract.Metrics,
			}},
		},
		contract.DimensionFormat:       format,
		contract.MetricObjects:         1,
		contract.MetricFailedObjects:   failedObjects,
		contract.MetricLines:           res.Lines,
		contract.MetricRecords:         res.Records,
		contract.MetricParseErrors:     res.ParseErrors,
		contract.MetricRetries:         res.Retries,
		contract.MetricRejectedRecords: res.Rejected,
		contract.MetricBytesRead:       res.BytesRead,
		contract.MetricBytesSent:       res.BytesSent,
		contract.MetricLagSeconds:      res.MaxLag.Seconds(),
	}
	_ = json.NewEncoder(w).Encode(line)
}
