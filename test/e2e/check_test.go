//go:build e2e

package e2e

import (
	"fmt"
	"maps"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/elb-otel/elb-otel/internal/localaws"
	"github.com/elb-otel/elb-otel/internal/otlptest"
	"github.com/elb-otel/elb-otel/lambda/loggen"
)

// tally is what the receiver got, checked against what was uploaded.
type tally struct {
	Records     int
	Lines       int
	Duplicates  int // records whose (key, line) arrived before
	Missing     int // uploaded lines that never arrived
	Unknown     int // records that match no uploaded line
	DupUIDs     int // log.record.uid seen twice
	ParseErrors int
	Problems    []string // the first few mismatches, for the failure message
	problemN    int
	PerKind     map[string]int
	ByKey       map[string]int
}

func (t *tally) problem(format string, args ...any) {
	t.problemN++
	if len(t.Problems) < 12 {
		t.Problems = append(t.Problems, fmt.Sprintf(format, args...))
	}
}

// ProblemCount counts every mismatch found, listed or not.
func (t *tally) ProblemCount() int { return t.problemN }

// checkRecords checks that each line of each file arrived exactly once
// (body and log.record.uid), with the resource and the typed attributes it
// should have, and that nothing else arrived but the keys in ignore.
func checkRecords(recs []otlptest.Record, files []logFile, bucket string, ignore map[string]bool) *tally {
	t := &tally{PerKind: map[string]int{}, ByKey: map[string]int{}}
	type want struct {
		file *logFile
		left map[string]int // body -> times still expected
	}
	byKey := map[string]*want{}
	for i := range files {
		f := &files[i]
		w := &want{file: f, left: map[string]int{}}
		for _, l := range f.Lines {
			w.left[l]++
		}
		byKey[f.Key] = w
		t.Lines += len(f.Lines)
	}
	uids := map[string]bool{}
	for _, r := range recs {
		key, _ := r.Resource["aws.s3.key"].(string)
		t.ByKey[key]++
		if ignore[key] {
			continue
		}
		t.Records++
		w := byKey[key]
		if w == nil {
			t.Unknown++
			t.problem("record for an object never uploaded: aws.s3.key %q", key)
			continue
		}
		n, ok := w.left[r.Body]
		switch {
		case !ok:
			t.Unknown++
			t.problem("%s: body matches no line: %q", key, r.Body)
			continue
		case n == 0:
			t.Duplicates++
			t.problem("%s: line arrived twice: %q", key, r.Body)
			continue
		}
		w.left[r.Body] = n - 1
		t.PerKind[kindName(w.file.Kind)]++

		uid, _ := r.Attributes["log.record.uid"].(string)
		if !uidRE.MatchString(uid) {
			t.problem("%s: log.record.uid %q is not <16 hex digits>-<line number>", key, uid)
		} else if uids[uid] {
			t.DupUIDs++
			t.problem("%s: log.record.uid %s seen twice", key, uid)
		}
		uids[uid] = true
		if _, bad := r.Attributes["aws.elb.parse_error"]; bad {
			t.ParseErrors++
			t.problem("%s: parse error %v: %q", key, r.Attributes["aws.elb.parse_error"], r.Body)
		}
		checkResource(t, r, w.file, bucket)
		checkAttributes(t, r, w.file)
	}
	for _, w := range byKey {
		for _, n := range w.left {
			t.Missing += n
		}
		if left := sum(w.left); left > 0 {
			t.problem("%s: %d of %d lines never arrived", w.file.Key, left, len(w.file.Lines))
		}
	}
	return t
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func checkResource(t *tally, r otlptest.Record, f *logFile, bucket string) {
	want := map[string]any{
		"cloud.provider":    "aws",
		"cloud.platform":    "aws_elb",
		"cloud.account.id":  localaws.Account,
		"cloud.region":      localaws.Region,
		"cloud.resource_id": f.ResourceID,
		"aws.s3.bucket":     bucket,
		"aws.s3.key":        f.Key,
		"service.name":      "elb",
	}
	for k, v := range want {
		if got := r.Resource[k]; got != v {
			t.problem("%s: resource %s = %v (%T), want %v", f.Key, k, got, got, v)
		}
	}
}

var xrayRoot = regexp.MustCompile(`Root=1-([0-9a-f]{8})-([0-9a-f]{24})`)

// checkAttributes re-reads the leading, unquoted fields of the line on its
// own (not with the shipper's parser) and checks the record's time,
// severity, trace ID and a few typed attributes against them.
func checkAttributes(t *tally, r otlptest.Record, f *logFile) {
	fields := strings.Fields(r.Body)
	attr := func(name string, want any) {
		if got := r.Attributes[name]; got != want {
			t.problem("%s: attribute %s = %v (%T), want %v (%T): %q", f.Key, name, got, got, want, want, r.Body)
		}
	}
	absent := func(name string) {
		if got, ok := r.Attributes[name]; ok {
			t.problem("%s: attribute %s = %v, want none (the field is -): %q", f.Key, name, got, r.Body)
		}
	}
	timeIs := func(layout, value string) {
		ts, err := time.Parse(layout, value)
		if err != nil {
			t.problem("%s: test cannot read the time %q: %v", f.Key, value, err)
			return
		}
		if r.TimeUnixNano != uint64(ts.UnixNano()) {
			t.problem("%s: time %d, want %d (%s)", f.Key, r.TimeUnixNano, ts.UnixNano(), value)
		}
	}
	severity := func(status string) {
		want := int32(9) // INFO
		switch {
		case strings.HasPrefix(status, "5"):
			want = 17 // ERROR
		case strings.HasPrefix(status, "4"):
			want = 13 // WARN
		}
		if r.Severity != want {
			t.problem("%s: severity %d, want %d for status %s", f.Key, r.Severity, want, status)
		}
	}
	attr("aws.elb.log.format", formatName(f.Kind))
	switch f.Kind {
	case loggen.ALB:
		// type time elb client:port target:port request_t target_t response_t elb_status target_status ...
		timeIs(time.RFC3339Nano, fields[1])
		addr, port := splitPort(fields[3])
		attr("client.address", addr)
		attr("client.port", atoi(port))
		intOrAbsent(attr, absent, "http.response.status_code", fields[8])
		intOrAbsent(attr, absent, "aws.elb.backend.status.code", fields[9])
		attr("aws.elb.target_processing_time", atof(fields[6]))
		attr("aws.elb.request_processing_time", atof(fields[5]))
		severity(fields[8])
		if m := xrayRoot.FindStringSubmatch(r.Body); m != nil && r.TraceID != m[1]+m[2] {
			t.problem("%s: trace ID %q, want %s from %s", f.Key, r.TraceID, m[1]+m[2], m[0])
		}
		method := strings.TrimPrefix(fields[12], `"`)
		attr("http.request.method", method)
	case loggen.ALBConnection:
		// time client_ip client_port listener_port tls_protocol tls_cipher tls_handshake_latency ...
		timeIs(time.RFC3339Nano, fields[0])
		attr("client.address", fields[1])
		attr("client.port", atoi(fields[2]))
		attr("server.port", atoi(fields[3]))
		attr("tls.cipher", fields[5])
		attr("aws.elb.tls_handshake_latency", atof(fields[6]))
	case loggen.NLB:
		// type version time elb listener client:port destination:port connection_time tls_handshake_time received sent ...
		timeIs("2006-01-02T15:04:05", fields[2])
		addr, port := splitPort(fields[5])
		attr("client.address", addr)
		attr("client.port", atoi(port))
		attr("aws.elb.connection_time", atoi(fields[7]))
		attr("http.request.size", atoi(fields[9]))
		attr("http.response.size", atoi(fields[10]))
		attr("tls.protocol.version", "1.2")
	case loggen.CLB:
		// time elb client:port backend:port request_t backend_t response_t elb_status backend_status received sent ...
		timeIs(time.RFC3339Nano, fields[0])
		addr, port := splitPort(fields[2])
		attr("client.address", addr)
		attr("client.port", atoi(port))
		attr("aws.elb.target_processing_time", atof(fields[5]))
		intOrAbsent(attr, absent, "http.response.status_code", fields[7])
		attr("http.request.size", atoi(fields[9]))
		severity(fields[7])
	}
}

func intOrAbsent(attr func(string, any), absent func(string), name, field string) {
	if field == "-" {
		absent(name)
		return
	}
	attr(name, atoi(field))
}

func splitPort(s string) (string, string) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i+1:]
}

func atoi(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return -999999 // never equal to a real attribute: reported as a mismatch
	}
	return n
}

func atof(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return -999999
	}
	return f
}

// checkTheChecker feeds checkRecords copies of the received records with one
// mistake each, and fails unless every mistake is caught: a check that
// passes everything would otherwise pass here too.
func (r *run) checkTheChecker(t *testing.T, recs []otlptest.Record, ignore map[string]bool) {
	t.Helper()
	pick := func(kind loggen.Kind) int {
		for i, rec := range recs {
			if rec.Attributes["aws.elb.log.format"] == formatName(kind) {
				return i
			}
		}
		t.Fatalf("no %s record received", kindName(kind))
		return -1
	}
	mutated := func(i int, f func(*otlptest.Record)) []otlptest.Record {
		out := append([]otlptest.Record(nil), recs...)
		rec := out[i]
		rec.Attributes = maps.Clone(rec.Attributes)
		rec.Resource = maps.Clone(rec.Resource)
		f(&rec)
		out[i] = rec
		return out
	}
	alb, nlb, clb, conn := pick(loggen.ALB), pick(loggen.NLB), pick(loggen.CLB), pick(loggen.ALBConnection)
	cases := map[string]struct {
		recs  []otlptest.Record
		check func(*tally) bool
	}{
		"a line lost":  {append(append([]otlptest.Record(nil), recs[:alb]...), recs[alb+1:]...), func(tl *tally) bool { return tl.Missing == 1 }},
		"a line twice": {append(append([]otlptest.Record(nil), recs...), recs[nlb]), func(tl *tally) bool { return tl.Duplicates == 1 }},
		"a uid reused": {mutated(clb, func(x *otlptest.Record) { x.Attributes["log.record.uid"] = recs[alb].Attributes["log.record.uid"] }),
			func(tl *tally) bool { return tl.DupUIDs == 1 }},
		"a port as a string":   {mutated(alb, func(x *otlptest.Record) { x.Attributes["client.port"] = fmt.Sprint(x.Attributes["client.port"]) }), nil},
		"a duration as an int": {mutated(conn, func(x *otlptest.Record) { x.Attributes["aws.elb.tls_handshake_latency"] = int64(1) }), nil},
		"the wrong region":     {mutated(nlb, func(x *otlptest.Record) { x.Resource["cloud.region"] = "eu-west-1" }), nil},
		"the wrong load balancer": {mutated(clb, func(x *otlptest.Record) {
			x.Resource["cloud.resource_id"] = lbARN("app/shop-frontend/50dc6c495c0c9188")
		}), nil},
		"a body altered":   {mutated(alb, func(x *otlptest.Record) { x.Body += " " }), func(tl *tally) bool { return tl.Unknown == 1 && tl.Missing == 1 }},
		"a severity wrong": {mutated(clb, func(x *otlptest.Record) { x.Severity = 1 }), nil},
		"a time wrong":     {mutated(conn, func(x *otlptest.Record) { x.TimeUnixNano++ }), nil},
	}
	caught := 0
	for name, c := range cases {
		tl := checkRecords(c.recs, r.files, r.dep.Bucket, ignore)
		ok := tl.ProblemCount() > 0
		if c.check != nil {
			ok = ok && c.check(tl)
		}
		if !ok {
			t.Errorf("the record check misses %s: %d problems, %+v", name, tl.ProblemCount(), tl.Problems)
			continue
		}
		caught++
	}
	t.Logf("the record check itself: catches %d of %d planted mistakes (a line lost, twice, altered; a uid reused; wrong types, region, load balancer, severity, time)", caught, len(cases))
}

// uidRE is the form of log.record.uid: an id of the object, then the line.
var uidRE = regexp.MustCompile(`^[0-9a-f]{16}-[1-9][0-9]*$`)
