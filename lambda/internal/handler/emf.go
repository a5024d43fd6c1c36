package handler

import (
	"encoding/json"
	"io"
	"time"

	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// MetricNamespace is the CloudWatch namespace of the shipper's own metrics.
const MetricNamespace = "elb-otel"

// emfMetric names one metric and its unit in the EMF directive.
type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

type emfDirective struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []emfMetric `json:"Metrics"`
}

type emfMeta struct {
	Timestamp         int64          `json:"Timestamp"`
	CloudWatchMetrics []emfDirective `json:"CloudWatchMetrics"`
}

// emfLine is one CloudWatch Embedded Metric Format record: CloudWatch Logs
// turns it into metrics without any API call from the function.
type emfLine struct {
	AWS         emfMeta `json:"_aws"`
	Format      string  `json:"Format"`
	Objects     int     `json:"Objects"`
	FailedObjs  int     `json:"FailedObjects"`
	Lines       int64   `json:"Lines"`
	Records     int64   `json:"Records"`
	ParseErrors int64   `json:"ParseErrors"`
	Retries     int64   `json:"Retries"`
	Rejected    int64   `json:"RejectedRecords"`
	BytesRead   int64   `json:"BytesRead"`
	BytesSent   int64   `json:"BytesSent"`
	LagSeconds  float64 `json:"LagSeconds"`
}

var emfMetrics = []emfMetric{
	{"Objects", "Count"}, {"FailedObjects", "Count"}, {"Lines", "Count"}, {"Records", "Count"},
	{"ParseErrors", "Count"}, {"Retries", "Count"}, {"RejectedRecords", "Count"},
	{"BytesRead", "Bytes"}, {"BytesSent", "Bytes"}, {"LagSeconds", "Seconds"},
}

func writeEMF(w io.Writer, now time.Time, res pipeline.Result, failed bool) {
	format := res.Format
	if format == "" {
		format = "unknown"
	}
	line := emfLine{
		AWS: emfMeta{
			Timestamp: now.UnixMilli(),
			CloudWatchMetrics: []emfDirective{{
				Namespace:  MetricNamespace,
				Dimensions: [][]string{{"Format"}, {}},
				Metrics:    emfMetrics,
			}},
		},
		Format: format, Objects: 1, Lines: res.Lines, Records: res.Records, ParseErrors: res.ParseErrors,
		Retries: res.Retries, Rejected: res.Rejected, BytesRead: res.BytesRead, BytesSent: res.BytesSent,
		LagSeconds: res.MaxLag.Seconds(),
	}
	if failed {
		line.FailedObjs = 1
	}
	_ = json.NewEncoder(w).Encode(line)
}
