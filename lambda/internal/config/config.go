// Package config reads the shipper's settings from the environment once, at
// start-up, and fails fast with a message naming the variable at fault. The
// OTLP exporter's own variables are read by otlpexport.ConfigFromEnv.
package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/elb-otel/elb-otel/internal/contract"
)

// Environment variable names, from package contract. The second name of a
// pair is the alias from the hand-run guide this project replaces, kept for
// people migrating.
const (
	EnvServiceName        = contract.EnvServiceName
	EnvResourceAttributes = contract.EnvResourceAttributes
	EnvHeadersSecretARN   = contract.EnvHeadersSecretARN
	EnvQueueURL           = contract.EnvQueueURL
	EnvDeleteObjects      = contract.EnvDeleteObjects
	AliasDeleteObjects    = contract.AliasDeleteObjects
	EnvBucket             = contract.EnvBucket
	AliasBucket           = contract.AliasBucket
	EnvPrefix             = contract.EnvPrefix
	AliasPrefix           = contract.AliasPrefix
	EnvBatchRecords       = contract.EnvBatchRecords
	AliasBatchRecords     = contract.AliasBatchRecords
	EnvBatchBytes         = contract.EnvBatchBytes
	EnvMetricsPrefix      = contract.EnvMetricsPrefix
	EnvMetricsPollingName = contract.EnvMetricsPollingNames
	EnvMaxInFlight        = contract.EnvMaxInFlight
)

// Settings are the shipper's settings other than the exporter's.
type Settings struct {
	ServiceName        string            // default "elb"
	ResourceAttributes map[string]string // from OTEL_RESOURCE_ATTRIBUTES
	HeadersSecretARN   string            // Secrets Manager secret holding OTLP headers
	QueueURL           string            // work queue, for continuations and backfill fan-out
	DeleteObjects      bool
	// Bucket is the log bucket (ELB_OTEL_BUCKET): the only bucket read.
	Bucket       string
	Prefix       string // keys outside it are skipped
	BatchRecords int    // 0: the pipeline's default
	BatchBytes   int    // 0: the pipeline's default
	// RejectedSucceed: acknowledge the message of an object with rejected
	// records (contract.OnRejectedSucceed) instead of failing it.
	RejectedSucceed bool
	// MetricsPrefix is where the metric stream's objects are (metrics mode
	// stream); "" when none.
	MetricsPrefix string
	// MetricsPollingNames renames the stream's Summaries to the polling
	// mode's gauges.
	MetricsPollingNames bool
	MaxInFlight         int // export requests in flight per object; 0: the pipeline's default
}

// FromEnv reads Settings with lookup (os.LookupEnv in production).
func FromEnv(lookup func(string) (string, bool)) (Settings, error) {
	r := &envReader{lookup: lookup}
	s := Settings{ServiceName: "elb"}
	r.readIdentity(&s)
	r.readSource(&s)
	r.readBatching(&s)
	return s, errors.Join(r.errs...)
}

// envReader reads settings from the environment, collecting every error.
type envReader struct {
	lookup func(string) (string, bool)
	errs   []error
}

// from returns a setting's value and the variable it came from, so an
// error names the variable the user set (an alias, maybe).
func (r *envReader) from(name, alias string) (string, string) {
	if v, ok := r.lookup(name); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v), name
	}
	if alias != "" {
		if v, ok := r.lookup(alias); ok {
			return strings.TrimSpace(v), alias
		}
	}
	return "", name
}

func (r *envReader) get(name, alias string) string {
	v, _ := r.from(name, alias)
	return v
}

// readIdentity reads what the shipped telemetry says about its source: the
// service name, resource attributes and the secret holding the headers.
func (r *envReader) readIdentity(s *Settings) {
	if v := r.get(EnvServiceName, ""); v != "" {
		s.ServiceName = v
	}
	if v := r.get(EnvResourceAttributes, ""); v != "" {
		attrs, err := contract.DecodeResourceAttributes(v)
		if err != nil {
			r.errs = append(r.errs, fmt.Errorf("%s: %w (example: deployment.environment=prod,team=edge)", EnvResourceAttributes, err))
		}
		s.ResourceAttributes = attrs
	}
	s.HeadersSecretARN = r.get(EnvHeadersSecretARN, "")
	if s.HeadersSecretARN != "" {
		if err := contract.ValidateSecretARN(s.HeadersSecretARN); err != nil {
			r.errs = append(r.errs, fmt.Errorf("%s %w", EnvHeadersSecretARN, err))
		}
	}
}

// readSource reads where the logs and metric streams come from.
func (r *envReader) readSource(s *Settings) {
	s.QueueURL = r.get(EnvQueueURL, "")
	s.Bucket = r.get(EnvBucket, AliasBucket)
	s.Prefix = r.get(EnvPrefix, AliasPrefix)
	if v, name := r.from(EnvDeleteObjects, AliasDeleteObjects); v != "" {
		b, err := strconv.ParseBool(strings.ToLower(v))
		if err != nil {
			r.errs = append(r.errs, fmt.Errorf("%s must be true or false, got %q", name, v))
		}
		s.DeleteObjects = b
	}
	s.MetricsPrefix = r.get(EnvMetricsPrefix, "")
	if v := r.get(EnvMetricsPollingName, ""); v != "" {
		b, err := strconv.ParseBool(strings.ToLower(v))
		if err != nil {
			r.errs = append(r.errs, fmt.Errorf("%s must be true or false, got %q", EnvMetricsPollingName, v))
		}
		s.MetricsPollingNames = b
	}
	if s.MetricsPrefix != "" && s.Prefix != "" && (strings.HasPrefix(s.MetricsPrefix, s.Prefix) || strings.HasPrefix(s.Prefix, s.MetricsPrefix)) {
		r.errs = append(r.errs, fmt.Errorf("%s %q overlaps %s %q: the metric stream needs a prefix of its own (example: elb-otel/metric-stream/)", EnvMetricsPrefix, s.MetricsPrefix, EnvPrefix, s.Prefix))
	}
}

// readBatching reads how records are batched and sent, and what a rejected
// batch does to its message.
func (r *envReader) readBatching(s *Settings) {
	var err error
	v, name := r.from(EnvBatchRecords, AliasBatchRecords)
	if s.BatchRecords, err = positiveInt(v, name, "1000"); err != nil {
		r.errs = append(r.errs, err)
	}
	switch v := r.get(contract.EnvOnRejected, ""); strings.ToLower(v) {
	case "", contract.OnRejectedFail:
	case contract.OnRejectedSucceed:
		s.RejectedSucceed = true
	default:
		r.errs = append(r.errs, fmt.Errorf("%s must be %q (the default: the message fails into the dead-letter queue, the lines stay recoverable) or %q (acknowledge it; the RejectedRecords alarm fires), got %q",
			contract.EnvOnRejected, contract.OnRejectedFail, contract.OnRejectedSucceed, v))
	}
	v, name = r.from(EnvBatchBytes, "")
	if s.BatchBytes, err = positiveInt(v, name, "1048576"); err != nil {
		r.errs = append(r.errs, err)
	}
	if v := r.get(EnvMaxInFlight, ""); v != "" {
		n, err := strconv.Atoi(v)
		if err == nil {
			err = contract.ValidateMaxInFlight(n)
		} else {
			err = fmt.Errorf("must be a whole number such as 8, got %q", v)
		}
		if err != nil {
			r.errs = append(r.errs, fmt.Errorf("%s %w", EnvMaxInFlight, err))
		}
		s.MaxInFlight = n
	}
}

func positiveInt(v, name, example string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s must be a positive whole number such as %s, got %q", name, example, v)
	}
	return n, nil
}

// ParseHeaders parses the content of the headers secret: a JSON object of
// header name to value, or the OTEL_EXPORTER_OTLP_HEADERS form "k1=v1,k2=v2".
// Errors never include the values.
func ParseHeaders(secret string) (map[string]string, error) {
	return contract.ParseHeaders("headers secret", secret)
}
