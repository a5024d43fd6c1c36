package pipeline_test

import (
	"bytes"
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// heldSends is the real exporter with its sends held until release is closed;
// it counts the requests prepared (compressed).
type heldSends struct {
	*otlpexport.Exporter
	prepared atomic.Int64
	release  chan struct{}
}

func (h *heldSends) Prepare(req []byte, records int) (*otlpexport.Prepared, error) {
	h.prepared.Add(1)
	return h.Exporter.Prepare(req, records)
}

func (h *heldSends) Send(ctx context.Context, p *otlpexport.Prepared) (otlpexport.Stats, error) {
	<-h.release
	return h.Exporter.Send(ctx, p)
}

// TestShip_ReadsAheadOfASlowBackend: while the backend holds MaxInFlight
// requests, the shipper goes on reading and compresses GOMAXPROCS+1 batches
// ahead (so a slow backend does not idle the cores), and no more (so memory
// stays bounded: see the sender's doc). Then every line arrives.
func TestShip_ReadsAheadOfASlowBackend(t *testing.T) {
	t.Parallel()
	r := receiver(t)
	exp, err := otlpexport.New(otlpexport.Config{Endpoint: r.URL + "/v1/logs"})
	if err != nil {
		t.Fatal(err)
	}
	h := &heldSends{Exporter: exp, release: make(chan struct{})}
	const inFlight = 2
	want := int64(inFlight + runtime.GOMAXPROCS(0) + 1)
	_, _, gz := genLines(loggen.ALB, 3000)
	done := make(chan error, 1)
	go func() {
		_, err := pipeline.NewShipper(h, pipeline.Options{MaxBatchRecords: 100, MaxInFlight: inFlight}).
			Ship(context.Background(), pipeline.Source{Source: logrecord.Source{Bucket: "b", Key: "k.log.gz"}}, bytes.NewReader(gz))
		done <- err
	}()

	for start := time.Now(); h.prepared.Load() < want && time.Since(start) < 20*time.Second; {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // time to go past the bound, were there none
	if got := h.prepared.Load(); got != want {
		t.Errorf("with %d requests held, %d were prepared; want MaxInFlight+GOMAXPROCS+1 = %d", inFlight, got, want)
	}
	close(h.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := len(r.Records()); got != 3000 {
		t.Errorf("the receiver got %d records, want 3000", got)
	}
}
