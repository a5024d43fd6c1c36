package metricscheck

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/elb-otel/elb-otel/internal/otlptest"
)

// Round is one GetMetricData request the exporter made: when it was sent and
// the window it asked for.
type Round struct{ At, Start, End time.Time }

// Asked is one metric-statistic at one dimension set the exporter's config
// asks for, with the name its series arrive under.
type Asked struct {
	Metric string
	Set    []string // dimension names
	Stat   string
	Name   string // the OTLP metric name, e.g. aws_applicationelb_request_count_sum
}

// Want is what the deployed configs promise.
type Want struct {
	// Period is the CloudWatch period (the scrape interval); Delay how far
	// behind its round time a window ends.
	Period, Delay time.Duration
	Asked         []Asked
	// Resource attributes every ELB point's resource must carry.
	Resource map[string]string
}

// Result is what Check compared.
type Result struct {
	// Buckets are the period starts the rounds read, in order.
	Buckets []time.Time
	// Series counts the (metric, statistic, dimension set) series with data
	// that were checked; Points the datapoints compared.
	Series, Points int
	// Problems are the differences; none means the check holds.
	Problems []string
}

// Buckets returns the period start each round's time asks for (the period
// the window [t-delay-period, t-delay) holds, t = the round time rounded
// down to the period), in order, without repeats: the rounds of one scrape
// (one request per job and batch) share it.
func Buckets(rounds []Round, period, delay time.Duration) []time.Time {
	seen := map[time.Time]bool{}
	var out []time.Time
	for _, r := range rounds {
		b := r.At.Truncate(period).Add(-delay - period).UTC()
		if !seen[b] {
			seen[b] = true
			out = append(out, b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// Check compares the rounds and the received points with the data and the
// configs' promise:
//   - each round asked for exactly [t-delay-period, t-delay), t its time
//     rounded down to the period (a delay or range one period off fails);
//   - consecutive rounds read adjacent periods (no gap, no period twice);
//   - every asked series with data arrived once per round's period, no
//     more and no fewer, with the CloudWatch timestamp (the period start),
//     the exact value, service=elb and the resource attributes; the newest
//     period may be missing for every series alike (its scrape had not come);
//   - asked series without data, and dimension sets not asked, never arrive.
func Check(d Dataset, rounds []Round, points []otlptest.Point, want Want) Result {
	var res Result
	fail := func(format string, a ...any) { res.Problems = append(res.Problems, fmt.Sprintf(format, a...)) }
	for _, r := range rounds {
		end := r.At.Truncate(want.Period).Add(-want.Delay)
		if !r.End.Equal(end) || !r.Start.Equal(end.Add(-want.Period)) {
			fail("round at %s asked [%s, %s), want [%s, %s): the window is off by %s at the start and %s at the end",
				clock(r.At), clock(r.Start), clock(r.End), clock(end.Add(-want.Period)), clock(end), r.Start.Sub(end.Add(-want.Period)), r.End.Sub(end))
		}
	}
	res.Buckets = Buckets(rounds, want.Period, want.Delay)
	if len(res.Buckets) == 0 {
		fail("no GetMetricData round was recorded")
		return res
	}
	for i := 1; i < len(res.Buckets); i++ {
		if gap := res.Buckets[i].Sub(res.Buckets[i-1]); gap != want.Period {
			fail("rounds read %s then %s: %s apart, want one period (%s)", clock(res.Buckets[i-1]), clock(res.Buckets[i]), gap, want.Period)
		}
	}
	all := d.Datapoints()
	byName := otlptest.ByMetric(points)
	lastMissing := map[bool]int{}
	for _, a := range want.Asked {
		checkSeries(d, all, a, byName[a.Name], want, &res, lastMissing, fail)
	}
	if lastMissing[true] > 0 && lastMissing[false] > 0 {
		fail("the newest period %s arrived for %d series and not for %d: one scrape delivers every series", clock(res.Buckets[len(res.Buckets)-1]), lastMissing[false], lastMissing[true])
	}
	for _, p := range points {
		if p.Attrs["availability_zone"] != "" {
			fail("%s arrived with availability_zone=%s: no per-zone set is asked", p.Metric, p.Attrs["availability_zone"])
		}
	}
	return res
}

// checkSeries checks one asked metric-statistic-set against its points.
func checkSeries(d Dataset, all []Datapoint, a Asked, points []otlptest.Point, want Want, res *Result,
	lastMissing map[bool]int, fail func(string, ...any)) {
	dims := map[string]string{}
	for _, n := range a.Set {
		switch n {
		case DimLB:
			dims[n] = d.LoadBalancer
		case DimTG:
			dims[n] = d.TargetGroup
		}
	}
	key := Series{a.Metric, dims}.Key()
	var mine []otlptest.Point
	for _, p := range points {
		if p.Attrs["load_balancer"] == dims[DimLB] && p.Attrs["target_group"] == dims[DimTG] && p.Attrs["availability_zone"] == "" {
			mine = append(mine, p)
		}
	}
	if _, any := d.Expected(all, key, d.Start, time.Duration(d.Minutes)*time.Minute); !any {
		if len(mine) > 0 {
			fail("%s %s has no data, yet %d points arrived (first %v at %s)", a.Name, key, len(mine), mine[0].Value, clock(mine[0].Time()))
		}
		return
	}
	res.Series++
	got := map[time.Time][]otlptest.Point{}
	for _, p := range mine {
		got[p.Time()] = append(got[p.Time()], p)
	}
	for i, b := range res.Buckets {
		ps := got[b]
		delete(got, b)
		if len(ps) == 0 && i == len(res.Buckets)-1 {
			lastMissing[true]++
			continue
		}
		if i == len(res.Buckets)-1 {
			lastMissing[false]++
		}
		checkBucket(d, all, a, key, b, ps, want, res, fail)
	}
	for t, ps := range got {
		fail("%s %s: %d points at %s, a period no round read (value %v)", a.Name, key, len(ps), clock(t), ps[0].Value)
	}
}

func checkBucket(d Dataset, all []Datapoint, a Asked, key string, b time.Time, ps []otlptest.Point, want Want, res *Result, fail func(string, ...any)) {
	exp, ok := d.Expected(all, key, b, want.Period)
	switch {
	case !ok:
		fail("%s %s: the data has no minute in the period %s: the test's data must cover every period read", a.Name, key, clock(b))
		return
	case len(ps) == 0:
		fail("%s %s: the period %s is missing (gap)", a.Name, key, clock(b))
		return
	case len(ps) > 1:
		fail("%s %s: the period %s arrived %d times (counted twice)", a.Name, key, clock(b), len(ps))
	}
	p := ps[0]
	res.Points++
	if w := exp.Value(a.Stat); p.Value != w {
		fail("%s %s at %s = %v, want %v (%s of %v)", a.Name, key, clock(b), p.Value, w, a.Stat, exp)
	}
	if p.Attrs["service"] != "elb" {
		fail("%s %s at %s: service = %q, want elb", a.Name, key, clock(b), p.Attrs["service"])
	}
	for k, v := range want.Resource {
		if p.Resource[k] != v {
			fail("%s %s at %s: resource %s = %q, want %q", a.Name, key, clock(b), k, p.Resource[k], v)
		}
	}
}

func clock(t time.Time) string { return t.UTC().Format("15:04:05") }

// Summary is Result in one line.
func (r Result) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d periods (", len(r.Buckets))
	for i, t := range r.Buckets {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(clock(t))
	}
	fmt.Fprintf(&b, "), %d series, %d points compared, %d problems", r.Series, r.Points, len(r.Problems))
	return b.String()
}
