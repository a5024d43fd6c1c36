// Package metricscollector provides the MetricsCollector construct: one
// Fargate task that reads the CloudWatch metrics of Application, Network and
// Classic Load Balancers and exports them over OTLP.
//
// The task runs three containers: a short-lived config writer (it writes the
// exporter's config, rendered at synth time from the typed catalogue in
// package elbmetrics, into a task volume), the exporter (the prometheus
// cloudwatch_exporter by default, or YACE with Exporter: elbmetrics.YACE) and
// the OpenTelemetry Collector, whose config comes from an environment
// variable. No image is built, at synth or at deploy. The catalogue only
// renders dimension sets CloudWatch publishes, so no configured metric stays
// empty forever, and the exporter's period equals the scrape interval, so no
// datapoint is skipped.
//
//	metricscollector.NewMetricsCollector(stack, jsii.String("ElbMetrics"), &metricscollector.MetricsCollectorProps{
//		OtlpEndpoint: jsii.String("https://otlp.example.com:4318"),
//		LoadBalancers: &[]*metricscollector.LoadBalancer{{
//			Type: elbmetrics.Application, Name: alb.LoadBalancerFullName(),
//			TargetGroups: &[]*string{tg.TargetGroupFullName()},
//		}},
//	})
package metricscollector
