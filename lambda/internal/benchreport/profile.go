package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
)

// splitRow is the CPU time of one stage.
type splitRow struct {
	name    string
	seconds float64
}

// A stage and the functions that mark it. A sample belongs to the stage of its
// innermost (leaf-most) frame that matches a marker: a runtime.memmove called by
// the inflater is decompression, a mallocgc called by the encoder is encoding,
// and a read(2) called by os.(*File).Read is reading the input, not network.
var stages = []struct {
	name    string
	markers []string // substrings of a function's full name
}{
	{"decompress (klauspost inflate, gzip.Reader)", []string{
		"klauspost/compress/flate.(*decompressor)", "klauspost/compress/flate.(*huffmanDecoder)",
		"klauspost/compress/flate.(*dictDecoder)", "klauspost/compress/flate.fixedHuffmanDecoderInit",
		"klauspost/compress/gzip.(*Reader)"}},
	{"parse (elblog)", []string{"elb-otel/lambda/internal/elblog."}},
	{"encode (logrecord, pdata, MarshalProto)", []string{
		"elb-otel/lambda/internal/logrecord.", "go.opentelemetry.io/collector/pdata/",
		"elb-otel/lambda/internal/otlpexport.(*encoder)"}},
	{"compress (klauspost deflate, gzip.Writer)", []string{
		"klauspost/compress/flate.", "klauspost/compress/gzip.(*Writer)"}},
	{"network (net/http, net, syscalls)", []string{
		"net/http.", "net.", "crypto/tls.",
		"elb-otel/lambda/internal/otlpexport.(*Exporter)"}},
	{"read input (os.File)", []string{"os.(*File).Read"}},
	{"split lines, batch (bufio, pipeline)", []string{"bufio.", "elb-otel/lambda/internal/pipeline."}},
	{"GC (background workers)", []string{"runtime.gcBgMarkWorker", "runtime.bgsweep", "runtime.bgscavenge"}},
}

const otherStage = "other (runtime, scheduler)"

// stageOf returns the stage of a stack, given leaf first.
func stageOf(stack []string) string {
	for _, fn := range stack {
		for _, st := range stages {
			for _, m := range st.markers {
				// "net." must start the name: "golang.org/x/net.", "internal/net." are
				// other packages.
				if m == "net." && !strings.HasPrefix(fn, m) {
					continue
				}
				if strings.Contains(fn, m) {
					return st.name
				}
			}
		}
	}
	return otherStage
}

// profileSplit reads a pprof CPU profile and returns the CPU seconds of each
// stage, in the order of stages, then the other time.
func profileSplit(path string) ([]splitRow, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p, err := parseProfile(data)
	if err != nil {
		return nil, err
	}
	sum := map[string]float64{}
	for _, s := range p.samples {
		stack := make([]string, 0, 32)
		for _, loc := range s.locations {
			stack = append(stack, p.locations[loc]...)
		}
		sum[stageOf(stack)] += float64(s.value) / 1e9
	}
	rows := make([]splitRow, 0, len(stages)+1)
	for _, st := range stages {
		rows = append(rows, splitRow{st.name, sum[st.name]})
	}
	return append(rows, splitRow{otherStage, sum[otherStage]}), nil
}

// profile is the part of a pprof profile the split needs.
type profile struct {
	samples   []sample
	locations map[uint64][]string // location ID -> function names, innermost first
}

type sample struct {
	locations []uint64 // leaf first
	value     int64    // CPU nanoseconds
}

// parseProfile decodes a (gzipped) pprof profile.proto: its samples, locations,
// functions and string table. See
// https://github.com/google/pprof/blob/main/proto/profile.proto.
func parseProfile(data []byte) (*profile, error) {
	if len(data) > 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		if data, err = io.ReadAll(zr); err != nil {
			return nil, err
		}
	}
	var (
		strs      []string
		types     []int64 // sample_type: string index of each value's type
		rawSample [][]byte
		funcs     = map[uint64]int64{}    // function ID -> name string index
		locFuncs  = map[uint64][]uint64{} // location ID -> function IDs, innermost first
	)
	err := fields(data, func(num protowire.Number, v []byte, x uint64) error {
		switch num {
		case 1: // sample_type
			return fields(v, func(n protowire.Number, _ []byte, x uint64) error {
				if n == 1 {
					types = append(types, int64(x))
				}
				return nil
			})
		case 2: // sample
			rawSample = append(rawSample, v)
		case 4: // location
			var id uint64
			var fns []uint64
			err := fields(v, func(n protowire.Number, lv []byte, x uint64) error {
				switch n {
				case 1:
					id = x
				case 4: // line
					return fields(lv, func(n protowire.Number, _ []byte, x uint64) error {
						if n == 1 {
							fns = append(fns, x)
						}
						return nil
					})
				}
				return nil
			})
			locFuncs[id] = fns
			return err
		case 5: // function
			var id uint64
			var name int64
			err := fields(v, func(n protowire.Number, _ []byte, x uint64) error {
				switch n {
				case 1:
					id = x
				case 2:
					name = int64(x)
				}
				return nil
			})
			funcs[id] = name
			return err
		case 6: // string_table
			strs = append(strs, string(v))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	str := func(i int64) string {
		if i < 0 || int(i) >= len(strs) {
			return ""
		}
		return strs[i]
	}
	valueIndex := len(types) - 1 // CPU profiles: samples/count, cpu/nanoseconds
	for i, t := range types {
		if str(t) == "cpu" {
			valueIndex = i
		}
	}
	if valueIndex < 0 {
		return nil, errors.New("no sample types")
	}

	p := &profile{locations: make(map[uint64][]string, len(locFuncs))}
	for id, fns := range locFuncs {
		names := make([]string, len(fns))
		for i, f := range fns {
			names[i] = str(funcs[f])
		}
		p.locations[id] = names
	}
	for _, raw := range rawSample {
		var s sample
		var values []int64
		err := fields(raw, func(n protowire.Number, v []byte, x uint64) error {
			switch n {
			case 1:
				if v == nil {
					s.locations = append(s.locations, x)
					return nil
				}
				return packed(v, func(x uint64) { s.locations = append(s.locations, x) })
			case 2:
				if v == nil {
					values = append(values, int64(x))
					return nil
				}
				return packed(v, func(x uint64) { values = append(values, int64(x)) })
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if valueIndex < len(values) {
			s.value = values[valueIndex]
		}
		p.samples = append(p.samples, s)
	}
	return p, nil
}

// fields calls fn for each field of the message in b: with its bytes for a
// length-delimited field (v non-nil), else with its integer value x.
func fields(b []byte, fn func(num protowire.Number, v []byte, x uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		var v []byte
		var x uint64
		switch typ {
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		case protowire.Fixed64Type:
			x, n = protowire.ConsumeFixed64(b)
		case protowire.Fixed32Type:
			var x32 uint32
			x32, n = protowire.ConsumeFixed32(b)
			x = uint64(x32)
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
			if v == nil {
				v = []byte{}
			}
		default:
			return fmt.Errorf("unexpected wire type %d", typ)
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if err := fn(num, v, x); err != nil {
			return err
		}
	}
	return nil
}

// packed calls fn for each varint of a packed repeated field.
func packed(b []byte, fn func(uint64)) error {
	for len(b) > 0 {
		x, n := protowire.ConsumeVarint(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		fn(x)
		b = b[n:]
	}
	return nil
}
