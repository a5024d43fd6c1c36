package otlptest_test

import (
	"strings"
	"testing"

	"github.com/elb-otel/elb-otel/internal/otlptest"
)

func TestCheckExactlyOnce(t *testing.T) {
	t.Parallel()
	rec := func(body, uid, key string) otlptest.Record {
		return otlptest.Record{Body: body, Attributes: map[string]any{"log.record.uid": uid}, Resource: map[string]any{"aws.s3.key": key}}
	}
	want := otlptest.Expected{Name: "k", Lines: []string{"a", "b"}, Resource: map[string]any{"aws.s3.key": "k"}}
	tests := map[string]struct {
		recs []otlptest.Record
		want []string // substrings of the problems, in order
	}{
		"all well":       {recs: []otlptest.Record{rec("a", "1", "k"), rec("b", "2", "k")}},
		"missing":        {recs: []otlptest.Record{rec("a", "1", "k")}, want: []string{"arrived 0 times", "received 1 records, want 2"}},
		"twice":          {recs: []otlptest.Record{rec("a", "1", "k"), rec("b", "2", "k"), rec("b", "3", "k")}, want: []string{"arrived 2 times", "received 3 records"}},
		"unexpected":     {recs: []otlptest.Record{rec("a", "1", "k"), rec("b", "2", "k"), rec("c", "3", "k")}, want: []string{"unexpected record: c", "received 3"}},
		"wrong resource": {recs: []otlptest.Record{rec("a", "1", "k"), rec("b", "2", "x")}, want: []string{"resource aws.s3.key = x, want k"}},
		"shared uid":     {recs: []otlptest.Record{rec("a", "1", "k"), rec("b", "1", "k")}, want: []string{"1 distinct log.record.uid values in 2 records"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := otlptest.CheckExactlyOnce(tc.recs, want)
			if len(got) != len(tc.want) {
				t.Fatalf("problems = %q, want %d matching %q", got, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}
