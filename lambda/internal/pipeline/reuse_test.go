package pipeline_test

import (
	"bytes"
	"context"
	"runtime"
	"testing"

	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// discard accepts every request.
type discard struct{}

func (discard) ExportProto(context.Context, []byte, int) (otlpexport.Stats, error) {
	return otlpexport.Stats{Attempts: 1}, nil
}

// TestAllocs_ShipReusesItsBatches: a Shipper keeps its batches from one object
// to the next (a warm function ships many), so an object allocates little
// beside them, not its batches' megabytes again. Not parallel: it measures the
// process's allocations.
func TestAllocs_ShipReusesItsBatches(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop the pipeline's readers at random: `make test` runs TestAllocs_ without -race")
	}
	_, plain, _ := genLines(loggen.ALB, 4000)
	s := pipeline.NewShipper(discard{}, pipeline.Options{MaxBatchRecords: 1000, MaxInFlight: 2})
	ship := func() {
		if _, err := s.Ship(context.Background(), pipeline.Source{Source: logrecord.Source{Key: "k.log"}}, bytes.NewReader(plain)); err != nil {
			t.Fatal(err)
		}
	}
	ship() // fills the Shipper's batches
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const runs = 5
	for range runs {
		ship()
	}
	runtime.ReadMemStats(&after)
	perObject := (after.TotalAlloc - before.TotalAlloc) / runs
	t.Logf("%d KiB allocated per object of %d KiB", perObject>>10, len(plain)>>10)
	if perObject > uint64(len(plain))/2 {
		t.Errorf("%d KiB allocated per object of %d KiB, want well under its size (its batches reused)", perObject>>10, len(plain)>>10)
	}
}
