package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/elb-otel/elb-otel/internal/otlptest"
	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// TestShip_CountsEveryKindOfLine ships skipped, unparsable, overlong and good
// lines in several batches, and checks what the receiver decoded (with
// OpenTelemetry's own types) against the result.
func TestShip_CountsEveryKindOfLine(t *testing.T) {
	t.Parallel()
	lines, _, _ := genLines(loggen.ALB, 2500)
	input := append([]string{"", "Enable AccessLog for ELB: x", "http 2026-11-25T10:00:00.000000Z short line",
		lines[0] + " " + strings.Repeat("x", 3000)}, lines...)
	body := gzipBytes([]byte(strings.Join(input, "\n") + "\n"))
	now := time.Date(2026, 11, 25, 11, 0, 0, 0, time.UTC)
	opts := pipeline.Options{
		MaxBatchRecords: 700,
		MaxLineBytes:    2048,
		Now:             func() time.Time { return now },
		Record:          logrecord.Options{ServiceName: "edge", ResourceAttributes: map[string]string{"deployment.environment.name": "prod"}},
	}
	src := pipeline.Source{Source: logrecord.Source{Bucket: "logs", Key: loggen.New(loggen.ALB, 1, start).Key("", 1), ETag: "e1"}}

	r := receiver(t)
	exp, err := otlpexport.New(otlpexport.Config{Endpoint: r.URL + "/v1/logs"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := pipeline.NewShipper(exp, opts).Ship(context.Background(), src, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	recs := r.Records()
	if res.Records != int64(len(input)-2) || res.Truncated != 1 || res.ParseErrors != 1 || res.Batches != 4 {
		t.Errorf("result = %+v", res)
	}
	if int64(len(recs)) != res.Records {
		t.Fatalf("the receiver decoded %d records, the result counts %d", len(recs), res.Records)
	}
	// Batches complete in any order: find each line by its log.record.uid.
	line := func(n int) otlptest.Record {
		i := slices.IndexFunc(recs, func(r otlptest.Record) bool {
			return strings.HasSuffix(fmt.Sprint(r.Attributes["log.record.uid"]), fmt.Sprintf("-%d", n))
		})
		if i < 0 {
			t.Fatalf("line %d did not arrive", n)
		}
		return recs[i]
	}
	if got := line(3).Attributes["aws.elb.parse_error"]; got == nil {
		t.Errorf("unparsable line: no aws.elb.parse_error")
	}
	if got := line(4).Attributes["aws.elb.parse_error"]; got != "line 4 is longer than 2048 bytes; shipped truncated" {
		t.Errorf("truncated line: aws.elb.parse_error = %v", got)
	}
}

// TestShip_NoBatchIsSentAfterAFailure checks, one request at a time, that the
// batches still being read when one fails are not sent, and that only the
// accepted ones are counted.
func TestShip_NoBatchIsSentAfterAFailure(t *testing.T) {
	t.Parallel()
	r := receiver(t)
	r.Script(otlptest.Response{}, otlptest.Response{Status: 400})
	exp, err := otlpexport.New(otlpexport.Config{Endpoint: r.URL + "/v1/logs"})
	if err != nil {
		t.Fatal(err)
	}
	_, _, gz := genLines(loggen.ALB, 5000)
	res, err := pipeline.NewShipper(exp, pipeline.Options{MaxBatchRecords: 500, MaxInFlight: 1}).
		Ship(context.Background(), pipeline.Source{Source: logrecord.Source{Bucket: "b", Key: "k.log.gz"}}, bytes.NewReader(gz))
	var xe *otlpexport.ExportError
	if !errors.As(err, &xe) || xe.StatusCode != 400 {
		t.Fatalf("err = %v, want the 400", err)
	}
	if r.Requests() != 2 || res.Records != 500 || res.Batches != 1 || len(r.Records()) != 500 {
		t.Errorf("%d requests, result %+v; want 2 requests and the first batch counted", r.Requests(), res)
	}
}

// orderedExporter records the line numbers of the first record of each batch and
// fails or panics when told to.
type orderedExporter struct {
	mu     sync.Mutex
	firsts []string
	fail   int // fail the batch of this index (1-based), 0: never
	panic  bool
}

func (o *orderedExporter) ExportProto(_ context.Context, req []byte, _ int) (otlpexport.Stats, error) {
	ld, err := (&plog.ProtoUnmarshaler{}).UnmarshalLogs(req)
	if err != nil {
		return otlpexport.Stats{}, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.firsts = append(o.firsts, ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body().Str())
	if o.panic {
		panic("exporter bug")
	}
	if len(o.firsts) == o.fail {
		return otlpexport.Stats{Attempts: 1}, errors.New("refused")
	}
	return otlpexport.Stats{Attempts: 1}, nil
}

// TestShip_BatchesAreExportedInOrder: with one request in flight, batches go in
// the order of the lines (with more, they start in that order).
func TestShip_BatchesAreExportedInOrder(t *testing.T) {
	t.Parallel()
	lines, plain, _ := genLines(loggen.CLB, 10_000)
	o := &orderedExporter{}
	res, err := pipeline.NewShipper(o, pipeline.Options{MaxBatchRecords: 100, MaxInFlight: 1}).
		Ship(context.Background(), pipeline.Source{Source: logrecord.Source{Key: "k.log"}}, bytes.NewReader(plain))
	if err != nil || res.Batches != 100 || res.Records != 10_000 {
		t.Fatalf("Ship = %+v, %v", res, err)
	}
	for i, first := range o.firsts {
		if first != lines[100*i] {
			t.Fatalf("batch %d starts with %.60q, want line %d", i, first, 100*i+1)
		}
	}
}

func TestShip_ExporterPanicReachesTheCaller(t *testing.T) {
	t.Parallel()
	_, plain, _ := genLines(loggen.CLB, 300)
	defer func() {
		if p := recover(); p != "exporter bug" {
			t.Errorf("recovered %v, want the exporter's panic", p)
		}
	}()
	_, _ = pipeline.NewShipper(&orderedExporter{panic: true}, pipeline.Options{MaxBatchRecords: 100}).
		Ship(context.Background(), pipeline.Source{Source: logrecord.Source{Key: "k.log"}}, bytes.NewReader(plain))
	t.Error("Ship returned")
}
