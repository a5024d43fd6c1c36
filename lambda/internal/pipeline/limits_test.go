package pipeline_test

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/elb-otel/elb-otel/internal/otlptest"
	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
	"github.com/elb-otel/elb-otel/lambda/internal/logrecord"
	"github.com/elb-otel/elb-otel/lambda/internal/pipeline"
)

// readBuffer is the size of the pipeline's line buffer: a longer line takes
// the gathering path.
const readBuffer = 256 << 10

// sized returns n valid ALB lines of exactly size bytes each (without the
// newline): generated lines padded with an unparsed trailing field.
func sized(t *testing.T, n, size int) []string {
	t.Helper()
	lines, _, _ := genLines(loggen.ALB, n)
	for i, l := range lines {
		if len(l)+2 > size {
			t.Fatalf("line %d is %d bytes, longer than %d", i, len(l), size)
		}
		lines[i] = l + " " + strings.Repeat("x", size-len(l)-1)
	}
	return lines
}

// shipLines ships lines (each followed by "\n") as one plain object and returns
// the result and what the receiver got.
func shipLines(t *testing.T, opts pipeline.Options, startLine int64, lines ...string) (pipeline.Result, []otlptest.Record, int) {
	t.Helper()
	r := receiver(t)
	s := shipper(t, r, opts)
	var body bytes.Buffer
	for _, l := range lines {
		body.WriteString(l + "\n")
	}
	src := pipeline.Source{Source: logrecord.Source{Bucket: "b", Key: "k.log", ETag: "e"}, StartLine: startLine}
	res, err := s.Ship(context.Background(), src, &body)
	if err != nil {
		t.Fatal(err)
	}
	return res, r.Records(), r.Requests()
}

// TestShip_BatchLimits: a batch is sent once it holds MaxBatchRecords records
// or MaxBatchBytes bytes of lines, whichever comes first, at the limit and not
// before: each request stays within the limits the endpoint accepts.
func TestShip_BatchLimits(t *testing.T) {
	t.Parallel()
	const size = 1000
	tests := map[string]struct {
		records, bytes int
		lines          int
		batches        int64 // 10 lines of 1000 bytes
	}{
		"bytes reached at 4 lines":        {bytes: 4 * size, lines: 10, batches: 3},   // 4 + 4 + 2
		"bytes 1 over 4 lines":            {bytes: 4*size + 1, lines: 10, batches: 2}, // 5 + 5
		"bytes 1 under 4 lines":           {bytes: 4*size - 1, lines: 10, batches: 3}, // 4 + 4 + 2
		"bytes under one line":            {bytes: size / 2, lines: 3, batches: 3},    // 1 + 1 + 1
		"records reached at 4":            {records: 4, lines: 10, batches: 3},        // 4 + 4 + 2
		"records 3, bytes 4 lines":        {records: 3, bytes: 4 * size, lines: 10, batches: 4},
		"records 5, bytes 4 lines":        {records: 5, bytes: 4 * size, lines: 10, batches: 3},
		"exactly full: no empty batch":    {records: 5, lines: 10, batches: 2},
		"defaults: one batch of 10 lines": {lines: 10, batches: 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			lines := sized(t, tc.lines, size)
			res, recs, requests := shipLines(t, pipeline.Options{MaxBatchRecords: tc.records, MaxBatchBytes: tc.bytes}, 0, lines...)
			if res.Batches != tc.batches || int64(requests) != tc.batches {
				t.Errorf("%d batches in %d requests, want %d", res.Batches, requests, tc.batches)
			}
			exactlyOnce(t, recs, lines)
		})
	}
}

// TestShip_LineLengths: lines at, just under and just over the read buffer and
// MaxLineBytes arrive whole up to MaxLineBytes; a longer one arrives cut to
// MaxLineBytes, marked with aws.elb.parse_error naming its line, and counted.
// Every byte read is counted, and the line after a long one is intact. Not
// parallel: its megabytes of lines would slow the exports of the parallel
// tests past their timeouts on a busy machine.
func TestShip_LineLengths(t *testing.T) {
	tests := map[string]struct {
		maxLine int
		sizes   []int
	}{
		"limit under the buffer": {maxLine: 2000, sizes: []int{1999, 2000, 2001, 4000}},
		"limit over the buffer": {maxLine: readBuffer + 1000, sizes: []int{
			readBuffer - 1, readBuffer, readBuffer + 1, readBuffer + 999, readBuffer + 1000, readBuffer + 1001, 3 * readBuffer}},
		"limit at the buffer": {maxLine: readBuffer, sizes: []int{readBuffer - 1, readBuffer, readBuffer + 1, readBuffer + 2}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var lines []string
			var total int64
			short := sized(t, 1, 1000)[0]
			for _, n := range tc.sizes {
				l := sized(t, 1, n)[0]
				lines = append(lines, l, short) // a short line after each
				total += int64(n + len(short) + 2)
			}
			res, recs, _ := shipLines(t, pipeline.Options{MaxLineBytes: tc.maxLine}, 0, lines...)
			var truncated int64
			for i, n := range tc.sizes {
				rec := recs[2*i]
				msg, marked := rec.Attributes["aws.elb.parse_error"].(string)
				if n <= tc.maxLine {
					if rec.Body != lines[2*i] || marked {
						t.Errorf("line of %d bytes: %d bytes arrived, parse_error %q; want it whole and unmarked", n, len(rec.Body), msg)
					}
				} else {
					truncated++
					want := fmt.Sprintf("line %d is longer than %d bytes", 2*i+1, tc.maxLine)
					if rec.Body != lines[2*i][:tc.maxLine] || !strings.Contains(msg, want) {
						t.Errorf("line of %d bytes: %d bytes arrived, parse_error %q; want %d bytes and %q", n, len(rec.Body), msg, tc.maxLine, want)
					}
				}
				if next := recs[2*i+1]; next.Body != short {
					t.Errorf("the line after the line of %d bytes arrived as %.40q...", n, next.Body)
				}
			}
			if res.Records != int64(len(lines)) || res.Truncated != truncated || res.Lines != int64(len(lines)) {
				t.Errorf("result = %+v, want %d records and lines, %d truncated", res, len(lines), truncated)
			}
			if res.BytesRead != total {
				t.Errorf("BytesRead = %d, want %d", res.BytesRead, total)
			}
		})
	}
}

// TestShip_UIDsAndErrorsNameTheirLine: each record's log.record.uid ends with
// the number of the line it came from, and a parse error names that line,
// counting blank lines, CRLF endings and the lines a continuation skips.
func TestShip_UIDsAndErrorsNameTheirLine(t *testing.T) {
	t.Parallel()
	good, _, _ := genLines(loggen.ALB, 4)
	input := []string{good[0], "", good[1] + "\r", "http 2026-11-25T10:00:00.000000Z too few fields", "  ", good[2], good[3]}
	tests := map[string]struct {
		start int64
		want  map[int]bool // the 1-based numbers of the lines that must arrive
	}{
		"from the top":         {start: 0, want: map[int]bool{1: true, 3: true, 4: true, 6: true, 7: true}},
		"line 1":               {start: 1, want: map[int]bool{1: true, 3: true, 4: true, 6: true, 7: true}},
		"continued at line 4":  {start: 4, want: map[int]bool{4: true, 6: true, 7: true}},
		"continued at the end": {start: 7, want: map[int]bool{7: true}},
		"past the end":         {start: 8, want: map[int]bool{}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, recs, _ := shipLines(t, pipeline.Options{MaxBatchRecords: 2}, tc.start, input...)
			if len(recs) != len(tc.want) || res.Records != int64(len(tc.want)) {
				t.Fatalf("%d records arrived (result %+v), want %d", len(recs), res, len(tc.want))
			}
			obj := ""
			for _, rec := range recs {
				uid, _ := rec.Attributes["log.record.uid"].(string)
				prefix, num, _ := strings.Cut(uid, "-")
				n, err := strconv.Atoi(num)
				if err != nil || n < 1 || n > len(input) || !tc.want[n] {
					t.Errorf("uid %q: not the uid of a line that should arrive", uid)
					continue
				}
				if obj == "" {
					obj = prefix
				} else if prefix != obj {
					t.Errorf("uid %q: object part differs from %q", uid, obj)
				}
				if want := strings.TrimRight(input[n-1], "\r"); rec.Body != want {
					t.Errorf("uid %q is on the body %.50q..., want line %d: %.50q...", uid, rec.Body, n, want)
				}
				if msg, ok := rec.Attributes["aws.elb.parse_error"].(string); ok && !strings.HasPrefix(msg, fmt.Sprintf("line %d: ", n)) {
					t.Errorf("parse error %q does not name line %d", msg, n)
				}
				delete(tc.want, n)
			}
		})
	}
}
