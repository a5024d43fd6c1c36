package metricsrun

import "testing"

// The names YACE v0.62.1 gave these metric-statistics, read off its /metrics
// against moto.
func TestPromName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ metric, stat, want string }{
		{"RequestCount", "Sum", "aws_applicationelb_request_count_sum"},
		{"ConsumedLCUs", "Average", "aws_applicationelb_consumed_lcus_average"},
		{"HTTPCode_Target_5XX_Count", "Sum", "aws_applicationelb_httpcode_target_5_xx_count_sum"},
		{"UnHealthyHostCount", "Maximum", "aws_applicationelb_un_healthy_host_count_maximum"},
		{"HealthyHostCount", "Minimum", "aws_applicationelb_healthy_host_count_minimum"},
	} {
		if got := PromName(tc.metric, tc.stat); got != tc.want {
			t.Errorf("PromName(%s, %s) = %s, want %s", tc.metric, tc.stat, got, tc.want)
		}
	}
}
