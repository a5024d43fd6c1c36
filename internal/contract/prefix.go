package contract

import (
	"errors"
	"fmt"
	"strings"
)

// ValidateKeyPrefix checks the S3 key prefix set on a load balancer's access
// logs: the part before "AWSLogs/", which ELB adds itself. Empty is valid.
func ValidateKeyPrefix(prefix string) error {
	switch {
	case strings.HasPrefix(prefix, "/") || strings.HasSuffix(prefix, "/"):
		return fmt.Errorf("must not start or end with \"/\", got %q (use the prefix exactly as set on the load balancer)", prefix)
	case strings.Contains(prefix, "AWSLogs"):
		return fmt.Errorf("must not contain \"AWSLogs\" (ELB adds AWSLogs/ itself), got %q", prefix)
	}
	return nil
}

// LogKeyPrefix is the key prefix the shipper reads for a load balancer key
// prefix: "<prefix>/AWSLogs/", or "AWSLogs/" for none.
func LogKeyPrefix(prefix string) string {
	if prefix == "" {
		return "AWSLogs/"
	}
	return prefix + "/AWSLogs/"
}

// ErrNotSecretARN is wrapped by ValidateSecretARN's error.
var ErrNotSecretARN = errors.New("must be a Secrets Manager secret ARN")

// ValidateSecretARN checks that arn names a Secrets Manager secret.
func ValidateSecretARN(arn string) error {
	if !strings.HasPrefix(arn, "arn:") {
		return fmt.Errorf("%w (arn:aws:secretsmanager:...), got %q", ErrNotSecretARN, arn)
	}
	return nil
}
