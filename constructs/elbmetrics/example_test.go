package elbmetrics_test

import (
	"fmt"
	"strings"

	"github.com/elb-otel/elb-otel/constructs/elbmetrics"
)

func ExampleRender() {
	exporterYAML, collectorYAML, err := elbmetrics.Render(
		elbmetrics.ExporterConfig{
			Region:           "eu-west-1",
			UseGetMetricData: true,
			Targets: []elbmetrics.Target{{
				Type:         elbmetrics.Application,
				LoadBalancer: "app/web/50dc6c495c0c9188",
				TargetGroups: []string{"targetgroup/web/73e2d6bc24d8a067"},
			}},
			Selection: elbmetrics.Selection{Preset: elbmetrics.PresetGoldenSignals, Levels: []elbmetrics.Level{elbmetrics.LevelTargetGroup}},
		},
		elbmetrics.CollectorConfig{
			Endpoint:  "https://otlp.example.com:4318",
			HeaderEnv: map[string]string{"X-Api-Key": "OTLP_API_KEY"},
		},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(exporterYAML))
	fmt.Println(strings.Contains(string(collectorYAML), "X-Api-Key: ${env:OTLP_API_KEY}"))
	// Output:
	// delay_seconds: 600
	// metrics:
	//   - aws_dimension_select:
	//       LoadBalancer: [app/web/50dc6c495c0c9188]
	//       TargetGroup: [targetgroup/web/73e2d6bc24d8a067]
	//     aws_dimensions: [LoadBalancer, TargetGroup]
	//     aws_metric_name: HTTPCode_Target_5XX_Count
	//     aws_namespace: AWS/ApplicationELB
	//     aws_statistics: [Sum]
	//   - aws_dimension_select:
	//       LoadBalancer: [app/web/50dc6c495c0c9188]
	//       TargetGroup: [targetgroup/web/73e2d6bc24d8a067]
	//     aws_dimensions: [LoadBalancer, TargetGroup]
	//     aws_metric_name: HealthyHostCount
	//     aws_namespace: AWS/ApplicationELB
	//     aws_statistics: [Minimum]
	//   - aws_dimension_select:
	//       LoadBalancer: [app/web/50dc6c495c0c9188]
	//       TargetGroup: [targetgroup/web/73e2d6bc24d8a067]
	//     aws_dimensions: [LoadBalancer, TargetGroup]
	//     aws_metric_name: RequestCount
	//     aws_namespace: AWS/ApplicationELB
	//     aws_statistics: [Sum]
	//   - aws_dimension_select:
	//       LoadBalancer: [app/web/50dc6c495c0c9188]
	//       TargetGroup: [targetgroup/web/73e2d6bc24d8a067]
	//     aws_dimensions: [LoadBalancer, TargetGroup]
	//     aws_extended_statistics: [p50, p90, p99]
	//     aws_metric_name: TargetResponseTime
	//     aws_namespace: AWS/ApplicationELB
	//   - aws_dimension_select:
	//       LoadBalancer: [app/web/50dc6c495c0c9188]
	//       TargetGroup: [targetgroup/web/73e2d6bc24d8a067]
	//     aws_dimensions: [LoadBalancer, TargetGroup]
	//     aws_metric_name: UnHealthyHostCount
	//     aws_namespace: AWS/ApplicationELB
	//     aws_statistics: [Minimum]
	// period_seconds: 300
	// range_seconds: 240
	// region: eu-west-1
	// set_timestamp: true
	// use_get_metric_data: true
	// warn_on_empty_list_dimensions: true
	// true
}

func ExampleExporterConfig_Rules() {
	// The original guide asks ConsumedLCUs per target group and zone, and
	// averages it; CloudWatch publishes it per load balancer only.
	_, err := elbmetrics.ExporterConfig{
		Region: "us-east-1",
		Types:  []elbmetrics.LoadBalancerType{elbmetrics.Application},
		Selection: elbmetrics.Selection{Add: []elbmetrics.MetricRequest{{
			Type: elbmetrics.Application, Name: "ConsumedLCUs",
			Dimensions: elbmetrics.DimensionSet{"TargetGroup", "AvailabilityZone", "LoadBalancer"},
		}}},
	}.Rules()
	fmt.Println(err)
	// Output:
	// elbmetrics: Selection.Add[0]: CloudWatch does not publish AWS/ApplicationELB ConsumedLCUs under {AvailabilityZone, LoadBalancer, TargetGroup} (a rule for it stays empty forever); it is published under {LoadBalancer}: set Dimensions to one of those
}
