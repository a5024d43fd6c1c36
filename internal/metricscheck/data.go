// Package metricscheck is the known data of the metrics end-to-end test and
// its exact check: one-minute ELB datapoints for one Application Load
// Balancer with one target group in several Availability Zones, under the
// namespace, names and dimension sets CloudWatch publishes them with; the
// value every metric-statistic must have for every period bucket; and Check,
// which compares what an OTLP receiver got (and the GetMetricData windows the
// exporter asked for) with that, bucket by bucket.
//
// Every value is a dyadic rational (an integer or a sum of powers of two), so
// sums, minimums and maximums are exact in float64 on every side, and an
// average is one correctly rounded division, the same in Python (moto) and
// Go: the check compares values with ==.
package metricscheck

import (
	"sort"
	"strings"
	"time"
)

// Dimension names.
const (
	DimLB = "LoadBalancer"
	DimTG = "TargetGroup"
	DimAZ = "AvailabilityZone"
)

// Namespace is the CloudWatch namespace of the data.
const Namespace = "AWS/ApplicationELB"

// StatSet is one published datapoint: CloudWatch's statistic set.
type StatSet struct{ SampleCount, Sum, Minimum, Maximum float64 }

func (s StatSet) merge(o StatSet) StatSet {
	if s.SampleCount == 0 {
		return o
	}
	return StatSet{s.SampleCount + o.SampleCount, s.Sum + o.Sum, min(s.Minimum, o.Minimum), max(s.Maximum, o.Maximum)}
}

// Value returns the statistic: Sum, Maximum, Minimum, Average or SampleCount.
func (s StatSet) Value(stat string) float64 {
	switch stat {
	case "Sum":
		return s.Sum
	case "Maximum":
		return s.Maximum
	case "Minimum":
		return s.Minimum
	case "Average":
		return s.Sum / s.SampleCount
	case "SampleCount":
		return s.SampleCount
	}
	panic("metricscheck: unknown statistic " + stat)
}

// Series is one CloudWatch metric: a name and its dimensions.
type Series struct {
	Metric string
	Dims   map[string]string
}

// Key is the series as metric{Name=value,...}, dimension names sorted.
func (s Series) Key() string {
	names := make([]string, 0, len(s.Dims))
	for n := range s.Dims {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + "=" + s.Dims[n]
	}
	return s.Metric + "{" + strings.Join(parts, ",") + "}"
}

// Set returns the series' dimension names, sorted, joined with ",".
func (s Series) Set() string {
	names := make([]string, 0, len(s.Dims))
	for n := range s.Dims {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

// Datapoint is one minute of one series.
type Datapoint struct {
	Series Series
	Time   time.Time
	StatSet
}

// Dataset is one ALB with one target group in Zones, publishing every
// minute from Start (on the minute) for Minutes minutes.
type Dataset struct {
	LoadBalancer, TargetGroup string
	Zones                     []string
	Start                     time.Time
	Minutes                   int
}

// perZone is one zone's minute of each metric, before aggregation; tg is
// the target group's share (two requests a minute fewer per zone: the load
// balancer answered those itself), so a load balancer series read as a
// target group one, or the reverse, shows.
func perZone(m, z int, tg bool) map[string]StatSet {
	requests := float64(40 + 3*m + 5*z)
	if tg {
		requests -= 2
	}
	unhealthy := 0.0
	if m%5 == 0 {
		unhealthy = 1
	}
	return map[string]StatSet{
		"RequestCount":              {2, requests, float64(15 + z), float64(30 + m%5)},
		"HTTPCode_Target_5XX_Count": {2, float64(m%3 + z), 0, float64(m%3 + z)},
		// Seconds, in 1/64 steps: one sample per request.
		"TargetResponseTime": {requests, requests * (4 + float64(m%4)) / 64, 1.0 / 128, 0.5 + float64(m%3)/8},
		"HealthyHostCount":   {2, 4 - unhealthy, 2 - unhealthy, 2},
		"UnHealthyHostCount": {2, unhealthy, 0, unhealthy},
	}
}

// published are the dimension sets each metric is published under
// (the reference's tables): LB-level sets and target-group sets.
var published = map[string][][]string{
	"RequestCount":              {{DimLB}, {DimAZ, DimLB}, {DimLB, DimTG}, {DimAZ, DimLB, DimTG}},
	"HTTPCode_Target_5XX_Count": {{DimLB}, {DimAZ, DimLB}, {DimLB, DimTG}, {DimAZ, DimLB, DimTG}},
	"TargetResponseTime":        {{DimLB}, {DimAZ, DimLB}, {DimLB, DimTG}, {DimAZ, DimLB, DimTG}},
	"HealthyHostCount":          {{DimLB, DimTG}, {DimAZ, DimLB, DimTG}},
	"UnHealthyHostCount":        {{DimLB, DimTG}, {DimAZ, DimLB, DimTG}},
	"ConsumedLCUs":              {{DimLB}},
}

// Metrics lists the metrics of the data, sorted.
func Metrics() []string {
	out := make([]string, 0, len(published))
	for m := range published {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// Datapoints returns every datapoint of the data: per zone the zone sets, and
// the load balancer and target group sets aggregated over the zones
// (SampleCount and Sum added, Minimum and Maximum kept), as CloudWatch does.
func (d Dataset) Datapoints() []Datapoint {
	var out []Datapoint
	for m := 0; m < d.Minutes; m++ {
		t := d.Start.Add(time.Duration(m) * time.Minute)
		for _, metric := range Metrics() {
			for _, set := range published[metric] {
				out = append(out, d.points(metric, set, m, t)...)
			}
		}
	}
	return out
}

// points returns minute m of metric under set: one datapoint per zone for a
// set with AvailabilityZone, else one aggregated over the zones.
func (d Dataset) points(metric string, set []string, m int, t time.Time) []Datapoint {
	dims := map[string]string{}
	zoned, tg := false, false
	for _, n := range set {
		switch n {
		case DimLB:
			dims[n] = d.LoadBalancer
		case DimTG:
			dims[n] = d.TargetGroup
			tg = true
		case DimAZ:
			zoned = true
		}
	}
	if metric == "ConsumedLCUs" {
		v := 0.25 + float64(m)/32
		return []Datapoint{{Series{metric, dims}, t, StatSet{1, v, v, v}}}
	}
	if zoned {
		out := make([]Datapoint, len(d.Zones))
		for z, zone := range d.Zones {
			zd := map[string]string{DimAZ: zone}
			for k, v := range dims {
				zd[k] = v
			}
			out[z] = Datapoint{Series{metric, zd}, t, perZone(m, z, tg)[metric]}
		}
		return out
	}
	var s StatSet
	for z := range d.Zones {
		s = s.merge(perZone(m, z, tg)[metric])
	}
	return []Datapoint{{Series{metric, dims}, t, s}}
}

// Expected returns the statistic set of series key in the bucket
// [start, start+period), and whether the data has any minute in it.
func (d Dataset) Expected(points []Datapoint, key string, start time.Time, period time.Duration) (StatSet, bool) {
	var s StatSet
	found := false
	for _, p := range points {
		if p.Series.Key() == key && !p.Time.Before(start) && p.Time.Before(start.Add(period)) {
			s, found = s.merge(p.StatSet), true
		}
	}
	return s, found
}
