package pipeline

import (
	"strings"
	"testing"

	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
)

// TestBatch_GrowsByDoubling: filling a batch copies it a few times, not once
// per record or per quarter of its size (append's growth at this size), with
// short lines and with long ones; and the request decodes whole.
func TestBatch_GrowsByDoubling(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		lineBytes, lines, maxGrowths int
	}{
		// 2 MiB of records each: from the headroom to 2 MiB is 10 doublings.
		"lines of 500 bytes": {lineBytes: 500, lines: 4000, maxGrowths: 11},
		"lines of 64 KiB":    {lineBytes: 64 << 10, lines: 32, maxGrowths: 11},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			conv := logrecord.NewConverter(logrecord.Source{Bucket: "b", Key: "k.log"}, logrecord.Options{})
			line := []byte("http " + strings.Repeat("x", tc.lineBytes-5))
			b := newBatch()
			growths, lastCap := 0, cap(b.buf)
			for i := range tc.lines {
				b.add(conv, int64(i+1), line)
				if cap(b.buf) != lastCap {
					growths, lastCap = growths+1, cap(b.buf)
				}
			}
			if growths > tc.maxGrowths {
				t.Errorf("the batch grew %d times for %d records of %d bytes, want at most %d (doubling)", growths, tc.lines, tc.lineBytes, tc.maxGrowths)
			}
			if b.records != tc.lines {
				t.Errorf("records = %d, want %d", b.records, tc.lines)
			}
		})
	}
}

// TestBatch_GrowsOnlyWhenTheRoomIsShort: a line's record takes at most 4 bytes
// a line byte plus 4 KiB, so a batch with exactly that much room left adds it
// in place; with a byte less it grows first.
func TestBatch_GrowsOnlyWhenTheRoomIsShort(t *testing.T) {
	t.Parallel()
	line := []byte("http " + strings.Repeat("x", 995))
	need := 4*len(line) + 4096
	for name, tc := range map[string]struct {
		room  int
		grows bool
	}{
		"room for the worst case":        {room: need, grows: false},
		"a byte short of the worst case": {room: need - 1, grows: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			conv := logrecord.NewConverter(logrecord.Source{Bucket: "b", Key: "k.log"}, logrecord.Options{})
			b := newBatch()
			b.buf = append(make([]byte, 0, len(b.buf)+tc.room), b.buf...)
			before := cap(b.buf)
			b.add(conv, 1, line)
			if grew := cap(b.buf) != before; grew != tc.grows {
				t.Errorf("with %d bytes of room for a %d-byte line: grew %v (cap %d to %d), want %v", tc.room, len(line), grew, before, cap(b.buf), tc.grows)
			}
			if b.records != 1 {
				t.Errorf("records = %d, want 1", b.records)
			}
		})
	}
}
