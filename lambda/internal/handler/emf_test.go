package handler_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/elb-otel/elb-otel/lambda/internal/handler"
	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// emf is the part of an Embedded Metric Format line the tests read.
type emf struct {
	AWS struct {
		Timestamp         int64 `json:"Timestamp"`
		CloudWatchMetrics []struct {
			Namespace  string     `json:"Namespace"`
			Dimensions [][]string `json:"Dimensions"`
			Metrics    []struct {
				Name string `json:"Name"`
				Unit string `json:"Unit"`
			} `json:"Metrics"`
		} `json:"CloudWatchMetrics"`
	} `json:"_aws"`
	Format        string `json:"Format"`
	Objects       int    `json:"Objects"`
	FailedObjects int    `json:"FailedObjects"`
	Lines         int64  `json:"Lines"`
	Records       int64  `json:"Records"`
	ParseErrors   int64  `json:"ParseErrors"`
}

// The Metrics writer gets one EMF line per object shipped or failed (none for
// skipped messages), each a valid EMF document: every metric and dimension
// the directive names is a member of the line.
func TestHandleSQS_WritesOneEMFLinePerObject(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alb := w.put(loggen.ALB, 1, 40, "", "123456789012", "eu-west-1")
	nlb := w.put(loggen.NLB, 2, 25, "", "123456789012", "eu-west-1")
	corrupt := object{key: "AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/11/25/corrupt.log.gz"}
	corrupt.etag = w.putBytes(corrupt.key, corruptGzip())
	missing := object{key: "AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/11/25/missing.log.gz", etag: `"00"`}

	var metrics lockedBuffer
	h := w.handler(pipeline.Options{MaxBatchRecords: 10})
	h.Metrics = &metrics
	resp, err := h.HandleSQS(context.Background(), batch(
		message("alb", s3Notification(w.bucket, alb)),
		message("test-event", `{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"b"}`),
		message("nlb", eventBridgeEvent(w.bucket, nlb)),
		message("corrupt", s3Notification(w.bucket, corrupt)),
		message("missing", s3Notification(w.bucket, missing)),
	))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := failures(resp), []string{"corrupt", "missing"}; !slices.Equal(got, want) {
		t.Errorf("BatchItemFailures = %v, want %v", got, want)
	}

	type counts struct {
		Format                  string
		Objects, FailedObjects  int
		Lines, Records, ParseEr int64
	}
	want := []counts{
		{Format: "alb_access", Objects: 1, Lines: 40, Records: 40},
		{Format: "nlb_access", Objects: 1, Lines: 25, Records: 25},
		{Format: "unknown", Objects: 1, FailedObjects: 1},
		{Format: "unknown", Objects: 1, FailedObjects: 1},
	}
	lines := strings.Split(strings.TrimSuffix(metrics.String(), "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("Metrics got %d lines, want %d:\n%s", len(lines), len(want), metrics.String())
	}
	for i, line := range lines {
		var e emf
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("line %d is not JSON: %v: %s", i+1, err, line)
		}
		got := counts{e.Format, e.Objects, e.FailedObjects, e.Lines, e.Records, e.ParseErrors}
		if got != want[i] {
			t.Errorf("line %d counts %+v, want %+v", i+1, got, want[i])
		}
		checkEMFDocument(t, i+1, line, e)
	}
}

// checkEMFDocument checks the rules of the EMF specification that CloudWatch
// enforces: a Timestamp, one directive in the shipper's namespace, and every
// metric and dimension it names present at the top level.
func checkEMFDocument(t *testing.T, n int, line string, e emf) {
	t.Helper()
	var members map[string]any
	if err := json.Unmarshal([]byte(line), &members); err != nil {
		t.Fatal(err)
	}
	if e.AWS.Timestamp <= 0 {
		t.Errorf("line %d: _aws.Timestamp = %d", n, e.AWS.Timestamp)
	}
	if len(e.AWS.CloudWatchMetrics) != 1 {
		t.Fatalf("line %d: %d CloudWatchMetrics directives, want 1", n, len(e.AWS.CloudWatchMetrics))
	}
	d := e.AWS.CloudWatchMetrics[0]
	if d.Namespace != handler.MetricNamespace {
		t.Errorf("line %d: namespace %q, want %q", n, d.Namespace, handler.MetricNamespace)
	}
	var names []string
	for _, m := range d.Metrics {
		names = append(names, m.Name)
		if _, ok := members[m.Name].(float64); !ok {
			t.Errorf("line %d: metric %s is not a number member of the line", n, m.Name)
		}
		if m.Unit == "" {
			t.Errorf("line %d: metric %s has no unit", n, m.Name)
		}
	}
	for _, name := range []string{"Objects", "FailedObjects", "Lines", "Records"} {
		if !slices.Contains(names, name) {
			t.Errorf("line %d: the directive does not name metric %s", n, name)
		}
	}
	for _, set := range d.Dimensions {
		for _, dim := range set {
			if _, ok := members[dim].(string); !ok {
				t.Errorf("line %d: dimension %s is not a string member of the line", n, dim)
			}
		}
	}
}
