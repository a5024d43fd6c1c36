package metricscheck

import (
	"strings"
	"testing"
	"time"

	"github.com/elb-otel/elb-otel/internal/otlptest"
)

var (
	t0   = time.Date(2026, 11, 30, 22, 0, 0, 0, time.UTC)
	data = Dataset{LoadBalancer: "app/web/50dc6c495c0c9188", TargetGroup: "targetgroup/web/73e2d6bc24d8a067",
		Zones: []string{"us-east-1a", "us-east-1b"}, Start: t0.Add(-40 * time.Minute), Minutes: 40}
	want = Want{Period: time.Minute, Delay: 10 * time.Minute, Resource: map[string]string{"service.name": "aws-cloudwatch-metrics"},
		Asked: []Asked{
			{"RequestCount", []string{DimLB}, "Sum", "aws_applicationelb_request_count_sum"},
			{"RequestCount", []string{DimLB, DimTG}, "Sum", "aws_applicationelb_request_count_sum"},
			{"TargetResponseTime", []string{DimLB}, "Average", "aws_applicationelb_target_response_time_average"},
			{"UnHealthyHostCount", []string{DimLB, DimTG}, "Maximum", "aws_applicationelb_un_healthy_host_count_maximum"},
			{"ConsumedLCUs", []string{DimLB}, "Average", "aws_applicationelb_consumed_lcus_average"},
			// Asked, but the data has none: nothing may arrive.
			{"RejectedConnectionCount", []string{DimLB}, "Sum", "aws_applicationelb_rejected_connection_count_sum"},
		}}
)

// exporter plays an exporter and collector with a given delay and window
// length: four rounds one period apart, starting 20 s past t0, each asking
// [end-length, end) with end = its time rounded down to the period minus
// delay, and delivering the newest whole period of that window (or, for a
// window that does not start on a period, the partial bucket CloudWatch
// without start rounding returns, as moto does).
func exporter(delay, length time.Duration) ([]Round, []otlptest.Point) {
	return exporterWith(want, delay, length)
}

// exporterWith is exporter for another Want (period).
func exporterWith(want Want, delay, length time.Duration) ([]Round, []otlptest.Point) {
	all := data.Datapoints()
	var rounds []Round
	var points []otlptest.Point
	for i := 0; i < 4; i++ {
		at := t0.Add(20*time.Second + time.Duration(i)*want.Period)
		end := at.Truncate(want.Period).Add(-delay)
		start := end.Add(-length)
		rounds = append(rounds, Round{At: at, Start: start, End: end})
		bucket := end.Add(-want.Period)
		if start.After(bucket) {
			bucket = start
		}
		for _, a := range want.Asked {
			dims := map[string]string{"service": "elb", "load_balancer": data.LoadBalancer}
			series := Series{a.Metric, map[string]string{DimLB: data.LoadBalancer}}
			if len(a.Set) == 2 {
				dims["target_group"] = data.TargetGroup
				series.Dims[DimTG] = data.TargetGroup
			}
			exp, ok := data.Expected(all, series.Key(), bucket, end.Sub(bucket))
			if !ok {
				continue
			}
			points = append(points, otlptest.Point{Metric: a.Name, Attrs: dims, Value: exp.Value(a.Stat),
				TimeUnixNano: uint64(bucket.UnixNano()), Resource: want.Resource})
		}
	}
	return rounds, points
}

func TestCheck_HoldsForTheConfiguredWindow(t *testing.T) {
	t.Parallel()
	rounds, points := exporter(want.Delay, want.Period)
	res := Check(data, rounds, points, want)
	if len(res.Problems) > 0 || res.Series != 5 || res.Points != 20 || len(res.Buckets) != 4 {
		t.Fatalf("%s\n%s", res.Summary(), strings.Join(res.Problems, "\n"))
	}
}

// A planted off-by-one, in the delay or in the range, is caught, as are a
// period counted twice, a gap, a wrong statistic and a fabricated zero.
func TestCheck_CatchesPlantedErrors(t *testing.T) {
	t.Parallel()
	ok := func() ([]Round, []otlptest.Point) { return exporter(want.Delay, want.Period) }
	tests := map[string]struct {
		run  func() ([]Round, []otlptest.Point)
		want string
	}{
		"delay one period long":  {func() ([]Round, []otlptest.Point) { return exporter(want.Delay+want.Period, want.Period) }, "the window is off by -1m0s at the start and -1m0s at the end"},
		"delay one period short": {func() ([]Round, []otlptest.Point) { return exporter(want.Delay-want.Period, want.Period) }, "a period no round read"},
		"range one period long":  {func() ([]Round, []otlptest.Point) { return exporter(want.Delay, 2*want.Period) }, "the window is off by -1m0s at the start and 0s at the end"},
		"range one minute short (cloudwatch_exporter's rule)": {func() ([]Round, []otlptest.Point) {
			w := want
			w.Period = 2 * time.Minute
			return exporterWith(w, w.Delay, w.Period-time.Minute)
		}, "a period no round read"},
		"a period counted twice": {func() ([]Round, []otlptest.Point) {
			r, p := ok()
			return r, append(p, p[len(p)-1])
		}, "arrived 2 times (counted twice)"},
		"a gap": {func() ([]Round, []otlptest.Point) {
			r, p := ok()
			return r, p[5:]
		}, "is missing (gap)"},
		"average for a count": {func() ([]Round, []otlptest.Point) {
			r, p := ok()
			p[0].Value /= 2
			return r, p
		}, "aws_applicationelb_request_count_sum RequestCount{LoadBalancer=app/web/50dc6c495c0c9188} at 21:49:00 = 129.5, want 259 (Sum of"},
		"a zero for no data": {func() ([]Round, []otlptest.Point) {
			r, p := ok()
			return r, append(p, otlptest.Point{Metric: "aws_applicationelb_rejected_connection_count_sum",
				Attrs: map[string]string{"load_balancer": data.LoadBalancer}, TimeUnixNano: p[0].TimeUnixNano})
		}, "has no data, yet 1 points arrived"},
		"without service=elb": {func() ([]Round, []otlptest.Point) {
			r, p := ok()
			delete(p[3].Attrs, "service")
			return r, p
		}, `service = "", want elb`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rounds, points := tc.run()
			w := want
			if strings.Contains(name, "cloudwatch_exporter") {
				w.Period = 2 * time.Minute
			}
			res := Check(data, rounds, points, w)
			if !strings.Contains(strings.Join(res.Problems, "\n"), tc.want) {
				t.Errorf("problems do not say %q:\n%s", tc.want, strings.Join(res.Problems, "\n"))
			}
		})
	}
}

func TestDataset_ValuesAreExactAndConsistent(t *testing.T) {
	t.Parallel()
	all := data.Datapoints()
	// 6 metrics: 3 with 2 aggregated + 2x2 zoned sets, 2 with 1 + 2, 1 with 1.
	if per := 3*(2+4) + 2*(1+2) + 1; len(all) != per*data.Minutes {
		t.Fatalf("%d datapoints, want %d", len(all), per*data.Minutes)
	}
	lb := Series{"RequestCount", map[string]string{DimLB: data.LoadBalancer}}.Key()
	az := Series{"RequestCount", map[string]string{DimLB: data.LoadBalancer, DimAZ: "us-east-1a"}}.Key()
	s, _ := data.Expected(all, lb, data.Start, 5*time.Minute)
	a, _ := data.Expected(all, az, data.Start, 5*time.Minute)
	// Minutes 0-4, zones 0 and 1: 2*(5*40 + 3*10) + 5*5.
	if s.Sum != 485 || a.Sum != 230 || s.SampleCount != 20 {
		t.Errorf("RequestCount sums: LB %v, zone a %v", s, a)
	}
}
