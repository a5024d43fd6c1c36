package metricstream_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/elb-otel/elb-otel/internal/streamgen"
	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
	"github.com/elb-otel/elb-otel/lambda/internal/metricstream"
)

var (
	stream = streamgen.Stream{Account: "123456789012", Region: "us-east-1", Name: "elb-otel"}
	alb    = streamgen.LoadBalancer{
		Namespace: "AWS/ApplicationELB", Name: "app/web/50dc6c495c0c9188",
		TargetGroups: []string{"targetgroup/web/73e2d6bc24d8a067"}, Zones: []string{"us-east-1a", "us-east-1b"},
	}
	start = time.Date(2026, 11, 30, 22, 0, 0, 0, time.UTC)
)

// object returns a metric-stream object of n messages of 3 updates each.
func object(t testing.TB, n int) ([]byte, []*colmetricspb.ExportMetricsServiceRequest) {
	t.Helper()
	ups := streamgen.Updates(alb, []streamgen.Metric{{Name: "RequestCount", Unit: "Count"}}, start, 1, 7)
	var reqs []*colmetricspb.ExportMetricsServiceRequest
	for i := range n {
		reqs = append(reqs, stream.Request(ups[(i*3)%len(ups):][:min(3, len(ups)-(i*3)%len(ups))]))
	}
	return streamgen.Record(reqs...), reqs
}

func readAll(t testing.TB, raw []byte) ([]*colmetricspb.ExportMetricsServiceRequest, error) {
	t.Helper()
	r := metricstream.NewReader(bytes.NewReader(raw))
	var out []*colmetricspb.ExportMetricsServiceRequest
	for {
		req := &colmetricspb.ExportMetricsServiceRequest{}
		err := r.Next(req)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, req)
	}
}

func TestReader(t *testing.T) {
	t.Parallel()
	three, reqs := object(t, 3)
	first := len(streamgen.Record(reqs[0]))
	unknown := protowire.AppendTag(nil, 1, protowire.BytesType)
	unknown = protowire.AppendBytes(unknown, protowire.AppendVarint(protowire.AppendTag(nil, 99, protowire.VarintType), 1))
	tests := map[string]struct {
		raw      []byte
		messages int
		err      string // "" for a clean end
	}{
		"empty object":        {raw: nil},
		"three messages":      {raw: three, messages: 3},
		"one message":         {raw: three[:first], messages: 1},
		"truncated message":   {raw: three[:len(three)-5], messages: 2, err: "message 3 at byte"},
		"truncated length":    {raw: append(append([]byte{}, three[:first]...), 0x80), messages: 1, err: "ends inside a length prefix"},
		"length 0":            {raw: []byte{0}, err: "length prefix is 0"},
		"length over limit":   {raw: protowire.AppendVarint(nil, metricstream.MaxMessageBytes+1), err: "over 4194304 bytes"},
		"an ALB log line":     {raw: []byte("http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366\n"), err: "message 1 at byte 0"},
		"no resource metrics": {raw: protowire.AppendBytes(nil, []byte{}), err: "length prefix is 0"},
		"unknown fields":      {raw: protowire.AppendBytes(nil, unknown), err: "unknown fields"},
		"not protobuf":        {raw: protowire.AppendBytes(nil, []byte{0x0a, 0xff}), err: "not an ExportMetricsServiceRequest"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := readAll(t, tc.raw)
			if len(got) != tc.messages {
				t.Errorf("read %d messages, want %d", len(got), tc.messages)
			}
			for i := range got {
				if !proto.Equal(got[i], reqs[i]) {
					t.Errorf("message %d differs from the one written", i+1)
				}
			}
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("error %v, want a clean end", err)
			case tc.err != "" && (err == nil || !errors.Is(err, metricstream.ErrCorrupt) || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("error %v, want ErrCorrupt containing %q", err, tc.err)
			}
		})
	}
}

func TestSniff(t *testing.T) {
	t.Parallel()
	raw, _ := object(t, 2)
	tests := map[string]struct {
		head []byte
		want bool
	}{
		"metric-stream object":      {raw, true},
		"its first bytes only":      {raw[:8], true},
		"empty":                     {nil, false},
		"gzip magic":                {[]byte{0x1f, 0x8b, 0x08, 0x00}, false},
		"first message is garbage":  {protowire.AppendBytes(nil, []byte{0x0a, 0xff}), false},
		"a length and nothing else": {[]byte{0x05}, false},
		"the largest message":       {append(protowire.AppendVarint(nil, metricstream.MaxMessageBytes), 0x0a), true},
		"a message over the limit":  {append(protowire.AppendVarint(nil, metricstream.MaxMessageBytes+1), 0x0a), false},
	}
	for _, kind := range []loggen.Kind{loggen.ALB, loggen.ALBConnection, loggen.NLB, loggen.CLB} {
		g := loggen.New(kind, 1, start)
		var b bytes.Buffer
		if err := g.Write(&b, 20); err != nil {
			t.Fatal(err)
		}
		tests[fmt.Sprint(kind)+" log"] = struct {
			head []byte
			want bool
		}{b.Bytes(), false}
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := metricstream.Sniff(tc.head); got != tc.want {
				t.Errorf("Sniff = %v, want %v", got, tc.want)
			}
		})
	}
}

func FuzzReader(f *testing.F) {
	raw, _ := object(f, 2)
	f.Add(raw)
	f.Add(raw[:len(raw)/2])
	f.Add([]byte("h2 2018-07-02T22:23:00.186641Z app/x/y 1.2.3.4:1 - -1 -1 -1 503 - 0 0 \"GET / HTTP/2.0\""))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := metricstream.NewReader(bytes.NewReader(b))
		for {
			err := r.Next(&colmetricspb.ExportMetricsServiceRequest{})
			if err == io.EOF {
				if r.Offset() != int64(len(b)) {
					t.Fatalf("clean end at byte %d of %d", r.Offset(), len(b))
				}
				return
			}
			if err != nil {
				if !errors.Is(err, metricstream.ErrCorrupt) {
					t.Fatalf("error %v is not ErrCorrupt", err)
				}
				return
			}
		}
	})
}

func TestDetectAndOpen(t *testing.T) {
	t.Parallel()
	raw, reqs := object(t, 3)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	g := loggen.New(loggen.ALB, 1, start)
	logs := g.Gzip(50)
	tests := map[string]struct {
		body []byte
		want bool
	}{
		"plain metric-stream object":   {raw, true},
		"gzipped metric-stream object": {gz.Bytes(), true},
		"gzipped ALB log":              {logs, false},
		"empty":                        {nil, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			br := bufio.NewReaderSize(bytes.NewReader(tc.body), metricstream.PeekBytes)
			got, err := metricstream.Detect(br)
			if err != nil || got != tc.want {
				t.Fatalf("Detect = %v, %v; want %v", got, err, tc.want)
			}
			if !tc.want {
				return
			}
			content, err := metricstream.Open(br)
			if err != nil {
				t.Fatal(err)
			}
			r := metricstream.NewReader(content)
			for i := range reqs {
				req := &colmetricspb.ExportMetricsServiceRequest{}
				if err := r.Next(req); err != nil || !proto.Equal(req, reqs[i]) {
					t.Fatalf("message %d after Detect: %v", i+1, err)
				}
			}
		})
	}
}
