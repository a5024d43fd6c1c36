// Package config reads the shipper's settings from the environment once, at
// start-up, and fails fast with a message naming the variable at fault. The
// OTLP exporter's own variables are read by otlpexport.ConfigFromEnv.
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Environment variable names. The second name of a pair is the alias from
// the hand-run guide this project replaces, kept for people migrating.
const (
	EnvServiceName        = "OTEL_SERVICE_NAME"
	EnvResourceAttributes = "OTEL_RESOURCE_ATTRIBUTES"
	EnvHeadersSecretARN   = "ELB_OTEL_HEADERS_SECRET_ARN"
	EnvQueueURL           = "ELB_OTEL_QUEUE_URL"
	EnvDeleteObjects      = "ELB_OTEL_DELETE_OBJECTS"
	AliasDeleteObjects    = "DELETE_PROCESSED_FILES"
	EnvBucket             = "ELB_OTEL_BUCKET"
	AliasBucket           = "S3_BUCKET_NAME"
	EnvPrefix             = "ELB_OTEL_PREFIX"
	AliasPrefix           = "S3_PREFIX"
	EnvBatchRecords       = "ELB_OTEL_BATCH_RECORDS"
	AliasBatchRecords     = "BATCH_SIZE"
	EnvBatchBytes         = "ELB_OTEL_BATCH_BYTES"
)

// Settings are the shipper's settings other than the exporter's.
type Settings struct {
	ServiceName        string            // default "elb"
	ResourceAttributes map[string]string // from OTEL_RESOURCE_ATTRIBUTES
	HeadersSecretARN   string            // Secrets Manager secret holding OTLP headers
	QueueURL           string            // work queue, for continuations and backfill fan-out
	DeleteObjects      bool
	Bucket             string // default bucket for a backfill
	Prefix             string // keys outside it are skipped
	BatchRecords       int    // 0: the pipeline's default
	BatchBytes         int    // 0: the pipeline's default
}

// FromEnv reads Settings with lookup (os.LookupEnv in production).
func FromEnv(lookup func(string) (string, bool)) (Settings, error) {
	var errs []error
	get := func(name, alias string) string {
		if v, ok := lookup(name); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
		if alias != "" {
			if v, ok := lookup(alias); ok {
				return strings.TrimSpace(v)
			}
		}
		return ""
	}
	s := Settings{ServiceName: "elb"}
	if v := get(EnvServiceName, ""); v != "" {
		s.ServiceName = v
	}
	if v := get(EnvResourceAttributes, ""); v != "" {
		attrs, err := ParseResourceAttributes(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w (example: deployment.environment=prod,team=edge)", EnvResourceAttributes, err))
		}
		s.ResourceAttributes = attrs
	}
	s.HeadersSecretARN = get(EnvHeadersSecretARN, "")
	if s.HeadersSecretARN != "" && !strings.HasPrefix(s.HeadersSecretARN, "arn:") {
		errs = append(errs, fmt.Errorf("%s must be a secret ARN (arn:aws:secretsmanager:...), got %q", EnvHeadersSecretARN, s.HeadersSecretARN))
	}
	s.QueueURL = get(EnvQueueURL, "")
	s.Bucket = get(EnvBucket, AliasBucket)
	s.Prefix = get(EnvPrefix, AliasPrefix)
	if v := get(EnvDeleteObjects, AliasDeleteObjects); v != "" {
		b, err := strconv.ParseBool(strings.ToLower(v))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s must be true or false, got %q", EnvDeleteObjects, v))
		}
		s.DeleteObjects = b
	}
	var err error
	if s.BatchRecords, err = positiveInt(get(EnvBatchRecords, AliasBatchRecords), EnvBatchRecords, "1000"); err != nil {
		errs = append(errs, err)
	}
	if s.BatchBytes, err = positiveInt(get(EnvBatchBytes, ""), EnvBatchBytes, "1048576"); err != nil {
		errs = append(errs, err)
	}
	return s, errors.Join(errs...)
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

// ParseResourceAttributes parses the OTEL_RESOURCE_ATTRIBUTES form
// "k1=v1,k2=v2" (values percent-decoded).
func ParseResourceAttributes(v string) (map[string]string, error) {
	attrs := map[string]string{}
	for _, pair := range strings.Split(v, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		k, val, ok := strings.Cut(pair, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not key=value", pair)
		}
		dec, err := url.PathUnescape(strings.TrimSpace(val))
		if err != nil {
			return nil, fmt.Errorf("value of %q: %v", k, err)
		}
		if !utf8.ValidString(k) || !utf8.ValidString(dec) {
			// It would go into every request, and a receiver rejects a
			// request whose strings are not UTF-8.
			return nil, fmt.Errorf("%q decodes to bytes that are not UTF-8", pair)
		}
		attrs[k] = dec
	}
	return attrs, nil
}

// ParseHeaders parses the content of the headers secret: a JSON object of
// header name to value, or the OTEL_EXPORTER_OTLP_HEADERS form "k1=v1,k2=v2".
// Errors never include the values.
func ParseHeaders(secret string) (map[string]string, error) {
	secret = strings.TrimSpace(secret)
	if strings.HasPrefix(secret, "{") {
		var h map[string]string
		if err := json.Unmarshal([]byte(secret), &h); err != nil {
			return nil, errors.New("headers secret looks like JSON but is not an object of string values, e.g. {\"api-key\":\"...\"}")
		}
		return h, nil
	}
	h := map[string]string{}
	for _, pair := range strings.Split(secret, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, errors.New("headers secret must be a JSON object or name=value pairs separated by commas")
		}
		dec, err := url.PathUnescape(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("headers secret: value of %q is not percent-encoded correctly", strings.TrimSpace(k))
		}
		h[strings.TrimSpace(k)] = dec
	}
	return h, nil
}
