package config_test

import (
	"strings"
	"testing"

	"github.com/elb-otel/elb-otel/lambda/internal/config"
)

// TestFromEnv_Edges: each number at its smallest valid value and one below,
// blanks around values, and a blank variable that leaves its alias in charge.
func TestFromEnv_Edges(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		env     map[string]string
		check   func(config.Settings) bool
		wantErr string
	}{
		"batch records 1":       {env: map[string]string{"ELB_OTEL_BATCH_RECORDS": "1"}, check: func(s config.Settings) bool { return s.BatchRecords == 1 }},
		"batch records 0":       {env: map[string]string{"ELB_OTEL_BATCH_RECORDS": "0"}, wantErr: `ELB_OTEL_BATCH_RECORDS must be a positive whole number such as 1000, got "0"`},
		"batch bytes 1":         {env: map[string]string{"ELB_OTEL_BATCH_BYTES": "1"}, check: func(s config.Settings) bool { return s.BatchBytes == 1 }},
		"batch bytes 0":         {env: map[string]string{"ELB_OTEL_BATCH_BYTES": "0"}, wantErr: `ELB_OTEL_BATCH_BYTES must be a positive whole number such as 1048576, got "0"`},
		"batch bytes a word":    {env: map[string]string{"ELB_OTEL_BATCH_BYTES": "lots"}, wantErr: `ELB_OTEL_BATCH_BYTES must be a positive whole number such as 1048576, got "lots"`},
		"blanks around values":  {env: map[string]string{"OTEL_SERVICE_NAME": "  edge ", "ELB_OTEL_BATCH_RECORDS": " 7 "}, check: func(s config.Settings) bool { return s.ServiceName == "edge" && s.BatchRecords == 7 }},
		"blank service name":    {env: map[string]string{"OTEL_SERVICE_NAME": "   "}, check: func(s config.Settings) bool { return s.ServiceName == "elb" }},
		"blank name, alias set": {env: map[string]string{"ELB_OTEL_PREFIX": " ", "S3_PREFIX": "p/"}, check: func(s config.Settings) bool { return s.Prefix == "p/" }},
		"delete false":          {env: map[string]string{"ELB_OTEL_DELETE_OBJECTS": "False"}, check: func(s config.Settings) bool { return !s.DeleteObjects }},
		"delete 1":              {env: map[string]string{"ELB_OTEL_DELETE_OBJECTS": "1"}, check: func(s config.Settings) bool { return s.DeleteObjects }},
		"delete alias false":    {env: map[string]string{"DELETE_PROCESSED_FILES": "false"}, check: func(s config.Settings) bool { return !s.DeleteObjects }},
		"queue url":             {env: map[string]string{"ELB_OTEL_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/1/q"}, check: func(s config.Settings) bool { return s.QueueURL == "https://sqs.eu-west-1.amazonaws.com/1/q" }},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := config.FromEnv(lookup(tc.env))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !tc.check(got) {
				t.Errorf("got %+v, %v", got, err)
			}
		})
	}
}
