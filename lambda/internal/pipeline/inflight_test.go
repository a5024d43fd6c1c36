package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/elb-otel/elb-otel/internal/otlptest"
	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
	"github.com/elb-otel/elb-otel/lambda/internal/otlpexport"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// lineOf returns the line number of a record, from its log.record.uid
// (<object id>-<line>).
func lineOf(t *testing.T, r otlptest.Record) int64 {
	t.Helper()
	uid := fmt.Sprint(r.Attributes["log.record.uid"])
	n, err := strconv.ParseInt(uid[strings.LastIndexByte(uid, '-')+1:], 10, 64)
	if err != nil {
		t.Fatalf("log.record.uid %q: %v", uid, err)
	}
	return n
}

// arrivals counts the records the receiver got of each line.
func arrivals(t *testing.T, recs []otlptest.Record) map[int64]int {
	t.Helper()
	got := map[int64]int{}
	for _, r := range recs {
		got[lineOf(t, r)]++
	}
	return got
}

// TestShip_AnswersInReverseOrder: the receiver holds each group of four
// requests and answers them last first. Every line arrives exactly once, and
// four requests were open at once (never more).
func TestShip_AnswersInReverseOrder(t *testing.T) {
	t.Parallel()
	r := receiver(t)
	r.HoldReverse(4, -1)
	lines, _, gz := genLines(loggen.ALB, 2000)
	s := shipper(t, r, pipeline.Options{MaxBatchRecords: 250, MaxInFlight: 4})
	res, err := s.Ship(context.Background(), pipeline.Source{Source: logrecord.Source{Bucket: "b", Key: "k.log.gz", ETag: "e"}}, bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 2000 || res.Batches != 8 || res.NextLine != 0 {
		t.Errorf("result %+v, want 2000 records in 8 batches to the end", res)
	}
	exactlyOnce(t, r.Records(), lines)
	if got := r.MaxOpen(); got != 4 {
		t.Errorf("the receiver had at most %d requests open at once, want 4 (MaxInFlight)", got)
	}
	if got := r.AnswerOrder(); len(got) != 8 || got[0] != 4 || got[3] != 1 || got[4] != 8 || got[7] != 5 {
		t.Errorf("answered %v, want [4 3 2 1 8 7 6 5]", got)
	}
	if res.Throttled != 0 || res.InFlightLow != 0 {
		t.Errorf("Throttled %d, InFlightLow %d; want 0 and 0 (not throttled: no low to report)", res.Throttled, res.InFlightLow)
	}
}

// TestShip_DeadlineWithRequestsInFlight: answers come in reverse order, 300 ms
// apart, when the deadline comes. The requests in flight get half the time
// left; the continuation starts at the first line of the first batch not
// accepted, every line before it arrived exactly once, and the continuation
// ships the rest.
func TestShip_DeadlineWithRequestsInFlight(t *testing.T) {
	t.Parallel()
	r := receiver(t)
	r.HoldReverse(4, -1)
	slow := make([]otlptest.Response, 100)
	for i := range slow {
		slow[i] = otlptest.Response{Delay: 300 * time.Millisecond}
	}
	r.Script(slow...)
	lines, _, gz := genLines(loggen.ALB, 4000)
	// Stop reading after 2 s; the requests in flight then have until 6 s.
	s := shipper(t, r, pipeline.Options{MaxBatchRecords: 100, MaxInFlight: 4, StopMargin: 8 * time.Second})
	src := pipeline.Source{Source: logrecord.Source{Bucket: "b", Key: "k.log.gz", ETag: "e"}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := s.Ship(ctx, src, bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if res.NextLine <= 1 || res.NextLine > 4000 || (res.NextLine-1)%100 != 0 {
		t.Fatalf("NextLine %d, want the first line of a batch after the first", res.NextLine)
	}
	if res.Records != res.NextLine-1 || res.Batches != res.Records/100 {
		t.Errorf("result %+v: want the %d lines before NextLine counted, in whole batches", res, res.NextLine-1)
	}
	first := arrivals(t, r.Records())
	for n := int64(1); n < res.NextLine; n++ {
		if first[n] != 1 {
			t.Fatalf("line %d (before NextLine %d) arrived %d times, want once", n, res.NextLine, first[n])
		}
	}

	r.HoldReverse(0, 0)
	r.Script()
	src.StartLine = res.NextLine
	more, err := s.Ship(context.Background(), src, bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if more.NextLine != 0 || more.Records != 4000-res.Records {
		t.Errorf("continuation: %+v, want the %d lines from %d", more, 4000-res.Records, res.NextLine)
	}
	all := arrivals(t, r.Records())
	for i := range lines {
		n := int64(i + 1)
		want := "at least once"
		if n < res.NextLine && all[n] != 1 {
			want = "exactly once"
		}
		if all[n] == 0 || want == "exactly once" {
			t.Fatalf("line %d arrived %d times, want %s", n, all[n], want)
		}
	}
}

// TestShip_DeadlineWithNothingAccepted: when no batch is accepted before the
// deadline, the object fails (it would otherwise continue from where it
// started, again and again), saying why, and in time for the caller to act.
func TestShip_DeadlineWithNothingAccepted(t *testing.T) {
	t.Parallel()
	r := receiver(t)
	r.HoldReverse(1000, -1)
	_, _, gz := genLines(loggen.ALB, 1000)
	s := shipper(t, r, pipeline.Options{MaxBatchRecords: 100, MaxInFlight: 4, StopMargin: 2 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	deadline, _ := ctx.Deadline()
	res, err := s.Ship(ctx, pipeline.Source{Source: logrecord.Source{Bucket: "b", Key: "k.log.gz"}}, bytes.NewReader(gz))
	left := time.Until(deadline)
	if err == nil || !strings.Contains(err.Error(), "no batch was accepted before the deadline") {
		t.Fatalf("err = %v, want no batch accepted", err)
	}
	// The error says why, from the first batch that failed: one still waiting
	// for the window names the deadline, one on the wire was cancelled.
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want it to wrap why the batches were not accepted", err)
	}
	// Reading stops 2 s before the deadline; the requests in flight get half
	// of that, and the caller keeps the other half.
	if left < 500*time.Millisecond {
		t.Errorf("Ship returned %v before the deadline, want about 1 s left to the caller", left)
	}
	if res.Records != 0 || res.NextLine != 0 {
		t.Errorf("result %+v, want nothing counted", res)
	}
}

// TestShip_MiddleBatchFailsWhileOthersInFlight: the third request is refused
// once three later ones are in flight. The object fails, only the batches accepted
// before the first one that was not are counted (each line of them arrived
// once), and shipping the object again delivers every line exactly once.
func TestShip_MiddleBatchFailsWhileOthersInFlight(t *testing.T) {
	t.Parallel()
	r := receiver(t)
	script := []otlptest.Response{{}, {}, {Status: 400, AfterRequests: 6}}
	for range 10 {
		script = append(script, otlptest.Response{Delay: 5 * time.Second})
	}
	r.Script(script...)
	lines, _, gz := genLines(loggen.ALB, 3000)
	s := shipper(t, r, pipeline.Options{MaxBatchRecords: 200, MaxInFlight: 6})
	src := pipeline.Source{Source: logrecord.Source{Bucket: "b", Key: "k.log.gz", ETag: "e"}}
	res, err := s.Ship(context.Background(), src, bytes.NewReader(gz))
	var xe *otlpexport.ExportError
	if !errors.As(err, &xe) || xe.StatusCode != 400 {
		t.Fatalf("err = %v, want the 400", err)
	}
	if res.Records%200 != 0 || res.Records > 400 || res.Batches != res.Records/200 || res.NextLine != 0 {
		t.Errorf("result %+v: want at most the two batches before the failure counted", res)
	}
	got := arrivals(t, r.Records())
	for n := int64(1); n <= res.Records; n++ {
		if got[n] != 1 {
			t.Fatalf("line %d is counted and arrived %d times, want once", n, got[n])
		}
	}

	again := receiver(t)
	retry := shipper(t, again, pipeline.Options{MaxBatchRecords: 200, MaxInFlight: 6})
	res, err = retry.Ship(context.Background(), src, bytes.NewReader(gz))
	if err != nil || res.Records != 3000 {
		t.Fatalf("retry: %+v, %v", res, err)
	}
	exactlyOnce(t, again.Records(), lines)
}

// TestShip_TheWindowGrowsBackAfterPushback: once a storm of 429s has halved
// the window to four requests, each request accepted without pushback grows it
// again (about one request more a round), so the requests sent after the storm
// reach six at once. Answers take 300 ms, so that the window stays full even
// where batches are slow to make (under -race on a busy machine).
func TestShip_TheWindowGrowsBackAfterPushback(t *testing.T) {
	t.Parallel()
	r := receiver(t)
	script := make([]otlptest.Response, 8, 60)
	for i := range script {
		script[i] = otlptest.Response{Status: 429, RetryAfter: "1"}
	}
	for len(script) < cap(script) {
		script = append(script, otlptest.Response{Delay: 300 * time.Millisecond})
	}
	r.Script(script...)
	r.HoldReverse(8, 1) // the eight are all in flight before the first answer
	lines, _, gz := genLines(loggen.ALB, 4000)
	s := shipper(t, r, pipeline.Options{MaxBatchRecords: 100, MaxInFlight: 8})
	type shipped struct {
		res pipeline.Result
		err error
	}
	out := make(chan shipped, 1)
	go func() {
		res, err := s.Ship(context.Background(), pipeline.Source{Source: logrecord.Source{Bucket: "b", Key: "k.log.gz", ETag: "e"}}, bytes.NewReader(gz))
		out <- shipped{res, err}
	}()
	// The eight retried batches are in: from here on only requests sent
	// after the storm count.
	if got := len(r.WaitFor(800, time.Minute)); got < 800 {
		t.Fatalf("%d records arrived, want the 800 of the retried batches", got)
	}
	r.ResetMaxOpen()
	o := <-out
	if o.err != nil {
		t.Fatal(o.err)
	}
	if o.res.Throttled != 8 || o.res.InFlightLow != 4 {
		t.Errorf("result %+v: want 8 answers 429 and the window halved to 4", o.res)
	}
	if got := r.MaxOpen(); got < 6 {
		t.Errorf("at most %d requests at once after the storm, want the window grown back to 6 or more", got)
	}
	exactlyOnce(t, r.Records(), lines)
}

// TestShip_PushbackNarrowsTheWindow: the first eight requests are answered 429
// with Retry-After. The shipper sends fewer requests at once (the window is
// halved, the retried batches keep their own slots), and everything arrives
// once.
func TestShip_PushbackNarrowsTheWindow(t *testing.T) {
	t.Parallel()
	r := receiver(t)
	storm := make([]otlptest.Response, 8)
	for i := range storm {
		storm[i] = otlptest.Response{Status: 429, RetryAfter: "1"}
	}
	r.Script(storm...)
	r.HoldReverse(8, 1) // the eight are all in flight before the first answer
	lines, _, gz := genLines(loggen.ALB, 3000)
	s := shipper(t, r, pipeline.Options{MaxBatchRecords: 100, MaxInFlight: 8})
	res, err := s.Ship(context.Background(), pipeline.Source{Source: logrecord.Source{Bucket: "b", Key: "k.log.gz", ETag: "e"}}, bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if res.Throttled != 8 || res.Retries != 8 {
		t.Errorf("result %+v: want 8 answers 429, 8 retries", res)
	}
	if res.InFlightLow != 4 {
		t.Errorf("the window went down to %d requests, want 4 (halved once: the eight answers are one round)", res.InFlightLow)
	}
	if res.Records != 3000 || res.Batches != 30 {
		t.Errorf("result %+v, want 3000 records in 30 batches", res)
	}
	exactlyOnce(t, r.Records(), lines)
}
