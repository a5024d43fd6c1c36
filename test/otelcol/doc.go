// Package otelcol tests the collector config that constructs/elbmetrics
// renders against a real OpenTelemetry Collector: one built by the collector
// builder from builder-config.yaml, with exactly the components of the
// metrics task (the contrib image's version, 0.159.0).
//
// `make otelcol` builds the binary once, into
// $HOME/.cache/elb-otel/otelcol-<sha256 of builder-config.yaml>/otelcol-elb
// (the builder's own Go module lives there, out of this repository's go.mod),
// and exports its path as ELB_OTEL_OTELCOL. The tests fail, naming that
// target, when the binary is missing.
//
// The tests run `otelcol-elb validate` on the rendered configs, and run the
// collector for real: it scrapes a loopback server that writes what
// cloudwatch_exporter writes, and delivers OTLP to a loopback receiver that
// decodes the requests with OpenTelemetry's protobuf types.
package otelcol
