// Package elbmetrics is the Elastic Load Balancing CloudWatch metric catalogue
// as typed Go data, and the configs the metrics task runs, rendered from it:
// the exporter's (prometheus/cloudwatch_exporter, or YACE: RenderYACE) and
// the OpenTelemetry Collector's.
//
// The catalogue lists, per load balancer type (Application, Network,
// Classic), every metric with every dimension set CloudWatch publishes it
// under and the statistics AWS calls meaningful for it. CloudWatch only
// returns a metric for the exact dimension set it was published with, and the
// exporter silently drops a rule whose set does not match, so a rule is only
// rendered for a published set: asking for another one is an error at synth
// time, naming the metric, the set asked and the sets that are published.
//
// The package is plain data and rendering: it does not import the CDK.
//
//	cfg := elbmetrics.ExporterConfig{
//		Region:           "eu-west-1",
//		UseGetMetricData: true,
//		Targets: []elbmetrics.Target{{Type: elbmetrics.Application, LoadBalancer: "app/web/50dc6c495c0c9188",
//			TargetGroups: []string{"targetgroup/web/73e2d6bc24d8a067"}}},
//	}
//	exporterYAML, collectorYAML, err := elbmetrics.Render(cfg, elbmetrics.CollectorConfig{
//		Endpoint: "https://otlp.example.com:4318",
//	})
//
// Sources: the project's ELB CloudWatch metrics reference (dimension sets from
// the AWS "supported metrics for resource tags for telemetry" list,
// statistics from the ALB, NLB and CLB user guides). Where the reference
// marks a metric's statistics unconfirmed, the catalogue picks them from the
// metric's kind and its Help says so. Metrics whose dimension sets are
// unconfirmed are left out: NLB UnhealthyRoutingFlowCount, the CLB
// Estimated* metrics, and the ALB TargetControl* metrics (the reference does
// not name them).
//
// Timing: see ExporterConfig.RangeSeconds for why the window is one minute
// shorter than the period.
package elbmetrics
