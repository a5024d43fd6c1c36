package pipeline_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// TestShip_ClockAndLag: the records' observed time comes from Options.Now
// (whole seconds), and MaxLag is the delay of the oldest record shipped,
// wherever it sits in its batch.
func TestShip_ClockAndLag(t *testing.T) {
	t.Parallel()
	lines, _, _ := genLines(loggen.ALB, 7) // 37 ms apart
	now := start.Add(90*time.Minute + 400*time.Millisecond)
	// The oldest line is second in the first batch of three, and the batches
	// after it hold newer lines only.
	input := []string{lines[2], lines[0], lines[1], lines[5], lines[3], lines[4], lines[6]}
	res, recs, _ := shipLines(t, pipeline.Options{MaxBatchRecords: 3, Now: func() time.Time { return now }}, 0, input...)
	if len(recs) != len(input) {
		t.Fatalf("%d records arrived, want %d", len(recs), len(input))
	}
	var first uint64 // the time of lines[0], the oldest
	for _, r := range recs {
		if r.Observed != uint64(now.Truncate(time.Second).UnixNano()) {
			t.Errorf("observed %v, want %v", time.Unix(0, int64(r.Observed)).UTC(), now.Truncate(time.Second))
		}
		if r.Body == lines[0] {
			first = r.TimeUnixNano
		}
	}
	if want := now.Sub(time.Unix(0, int64(first))); first == 0 || res.MaxLag != want {
		t.Errorf("MaxLag = %v, want %v (the first line's delay)", res.MaxLag, want)
	}
}

// TestShip_DefaultStopMargin: without a StopMargin, a deadline closer than
// DefaultStopMargin stops the object after its first batch, and a later one
// does not.
func TestShip_DefaultStopMargin(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		left     time.Duration
		nextLine int64
		records  int64
	}{
		"deadline inside the margin": {left: pipeline.DefaultStopMargin / 2, nextLine: 3, records: 2},
		"deadline past the margin":   {left: 5 * pipeline.DefaultStopMargin, nextLine: 0, records: 5},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			lines, _, _ := genLines(loggen.ALB, 5)
			r := receiver(t)
			s := shipper(t, r, pipeline.Options{MaxBatchRecords: 2})
			ctx, cancel := context.WithTimeout(context.Background(), tc.left)
			defer cancel()
			res, err := s.Ship(ctx, pipeline.Source{Source: logrecord.Source{Bucket: "b", Key: "k.log"}}, strings.NewReader(strings.Join(lines, "\n")+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			if res.NextLine != tc.nextLine || res.Records != tc.records {
				t.Errorf("result = %+v, want NextLine %d and %d records", res, tc.nextLine, tc.records)
			}
		})
	}
}

// TestShip_EveryObjectShipsABatchInsideTheMargin: with the deadline already
// inside the stop margin, every object still ships its first batch before it
// stops (without one, each continuation would start where the last did, for
// ever). Many objects: the stop and the first batch are both ready at once, so
// a shipper that let the stop race the first batch would lose about half.
func TestShip_EveryObjectShipsABatchInsideTheMargin(t *testing.T) {
	t.Parallel()
	lines, _, _ := genLines(loggen.ALB, 5)
	body := strings.Join(lines, "\n") + "\n"
	r := receiver(t)
	s := shipper(t, r, pipeline.Options{MaxBatchRecords: 2, StopMargin: time.Hour})
	for i := range 50 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		res, err := s.Ship(ctx, pipeline.Source{Source: logrecord.Source{Bucket: "b", Key: "k.log"}}, strings.NewReader(body))
		cancel()
		if err != nil || res.NextLine != 3 || res.Records != 2 {
			t.Fatalf("object %d: %+v, %v; want its first batch (2 records) shipped, NextLine 3", i, res, err)
		}
	}
}
