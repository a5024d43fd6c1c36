package loggen_test

import (
	"testing"
	"time"

	"github.com/elb-otel/elb-otel/lambda/internal/elblog"
	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
)

// TestGeneratedLinesParse checks that every generated line is detected as its
// format and parses without error, so tests built on the generator measure
// the happy path they think they measure.
func TestGeneratedLinesParse(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		kind   loggen.Kind
		format elblog.Format
		parse  func(string) error
	}{
		"alb":  {loggen.ALB, elblog.FormatALBAccess, func(l string) error { var r elblog.ALBAccess; return elblog.ParseALBAccess(l, &r) }},
		"conn": {loggen.ALBConnection, elblog.FormatALBConnection, func(l string) error { var r elblog.ALBConnection; return elblog.ParseALBConnection(l, &r) }},
		"nlb":  {loggen.NLB, elblog.FormatNLBAccess, func(l string) error { var r elblog.NLBAccess; return elblog.ParseNLBAccess(l, &r) }},
		"clb":  {loggen.CLB, elblog.FormatCLBAccess, func(l string) error { var r elblog.CLBAccess; return elblog.ParseCLBAccess(l, &r) }},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			g := loggen.New(tc.kind, 7, start)
			for i := 0; i < 2000; i++ {
				line := g.Line()
				if got := elblog.Detect(line); got != tc.format {
					t.Fatalf("line %d detected as %v, want %v: %s", i+1, got, tc.format, line)
				}
				if err := tc.parse(line); err != nil {
					t.Fatalf("line %d: %v: %s", i+1, err, line)
				}
			}
		})
	}
}

func TestGeneratorIsDeterministic(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	a, b := loggen.New(loggen.ALB, 1, start), loggen.New(loggen.ALB, 1, start)
	for i := 0; i < 100; i++ {
		if x, y := a.Line(), b.Line(); x != y {
			t.Fatalf("line %d differs:\n%s\n%s", i, x, y)
		}
	}
}
