package contract

import "fmt"

// How the function sends: requests in flight and the gzip level.
const (
	EnvMaxInFlight = "ELB_OTEL_MAX_IN_FLIGHT" // export requests in flight per object, 1 to MaxInFlightLimit
	EnvGzipLevel   = "ELB_OTEL_GZIP_LEVEL"    // 1 (fastest) to 9 (smallest), with gzip compression
)

// MaxInFlightLimit is the most export requests in flight a setting may ask
// for: a request in flight holds its compressed body (a few hundred KB), and
// 64 hide a one-second backend at the function's largest size.
const MaxInFlightLimit = 64

// Compressions are the request body compressions the function accepts; gzip,
// the default, is the one every OTLP receiver must accept.
var Compressions = []string{"gzip", "zstd", "none"}

// ValidateCompression checks a compression name.
func ValidateCompression(v string) error {
	for _, c := range Compressions {
		if v == c {
			return nil
		}
	}
	return fmt.Errorf("must be \"gzip\", \"zstd\" (receivers that accept it, as the OpenTelemetry Collector does) or \"none\", got %q", v)
}

// ValidateMaxInFlight checks a count of export requests in flight.
func ValidateMaxInFlight(n int) error {
	if n < 1 || n > MaxInFlightLimit {
		return fmt.Errorf("must be between 1 and %d, got %d", MaxInFlightLimit, n)
	}
	return nil
}

// ValidateGzipLevel checks a gzip level.
func ValidateGzipLevel(n int) error {
	if n < 1 || n > 9 {
		return fmt.Errorf("must be between 1 (fastest) and 9 (smallest), got %d", n)
	}
	return nil
}
