package pipeline_test

import (
	"bytes"
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/elb-otel/elb-otel/internal/otlptest"
	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// gatedExporter holds each export until want exports are in flight at once (or
// a while has passed), and records the most it saw at once.
type gatedExporter struct {
	want    int
	mu      sync.Mutex
	now     int
	peak    int
	release chan struct{}
	// released: release is closed (the count can reach want again later).
	released bool
}

func (g *gatedExporter) ExportProto(ctx context.Context, _ []byte, _ int) (otlpexport.Stats, error) {
	g.mu.Lock()
	g.now++
	g.peak = max(g.peak, g.now)
	if g.now == g.want && !g.released {
		close(g.release)
		g.released = true
	}
	g.mu.Unlock()
	select {
	case <-g.release:
	case <-time.After(2 * time.Second):
	}
	g.mu.Lock()
	g.now--
	g.mu.Unlock()
	return otlpexport.Stats{Attempts: 1}, nil
}

// TestShip_AnExporterThatCompressesAsItSendsGetsMaxInFlight: an exporter
// without the Prepare/Send split (the CLI's convert) holds its batch while in
// flight, so the shipper keeps MaxInFlight batches for it beyond the one it
// fills, also when that is more than the cores.
func TestShip_AnExporterThatCompressesAsItSendsGetsMaxInFlight(t *testing.T) {
	t.Parallel()
	inFlight := runtime.GOMAXPROCS(0) + 3
	g := &gatedExporter{want: inFlight, release: make(chan struct{})}
	_, plain, _ := genLines(loggen.ALB, 50*inFlight)
	res, err := pipeline.NewShipper(g, pipeline.Options{MaxBatchRecords: 10, MaxInFlight: inFlight}).
		Ship(context.Background(), pipeline.Source{Source: logrecord.Source{Key: "k.log"}}, bytes.NewReader(plain))
	if err != nil || res.Records != int64(50*inFlight) {
		t.Fatalf("Ship = %+v, %v", res, err)
	}
	if g.peak != inFlight {
		t.Errorf("at most %d exports were in flight at once, want MaxInFlight (%d)", g.peak, inFlight)
	}
}

// TestShip_OnOneCore ships an object with GOMAXPROCS 1, as in a container given
// one CPU. Not parallel: it changes GOMAXPROCS while it runs (parallel tests
// start after it ends).
func TestShip_OnOneCore(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	r := receiver(t)
	s := shipper(t, r, pipeline.Options{MaxBatchRecords: 100})
	_, _, gz := genLines(loggen.ALB, 1000)
	type shipped struct {
		res pipeline.Result
		err error
	}
	done := make(chan shipped, 1)
	go func() {
		res, err := s.Ship(context.Background(), pipeline.Source{Source: logrecord.Source{Bucket: "b", Key: "k.log.gz"}}, bytes.NewReader(gz))
		done <- shipped{res, err}
	}()
	select {
	case got := <-done:
		if got.err != nil || got.res.Records != 1000 || len(r.Records()) != 1000 {
			t.Errorf("Ship = %+v, %v; the receiver got %d records; want 1000", got.res, got.err, len(r.Records()))
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Ship did not return within 30 s on one core")
	}
}

// TestShip_AWarningIsNotTheRejectionsMessage: a batch accepted whole with a
// partial-success message (the OTLP warning) counts nothing rejected, and the
// message of a later batch's rejection is the one reported.
func TestShip_AWarningIsNotTheRejectionsMessage(t *testing.T) {
	t.Parallel()
	r := receiver(t)
	r.Script(otlptest.Response{Warning: "attribute x is deprecated"}, otlptest.Response{Rejected: 3})
	s := shipper(t, r, pipeline.Options{MaxBatchRecords: 100, MaxInFlight: 1})
	_, _, gz := genLines(loggen.ALB, 200)
	res, err := s.Ship(context.Background(), pipeline.Source{Source: logrecord.Source{Bucket: "b", Key: "k.log.gz"}}, bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 197 || res.Rejected != 3 || res.RejectedMessage != "scripted rejection" {
		t.Errorf("result %+v: want 197 records, 3 rejected with the rejection's message", res)
	}
}
