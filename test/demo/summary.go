package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/elb-otel/elb-otel/internal/otlptest"
)

// summary prints what the receiver got: per load balancer, status classes
// and latency, the slowest paths, and the errors.
func (d *demo) summary() {
	recs := d.recv.Records()
	fmt.Fprintln(d.out)
	d.say("what the OTLP receiver got, %d records in %d requests:", len(recs), d.recv.Requests())
	t := newTally()
	for _, r := range recs {
		t.add(r)
	}
	t.printLoadBalancers(d.out)
	t.printSlowestPaths(d.out)
	t.printErrors(d.out)
	fmt.Fprintln(d.out)
}

// lbStats counts the records of one load balancer and log format.
type lbStats struct {
	format              string
	n                   int
	class               [6]int
	lat                 []float64
	tlsFail, handshakes int
	bytesIn, bytesOut   int64
	conns               int
	parseErrors         int
}

type pathKey struct{ lb, method, path string }

type errKey struct {
	lb     string
	status int64
	reason string
	path   string
}

// tally is what summary counts over the records.
type tally struct {
	per   map[string]*lbStats // by "load balancer" + " " + log format
	paths map[pathKey][]float64
	errs  map[errKey]int
	waf   int
}

func newTally() *tally {
	return &tally{per: map[string]*lbStats{}, paths: map[pathKey][]float64{}, errs: map[errKey]int{}}
}

func (t *tally) add(r otlptest.Record) {
	lb := lbName(r)
	format := str(r.Attributes["aws.elb.log.format"])
	key := lb + " " + format
	s := t.per[key]
	if s == nil {
		s = &lbStats{format: format}
		t.per[key] = s
	}
	s.n++
	if _, ok := r.Attributes["aws.elb.parse_error"]; ok {
		s.parseErrors++
	}
	status, hasStatus := r.Attributes["http.response.status_code"].(int64)
	if hasStatus && status >= 100 && status < 600 {
		s.class[status/100]++
	}
	if tt, ok := r.Attributes["aws.elb.target_processing_time"].(float64); ok && tt >= 0 {
		s.lat = append(s.lat, tt)
		path := str(r.Attributes["url.path"])
		if path != "" {
			k := pathKey{lb, str(r.Attributes["http.request.method"]), path}
			t.paths[k] = append(t.paths[k], tt)
		}
	}
	s.addConnection(r)
	if hasStatus && status >= 500 {
		t.errs[errKey{lb, status, orDash(str(r.Attributes["aws.elb.error_reason"])), str(r.Attributes["url.path"])}]++
	}
	if acts, ok := r.Attributes["aws.elb.actions_executed"].([]any); ok && len(acts) > 0 && acts[0] == "waf" {
		t.waf++
	}
}

// addConnection counts what the connection and NLB logs tell.
func (s *lbStats) addConnection(r otlptest.Record) {
	switch s.format {
	case "alb_connection":
		s.handshakes++
		if strings.HasPrefix(str(r.Attributes["aws.elb.tls_verify_status"]), "Failed") {
			s.tlsFail++
		}
	case "nlb_access":
		s.conns++
		in, _ := r.Attributes["http.request.size"].(int64)
		out, _ := r.Attributes["http.response.size"].(int64)
		s.bytesIn += in
		s.bytesOut += out
	}
}

func (t *tally) printLoadBalancers(w io.Writer) {
	keys := make([]string, 0, len(t.per))
	for k := range t.per {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\n  LOAD BALANCER\tLOG\tRECORDS\t2xx\t3xx\t4xx\t5xx\tTARGET p50\tp99\tOTHER")
	for _, k := range keys {
		s := t.per[k]
		lb, _, _ := strings.Cut(k, " ")
		p50, p99 := "-", "-"
		if len(s.lat) > 0 {
			sort.Float64s(s.lat)
			p50, p99 = ms(quantile(s.lat, 0.5)), ms(quantile(s.lat, 0.99))
		}
		cls := func(i int) string {
			if s.format == "alb_connection" || s.format == "nlb_access" {
				return "-"
			}
			return fmt.Sprint(s.class[i])
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", lb, s.format, s.n, cls(2), cls(3), cls(4), cls(5), p50, p99, s.other())
	}
	tw.Flush()
}

// other is the OTHER column: what the connection and NLB logs tell, and the
// lines that did not parse.
func (s *lbStats) other() string {
	other := ""
	switch s.format {
	case "alb_connection":
		other = fmt.Sprintf("%d TLS handshakes, %d client certificates failed verification", s.handshakes, s.tlsFail)
	case "nlb_access":
		other = fmt.Sprintf("%d TLS connections, %.1f MB in, %.1f MB out", s.conns, float64(s.bytesIn)/1e6, float64(s.bytesOut)/1e6)
	}
	if s.parseErrors > 0 {
		other += fmt.Sprintf(", %d unparsed lines", s.parseErrors)
	}
	return other
}

func (t *tally) printSlowestPaths(w io.Writer) {
	type pathStat struct {
		k        pathKey
		n        int
		p95, max float64
	}
	var ps []pathStat
	for k, l := range t.paths {
		if len(l) < 5 {
			continue
		}
		sort.Float64s(l)
		ps = append(ps, pathStat{k, len(l), quantile(l, 0.95), l[len(l)-1]})
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].p95 > ps[j].p95 })
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\n  SLOWEST PATHS (target time)\tREQUESTS\tp95\tMAX")
	for i, p := range ps {
		if i == 5 {
			break
		}
		fmt.Fprintf(tw, "  %s %s %s\t%d\t%s\t%s\n", p.k.lb, p.k.method, p.k.path, p.n, ms(p.p95), ms(p.max))
	}
	tw.Flush()
}

func (t *tally) printErrors(w io.Writer) {
	type errStat struct {
		k errKey
		n int
	}
	var es []errStat
	total := 0
	for k, n := range t.errs {
		es = append(es, errStat{k, n})
		total += n
	}
	sort.Slice(es, func(i, j int) bool {
		if es[i].n != es[j].n {
			return es[i].n > es[j].n
		}
		return fmt.Sprint(es[i].k) < fmt.Sprint(es[j].k)
	})
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\n  ERRORS: %d responses 5xx, %d requests blocked by WAF\tCOUNT\n", total, t.waf)
	for i, e := range es {
		if i == 6 {
			break
		}
		fmt.Fprintf(tw, "  %s %d %s %s\t%d\n", e.k.lb, e.k.status, e.k.reason, e.k.path, e.n)
	}
	tw.Flush()
}

func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q * float64(len(sorted)-1))
	return sorted[i]
}

func ms(seconds float64) string { return fmt.Sprintf("%.0f ms", seconds*1000) }
