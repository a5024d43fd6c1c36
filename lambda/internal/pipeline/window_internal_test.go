package pipeline

import (
	"testing"

	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
)

// TestWindow_AdditiveIncrease: after a pushback halves the window, it grows
// back by about one request per window's worth of successes (TCP's additive
// increase), not at once, and never past MaxInFlight.
func TestWindow_AdditiveIncrease(t *testing.T) {
	t.Parallel()
	w := newWindow(8)
	w.pushback(0, otlpexport.Pushback{})
	if w.limit != 4 {
		t.Fatalf("after a pushback the limit is %v, want 4", w.limit)
	}
	succeed := func(n int) {
		for range n {
			w.open++
			w.release(true)
		}
	}
	succeed(4)
	if w.limit < 4.9 || w.limit > 5 {
		t.Errorf("after 4 successes the limit is %.2f, want about 5 (one more per window of successes)", w.limit)
	}
	succeed(1000)
	if w.limit != 8 {
		t.Errorf("after many successes the limit is %v, want MaxInFlight (8)", w.limit)
	}
}
