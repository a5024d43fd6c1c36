package logrecord

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	"google.golang.org/protobuf/proto"

	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
)

// line is one input line with, optionally, the message SetParseError sets before it
// is converted.
type line struct {
	text string
	note string
}

// viaPdata converts lines with Convert into pdata and marshals the request with
// pdata's MarshalProto.
func viaPdata(t testing.TB, src Source, opts Options, lines []line) ([]byte, []Outcome) {
	t.Helper()
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	sl := rl.ScopeLogs().AppendEmpty()
	FillScope(sl.Scope())
	c := NewConverter(src, opts)
	var outcomes []Outcome
	for i, l := range lines {
		if l.note != "" {
			c.SetParseError(l.note)
		}
		outcomes = append(outcomes, c.Convert(sl.LogRecords(), int64(i+1), []byte(l.text)))
	}
	c.FillResource(rl.Resource())
	raw, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	return raw, outcomes
}

// viaProto converts lines with AppendProto and FinishRequest. It converts each line
// from a buffer it then overwrites, to prove that AppendProto keeps nothing of it.
func viaProto(t testing.TB, src Source, opts Options, lines []line) ([]byte, []Outcome) {
	t.Helper()
	c := NewConverter(src, opts)
	buf := make([]byte, RequestHeadroom)
	var outcomes []Outcome
	var scratch []byte
	for i, l := range lines {
		if l.note != "" {
			c.SetParseError(l.note)
		}
		scratch = append(scratch[:0], l.text...)
		var o Outcome
		buf, o = c.AppendProto(buf, int64(i+1), scratch)
		for j := range scratch {
			scratch[j] = '#'
		}
		outcomes = append(outcomes, o)
	}
	return c.FinishRequest(buf), outcomes
}

// assertSameRequest converts lines both ways and checks that the bytes are the same,
// and that OpenTelemetry's own protobuf types decode them into equal messages.
func assertSameRequest(t *testing.T, src Source, opts Options, lines []line) {
	t.Helper()
	want, wantOutcomes := viaPdata(t, src, opts, lines)
	got, gotOutcomes := viaProto(t, src, opts, lines)
	for i := range wantOutcomes {
		if gotOutcomes[i] != wantOutcomes[i] {
			t.Errorf("line %d: AppendProto outcome %v, Convert outcome %v", i+1, gotOutcomes[i], wantOutcomes[i])
		}
	}
	var wantMsg, gotMsg collogspb.ExportLogsServiceRequest
	if err := proto.Unmarshal(want, &wantMsg); err != nil {
		t.Fatalf("decoding pdata's bytes: %v", err)
	}
	if err := proto.Unmarshal(got, &gotMsg); err != nil {
		t.Fatalf("decoding AppendProto's bytes: %v", err)
	}
	if !proto.Equal(&gotMsg, &wantMsg) {
		t.Errorf("decoded requests differ:\nAppendProto: %v\npdata:       %v", &gotMsg, &wantMsg)
	}
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Errorf("bytes differ from offset %d (%d bytes, pdata %d):\nAppendProto: % x\npdata:       % x",
			i, len(got), len(want), got[i:min(len(got), i+48)], want[i:min(len(want), i+48)])
	}
}

func textLines(ls ...string) []line {
	out := make([]line, len(ls))
	for i, l := range ls {
		out[i] = line{text: l}
	}
	return out
}

func fileLines(t *testing.T, name string) []line {
	var ls []string
	for _, l := range readLines(t, name) {
		ls = append(ls, string(l))
	}
	return textLines(ls...)
}

func generated(kind loggen.Kind, n int) []line {
	g := loggen.New(kind, 11, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	ls := make([]string, n)
	for i := range ls {
		ls[i] = g.Line()
	}
	return textLines(ls...)
}

// TestAppendProto_SameAsPdata checks that the direct encoding equals, byte for
// byte, the pdata path's, for every format, bad lines, truncation notes and
// resource options.
func TestAppendProto_SameAsPdata(t *testing.T) {
	t.Parallel()
	alb := readLines(t, "alb_access.log")
	good := string(alb[0])
	src := Source{Bucket: "my-elb-logs", Key: albKey, ETag: `"9b2cf535f27731c974343645a3985328"`}
	tests := map[string]struct {
		src   Source
		opts  Options
		lines []line
	}{
		"alb_access":     {src: src, lines: fileLines(t, "alb_access.log")},
		"alb_connection": {src: Source{Bucket: "b", Key: connKey}, lines: fileLines(t, "alb_connection.log")},
		"nlb_access":     {src: Source{Bucket: "b", Key: nlbKey}, lines: fileLines(t, "nlb_access.log")},
		"clb_access":     {src: Source{Key: clbKey}, lines: fileLines(t, "clb_access.log")},
		"generated alb":  {src: src, lines: generated(loggen.ALB, 500)},
		"generated conn": {src: Source{Bucket: "b", Key: connKey}, lines: generated(loggen.ALBConnection, 200)},
		"generated nlb":  {src: Source{Bucket: "b", Key: nlbKey}, lines: generated(loggen.NLB, 200)},
		"generated clb":  {src: Source{Bucket: "b", Key: clbKey}, lines: generated(loggen.CLB, 200)},
		"parse errors": {src: src, lines: textLines(
			"Enable AccessLog for ELB: app/my-loadbalancer/50dc6c495c0c9188 at 2018-07-02T22:20:00.000000Z",
			"",
			good,
			"http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188",
			strings.Replace(good, " 200 200 ", " 2x0 200 ", 1),
			good[:strings.Index(good, `"curl`)]+`"curl/7.46.0 - -`,
			good+"\r",
			good+"\n",
		)},
		"unknown format": {src: Source{Key: "x.log"}, lines: textLines("what is this", "\x00\x01 binary ü", good)},
		"set parse error": {src: src, lines: []line{
			{text: good, note: "line 1 is longer than 10 bytes; shipped truncated"},
			{text: "http 2018-07-02T22:23:00.186641Z trunc", note: "line 2 is longer than 10 bytes; shipped truncated"},
			{text: "", note: "not used: the line is skipped"},
			{text: good},
		}},
		"resource options": {src: src, opts: Options{
			ServiceName:        "edge",
			ResourceAttributes: map[string]string{"cloud.region": "eu-west-1", "deployment.environment.name": "prod", "empty": "", "": "no key"},
		}, lines: textLines(good)},
		"no lines":  {src: src},
		"long line": {src: src, lines: textLines(good + " " + strings.Repeat("x", 70000))},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			opts := tc.opts
			opts.Now = fixedOptions().Now
			assertSameRequest(t, tc.src, opts, tc.lines)
		})
	}
}

// FuzzAppendProto checks that the direct encoding of any line equals pdata's.
func FuzzAppendProto(f *testing.F) {
	for _, name := range []string{"alb_access.log", "alb_connection.log", "nlb_access.log", "clb_access.log"} {
		for _, l := range readLines(f, name) {
			f.Add(string(l), "")
		}
	}
	f.Add("http 2018-07-02T22:23:00.186641Z x", "truncated")
	f.Fuzz(func(t *testing.T, text, note string) {
		src := Source{Bucket: "b", Key: albKey, ETag: "e"}
		lines := []line{{text: text, note: note}, {text: text}}
		want, _ := viaPdata(t, src, fixedOptions(), lines)
		got, _ := viaProto(t, src, fixedOptions(), lines)
		if !bytes.Equal(got, want) {
			t.Errorf("bytes differ for %q", text)
		}
	})
}

// TestAppendProto_LastError checks that the error of a bad line outlives the buffer
// the line was in.
func TestAppendProto_LastError(t *testing.T) {
	t.Parallel()
	c := NewConverter(Source{Bucket: "b", Key: albKey}, fixedOptions())
	line := []byte(strings.Replace(string(readLines(t, "alb_access.log")[0]), " 200 200 ", " 2x0 200 ", 1))
	if _, o := c.AppendProto(nil, 7, line); o != OutcomeParseError {
		t.Fatalf("outcome %v, want parse_error", o)
	}
	for i := range line {
		line[i] = '#'
	}
	const want = `line 7: alb_access line: field 9 (elb_status_code): invalid integer "2x0"`
	if got := c.LastError().Error(); got != want {
		t.Errorf("LastError() = %q, want %q", got, want)
	}
}

// TestPutLength checks the length prefix of messages whose length takes one, two
// and three bytes.
func TestPutLength(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 127, 128, 16383, 16384, 1 << 21} {
		content := bytes.Repeat([]byte{7}, n)
		dst := append([]byte{0xaa, 0, 0}, content...)
		dst = putLength(dst, 1)
		want := binary.AppendUvarint([]byte{0xaa}, uint64(n))
		want = append(want, content...)
		if !bytes.Equal(dst, want) {
			t.Errorf("putLength of %d bytes: got % x..., want % x...", n, dst[:min(len(dst), 6)], want[:min(len(want), 6)])
		}
	}
}
