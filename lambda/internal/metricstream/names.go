package metricstream

import (
	"math"
	"strconv"
	"strings"
)

// The CloudWatch statistics, as the polling mode names them.
const (
	StatSum         = "Sum"
	StatSampleCount = "SampleCount"
	StatMinimum     = "Minimum"
	StatMaximum     = "Maximum"
	StatAverage     = "Average"
)

// PollingName returns the name the polling mode's exporter
// (prometheus/cloudwatch_exporter) gives a statistic of a CloudWatch metric:
// the lower-cased namespace and the snake-cased metric name, joined by "_",
// with every character outside [a-zA-Z0-9:_] made "_" and runs of "_"
// merged, then "_" and the statistic's suffix (sum, sample_count, minimum,
// maximum, average, or the percentile such as p99, snake-cased the same way).
// For example ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum") is
// aws_applicationelb_httpcode_target_5_xx_count_sum.
func PollingName(namespace, metric, statistic string) string {
	base := safeName(strings.ToLower(namespace) + "_" + snakeCase(metric))
	var suffix string
	switch statistic {
	case StatSum:
		suffix = "sum"
	case StatSampleCount:
		suffix = "sample_count"
	case StatMinimum:
		suffix = "minimum"
	case StatMaximum:
		suffix = "maximum"
	case StatAverage:
		suffix = "average"
	default: // an extended statistic, p99 or p99.9
		suffix = safeName(snakeCase(statistic))
	}
	return base + "_" + suffix
}

// PollingLabel returns the label the polling mode's exporter gives a
// CloudWatch dimension: LoadBalancer is load_balancer, AvailabilityZone
// availability_zone.
func PollingLabel(dimension string) string { return safeName(snakeCase(dimension)) }

// Percentile names quantile q (0 < q < 1) as CloudWatch names the extended
// statistic: 0.99 is p99, 0.999 p99.9.
func Percentile(q float64) string {
	return "p" + strconv.FormatFloat(math.Round(q*1e6)/1e4, 'f', -1, 64)
}

// snakeCase puts "_" between a lower-case letter or digit and the upper-case
// letter after it, and lower-cases the result (the exporter's toSnakeCase).
func snakeCase(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i > 0 && isUpper(c) && (isLower(s[i-1]) || isDigit(s[i-1])) {
			b.WriteByte('_')
		}
		if isUpper(c) {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// safeName makes every character outside [a-zA-Z0-9:_] a "_" and merges runs
// of "_" (the exporter's safeName).
func safeName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	prevUnderscore := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isUpper(c) || isLower(c) || isDigit(c) || c == ':') {
			c = '_'
		}
		if c == '_' {
			if prevUnderscore {
				continue
			}
			prevUnderscore = true
		} else {
			prevUnderscore = false
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
