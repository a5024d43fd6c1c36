package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

func TestStageOf(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		stack []string // leaf first
		want  string
	}{
		"inflate":            {[]string{"github.com/klauspost/compress/flate.(*decompressor).huffmanBufioReader", "github.com/klauspost/compress/gzip.(*Reader).Read"}, stages[0].name},
		"memmove in inflate": {[]string{"runtime.memmove", "github.com/klauspost/compress/flate.(*dictDecoder).writeCopy", "github.com/klauspost/compress/flate.(*decompressor).nextBlock"}, stages[0].name},
		"crc of the reader":  {[]string{"hash/crc32.ieeeCLMUL", "hash/crc32.Update", "github.com/klauspost/compress/gzip.(*Reader).Read"}, stages[0].name},
		"parse under encode": {[]string{"github.com/elb-otel/elb-otel/lambda/internal/elblog.tokenize", "github.com/elb-otel/elb-otel/lambda/internal/logrecord.(*Converter).convert"}, stages[1].name},
		"malloc in encode":   {[]string{"runtime.mallocgc", "runtime.growslice", "github.com/elb-otel/elb-otel/lambda/internal/logrecord.appendString"}, stages[2].name},
		"pdata marshal":      {[]string{"go.opentelemetry.io/collector/pdata/internal.(*LogRecord).MarshalProto"}, stages[2].name},
		"deflate":            {[]string{"github.com/klauspost/compress/flate.(*fastEncL2).Encode", "github.com/klauspost/compress/flate.(*compressor).storeFast"}, stages[3].name},
		"crc of the writer":  {[]string{"hash/crc32.ieeeCLMUL", "github.com/klauspost/compress/gzip.(*Writer).Write"}, stages[3].name},
		"socket write":       {[]string{"internal/runtime/syscall/linux.Syscall6", "syscall.write", "internal/poll.(*FD).Write", "net.(*conn).Write", "net/http.(*persistConn).writeLoop"}, stages[4].name},
		"file read":          {[]string{"internal/runtime/syscall/linux.Syscall6", "syscall.read", "internal/poll.(*FD).Read", "os.(*File).Read", "bufio.(*Reader).Read"}, stages[5].name},
		"line split":         {[]string{"indexbytebody", "bytes.IndexByte", "bufio.(*Reader).ReadSlice", "github.com/elb-otel/elb-otel/lambda/internal/pipeline.(*Shipper).Ship"}, stages[6].name},
		"gc worker":          {[]string{"runtime.scanobject", "runtime.gcDrain", "runtime.gcBgMarkWorker"}, stages[7].name},
		"scheduler":          {[]string{"runtime.futex", "runtime.findRunnable", "runtime.schedule"}, otherStage},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := stageOf(tc.stack); got != tc.want {
				t.Errorf("stageOf(%v) = %q, want %q", tc.stack, got, tc.want)
			}
		})
	}
}

// TestProfileSplit writes a small profile.proto by hand (two functions, one
// inlined into the other, and a third) and checks the split read from it.
func TestProfileSplit(t *testing.T) {
	t.Parallel()
	var p []byte
	str := func(s string) { p = protowire.AppendTag(p, 6, protowire.BytesType); p = protowire.AppendString(p, s) }
	msg := func(num protowire.Number, m []byte) {
		p = protowire.AppendTag(p, num, protowire.BytesType)
		p = protowire.AppendBytes(p, m)
	}
	varints := func(fields ...uint64) []byte { // pairs: field number, value
		var m []byte
		for i := 0; i < len(fields); i += 2 {
			m = protowire.AppendTag(m, protowire.Number(fields[i]), protowire.VarintType)
			m = protowire.AppendVarint(m, fields[i+1])
		}
		return m
	}
	packed := func(num protowire.Number, vs ...uint64) []byte {
		var b []byte
		for _, v := range vs {
			b = protowire.AppendVarint(b, v)
		}
		m := protowire.AppendTag(nil, num, protowire.BytesType)
		return protowire.AppendBytes(m, b)
	}
	// Strings: 0 "", 1 samples, 2 count, 3 cpu, 4 nanoseconds, 5..7 functions.
	for _, s := range []string{"", "samples", "count", "cpu", "nanoseconds",
		"github.com/elb-otel/elb-otel/lambda/internal/elblog.tokenize",
		"github.com/elb-otel/elb-otel/lambda/internal/logrecord.(*Converter).AppendProto",
		"github.com/klauspost/compress/flate.(*fastEncL2).Encode"} {
		str(s)
	}
	msg(1, varints(1, 1, 2, 2)) // sample_type samples/count
	msg(1, varints(1, 3, 2, 4)) // sample_type cpu/nanoseconds
	for id, name := range []uint64{5, 6, 7} {
		msg(5, varints(1, uint64(id+1), 2, name))
	}
	// Location 1: tokenize inlined into AppendProto; location 2: deflate.
	loc1 := varints(1, 1)
	loc1 = protowire.AppendTag(loc1, 4, protowire.BytesType)
	loc1 = protowire.AppendBytes(loc1, varints(1, 1, 2, 10))
	loc1 = protowire.AppendTag(loc1, 4, protowire.BytesType)
	loc1 = protowire.AppendBytes(loc1, varints(1, 2, 2, 20))
	msg(4, loc1)
	loc2 := varints(1, 2)
	loc2 = protowire.AppendTag(loc2, 4, protowire.BytesType)
	loc2 = protowire.AppendBytes(loc2, varints(1, 3, 2, 30))
	msg(4, loc2)
	msg(2, append(packed(1, 1), packed(2, 3, 30_000_000)...)) // parse: 30 ms
	msg(2, append(packed(1, 2), packed(2, 1, 10_000_000)...)) // compress: 10 ms

	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(p)
	zw.Close()
	path := filepath.Join(t.TempDir(), "cpu.pprof")
	if err := os.WriteFile(path, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	rows, err := profileSplit(path)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, r := range rows {
		got[r.name] = r.seconds
	}
	if got[stages[1].name] != 0.03 || got[stages[3].name] != 0.01 || got[stages[2].name] != 0 || len(rows) != len(stages)+1 {
		t.Errorf("split = %v, want 0.03 s parse and 0.01 s compress", rows)
	}
}

func TestThousands(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -120000: "-120,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
