package logshipper

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/elb-otel/elb-otel/internal/contract"
)

func (s *logShipper) shipperMetric(name, statistic string) awscloudwatch.IMetric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace:  jsii.String(contract.MetricNamespace),
		MetricName: jsii.String(name),
		Statistic:  jsii.String(statistic),
		Period:     awscdk.Duration_Minutes(jsii.Number(5)),
	})
}

func (s *logShipper) dashboardFor(p *LogShipperProps) {
	period := &awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5))}
	graph := func(title string, metrics ...awscloudwatch.IMetric) awscloudwatch.IWidget {
		return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String(title), Left: &metrics, Width: jsii.Number(8), Height: jsii.Number(6),
		})
	}
	d := awscloudwatch.NewDashboard(s.Construct, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DashboardName: p.DashboardName,
	})
	d.AddWidgets(
		graph("Log objects", s.shipperMetric(contract.MetricObjects, "Sum"), s.shipperMetric(contract.MetricFailedObjects, "Sum")),
		graph("Lines and records", s.shipperMetric(contract.MetricLines, "Sum"), s.shipperMetric(contract.MetricRecords, "Sum")),
		graph("Parse errors, retries, rejected", s.shipperMetric(contract.MetricParseErrors, "Sum"), s.shipperMetric(contract.MetricRetries, "Sum"), s.shipperMetric(contract.MetricRejectedRecords, "Sum")),
	)
	d.AddWidgets(
		graph("Bytes read and sent", s.shipperMetric(contract.MetricBytesRead, "Sum"), s.shipperMetric(contract.MetricBytesSent, "Sum")),
		graph("Lag from log entry to export (s)", s.shipperMetric(contract.MetricLagSeconds, "Maximum")),
		graph("Work queue and dead-letter queue",
			s.queue.MetricApproximateNumberOfMessagesVisible(period),
			s.queue.MetricApproximateAgeOfOldestMessage(period),
			s.dlq.MetricApproximateNumberOfMessagesVisible(period)),
	)
	d.AddWidgets(
		graph("Function errors and throttles", s.function.MetricErrors(period), s.function.MetricThrottles(period)),
		graph("Function duration", s.function.MetricDuration(&awscloudwatch.MetricOptions{Period: period.Period, Statistic: jsii.String("p99")})),
		graph("Invocations", s.function.MetricInvocations(period)),
	)
	if s.metricsPrefix != "" {
		stream := func(name, label string) awscloudwatch.IMetric {
			return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
				Namespace: jsii.String(contract.MetricNamespace), MetricName: jsii.String(name), Statistic: jsii.String("Sum"),
				Period:        awscdk.Duration_Minutes(jsii.Number(5)),
				DimensionsMap: &map[string]*string{contract.DimensionFormat: jsii.String(contract.FormatMetricStream)},
				Label:         jsii.String(label),
			})
		}
		d.AddWidgets(
			graph("Metric-stream objects", stream(contract.MetricObjects, "objects"), stream(contract.MetricFailedObjects, "failed objects")),
			graph("Metric updates and data points exported", stream(contract.MetricLines, "metric updates"), stream(contract.MetricRecords, "data points exported")),
			graph("Metric data points rejected, retries", stream(contract.MetricRejectedRecords, "rejected"), stream(contract.MetricRetries, "retries")),
		)
	}
	s.dashboard = d
}
