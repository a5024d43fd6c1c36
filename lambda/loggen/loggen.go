// Package loggen makes the realistic ELB log generator of
// lambda/internal/loggen available to the end-to-end test (test/e2e) and the
// demo (test/demo), which Go's internal-package rule keeps from importing it
// directly. Everything here is an alias: see lambda/internal/loggen.
package loggen

import (
	"time"

	"github.com/elb-otel/elb-otel/lambda/internal/loggen"
)

// Kind is a log format to generate.
type Kind = loggen.Kind

// Generator produces lines of one kind.
type Generator = loggen.Generator

// Kinds of log.
const (
	ALB           = loggen.ALB
	ALBConnection = loggen.ALBConnection
	NLB           = loggen.NLB
	CLB           = loggen.CLB
)

// New returns a generator of kind whose entries start at start.
func New(kind Kind, seed uint64, start time.Time) *Generator { return loggen.New(kind, seed, start) }
