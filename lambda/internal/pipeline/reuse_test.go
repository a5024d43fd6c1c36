package pipeline_test

import (
	"bytes"
	"context"
	"math"
	"runtime"
	"testing"

	"github.com/elb-otel/elb-otel/internal/racedetect"
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
	if racedetect.Enabled {
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
	// The least of several objects: an object may still add a batch or two to
	// the Shipper's set (how many it needs depends on how the exports and the
	// compression overlap: measured 0 to 1.9 MiB more in a run of five), but
	// with its batches reused most objects add none; without, every object
	// allocates its batches' megabytes.
	least, most := uint64(math.MaxUint64), uint64(0)
	for range 8 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		ship()
		runtime.ReadMemStats(&after)
		n := after.TotalAlloc - before.TotalAlloc
		least, most = min(least, n), max(most, n)
	}
	t.Logf("%d to %d KiB allocated per object of %d KiB", least>>10, most>>10, len(plain)>>10)
	if least > uint64(len(plain))/2 {
		t.Errorf("at least %d KiB allocated per object of %d KiB, want well under its size (its batches reused)", least>>10, len(plain)>>10)
	}
}
