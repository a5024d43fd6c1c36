package contract_test

import (
	"strings"
	"testing"

	"github.com/elb-otel/elb-otel/internal/contract"
)

func TestSendingValidators(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		err  error
		want string // "" for none
	}{
		"gzip":          {err: contract.ValidateCompression("gzip")},
		"zstd":          {err: contract.ValidateCompression("zstd")},
		"none":          {err: contract.ValidateCompression("none")},
		"brotli":        {err: contract.ValidateCompression("br"), want: `must be "gzip", "zstd" (receivers that accept it, as the OpenTelemetry Collector does) or "none", got "br"`},
		"upper case":    {err: contract.ValidateCompression("GZIP"), want: `got "GZIP"`},
		"in flight 1":   {err: contract.ValidateMaxInFlight(1)},
		"in flight 64":  {err: contract.ValidateMaxInFlight(64)},
		"in flight 0":   {err: contract.ValidateMaxInFlight(0), want: "must be between 1 and 64, got 0"},
		"in flight 65":  {err: contract.ValidateMaxInFlight(65), want: "must be between 1 and 64, got 65"},
		"gzip level 1":  {err: contract.ValidateGzipLevel(1)},
		"gzip level 9":  {err: contract.ValidateGzipLevel(9)},
		"gzip level 0":  {err: contract.ValidateGzipLevel(0), want: "must be between 1 (fastest) and 9 (smallest), got 0"},
		"gzip level 10": {err: contract.ValidateGzipLevel(10), want: "must be between 1 (fastest) and 9 (smallest), got 10"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := ""
			if tc.err != nil {
				got = tc.err.Error()
			}
			if tc.want == "" && got != "" || tc.want != "" && (got == "" || !strings.Contains(got, tc.want)) {
				t.Errorf("error %q, want %q", got, tc.want)
			}
		})
	}
}
