package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/elb-otel/elb-otel/constructs/elbmetrics"
	"github.com/elb-otel/elb-otel/internal/ecstask"
	"github.com/elb-otel/elb-otel/internal/metricsrun"
)

func main() {
	ctx := context.Background()
	work, _ := os.MkdirTemp("", "scratch")
	r, err := metricsrun.Start(ctx, metricsrun.Options{Root: "/work/wt/issue-12", Work: work, Log: os.Stdout, Otelcol: "/bin/true", YACE: "/bin/true"})
	if err != nil {
		panic(err)
	}
	defer r.Close()
	t0 := time.Now()
	if err := r.Deploy(ctx, elbmetrics.YACE, time.Minute); err != nil {
		panic(err)
	}
	fmt.Println("deploy", time.Since(t0))
	for _, c := range r.Def.ContainerDefinitions {
		fmt.Printf("%s %s ep=%v cmd=%.200v secrets=%v mounts=%v deps=%v hc=%v mem=%d\n", c.Name, c.Image, c.EntryPoint, c.Command, c.Secrets, c.MountPoints, c.DependsOn, c.HealthCheck, c.Memory)
	}
	steps, err := ecstask.Plan(r.Def, ecstask.Options{Images: map[string]string{"quay.io/prometheuscommunity/yet-another-cloudwatch-exporter:v0.62.1": "/bin/true", "otel/opentelemetry-collector-contrib:0.159.0": "/bin/true"}, Dir: work})
	fmt.Println(err)
	ecstask.PrintPlan(os.Stdout, steps)
}
