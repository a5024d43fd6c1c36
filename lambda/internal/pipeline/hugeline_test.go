package pipeline_test

import (
	"context"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// byteRun reads as n copies of one byte, without holding them.
type byteRun struct {
	b byte
	n int
}

func (r *byteRun) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n)
	for i := range p[:k] {
		p[i] = r.b
	}
	r.n -= k
	return k, nil
}

// TestShip_AHugeLineIsNotHeldWhole ships a 64 MiB line (an object that is not
// a log, say): the shipper keeps its first MaxLineBytes and reads past the
// rest, so the function's memory does not grow with the line. Not parallel:
// it measures the process's allocations.
func TestShip_AHugeLineIsNotHeldWhole(t *testing.T) {
	const huge = 64 << 20
	r := receiver(t)
	s := shipper(t, r, pipeline.Options{MaxLineBytes: 1 << 20})
	short := sized(t, 1, 1000)[0]
	body := io.MultiReader(&byteRun{b: 'x', n: huge}, strings.NewReader("\n"+short+"\n"))

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res, err := s.Ship(context.Background(), pipeline.Source{Source: logrecord.Source{Bucket: "b", Key: "k.log"}}, body)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 2 || res.Truncated != 1 || res.BytesRead != huge+int64(len(short))+2 {
		t.Errorf("result = %+v, want 2 records, 1 truncated, every byte counted", res)
	}
	if recs := r.Records(); len(recs) != 2 || len(recs[0].Body) != 1<<20 || recs[1].Body != short {
		t.Errorf("the receiver got %d records, want the huge line cut to 1 MiB and the short line whole", len(recs))
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("shipping a %d MiB line allocated %.1f MiB", huge>>20, float64(alloc)/(1<<20))
	if alloc > huge/2 {
		t.Errorf("shipping a %d MiB line allocated %d MiB, want well under the line's size", huge>>20, alloc>>20)
	}
}
