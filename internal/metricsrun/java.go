package metricsrun

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/elb-otel/elb-otel/constructs/metricscollector"
	"github.com/elb-otel/elb-otel/internal/ecstask"
)

// JavaWiring plays the deployed cloudwatch_exporter task as far as it runs
// here (the config writer and the collector; the Java exporter is reported
// not runnable) and checks the exporter container's wiring from the task
// definition: its pinned image, the config file the writer wrote into the
// shared volume (identical to the rendered config, a cloudwatch_exporter
// config that pins the load balancer), the command reading it, the
// read-only mount, the start order and the health probe; and that the
// collector scrapes the exporter's port. It returns the problems found and
// what was checked.
func (r *Run) JavaWiring(ctx context.Context) (problems, checked []string, err error) {
	dir := filepath.Join(r.opts.Work, "task-java")
	task, err := ecstask.Start(ctx, r.Def, r.playerOptions(dir), time.Minute)
	if err != nil {
		return nil, nil, err
	}
	defer task.Stop()
	r.logf("task %s:%d played here:", r.Def.Family, r.Def.Revision)
	ecstask.PrintPlan(r.opts.Log, task.Steps)
	fail := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	ok := func(format string, a ...any) { checked = append(checked, fmt.Sprintf(format, a...)) }

	exp, found := r.Def.Container("cloudwatch-exporter")
	writer, _ := r.Def.Container("config-writer")
	collector, _ := r.Def.Container("otel-collector")
	if !found {
		return []string{"the task definition has no cloudwatch-exporter container"}, nil, nil
	}
	for _, s := range task.Steps {
		if s.Container.Name == "cloudwatch-exporter" && s.Program == "" {
			ok("cloudwatch-exporter: not runnable here (%s)", s.NotRunnable)
		}
	}
	if exp.Image != metricscollector.DefaultExporterImage || writer.Image != exp.Image {
		fail("images: exporter %s, writer %s, want %s", exp.Image, writer.Image, metricscollector.DefaultExporterImage)
	} else {
		ok("image %s (pinned tag) for the exporter and the config writer", exp.Image)
	}
	// The writer exits 0 after writing the file: the exporter's SUCCESS dependency.
	time.Sleep(2 * time.Second)
	want, _ := writer.Env("EXPORTER_CONFIG")
	path := filepath.Join(dir, "volumes", "exporter-config", "config.yml")
	got, err := os.ReadFile(path)
	switch {
	case err != nil:
		fail("the config writer wrote no %s: %v", path, err)
	case string(got) != want:
		fail("the written config differs from the task definition's EXPORTER_CONFIG")
	default:
		checkJavaConfig(got, fail, ok)
	}
	checkJavaContainer(exp, fail, ok)
	if cfg, _ := collector.Env("OTEL_CONFIG"); !strings.Contains(cfg, "'127.0.0.1:9106'") {
		fail("the collector does not scrape 127.0.0.1:9106")
	} else {
		ok("the collector scrapes 127.0.0.1:9106, the exporter's port")
	}
	if name, err := task.Exited(); name != "" {
		fail("%v", err)
	} else {
		ok("the collector runs on its config from the task definition")
	}
	return problems, checked, nil
}

func checkJavaConfig(b []byte, fail, ok func(string, ...any)) {
	var cfg struct {
		Period  int `yaml:"period_seconds"`
		Delay   int `yaml:"delay_seconds"`
		Range   int `yaml:"range_seconds"`
		Metrics []struct {
			Select map[string][]string `yaml:"aws_dimension_select"`
		} `yaml:"metrics"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil || len(cfg.Metrics) == 0 {
		fail("the written config is not a cloudwatch_exporter config: %v", err)
		return
	}
	if cfg.Period != 300 || cfg.Range != 240 || cfg.Delay != 600 || cfg.Metrics[0].Select["LoadBalancer"][0] != "app/web/50dc6c495c0c9188" {
		fail("written config: period %d, range %d, delay %d, first select %v", cfg.Period, cfg.Range, cfg.Delay, cfg.Metrics[0].Select)
		return
	}
	ok("the config writer wrote the rendered config (%d rules; period 300, range 240, delay 600; the load balancer pinned) into the shared volume", len(cfg.Metrics))
}

func checkJavaContainer(exp ecstask.Container, fail, ok func(string, ...any)) {
	if strings.Join(exp.Command, " ") != "/elb-otel/config.yml" {
		fail("exporter command %v, want the written file /elb-otel/config.yml", exp.Command)
	}
	if len(exp.MountPoints) != 1 || exp.MountPoints[0].ContainerPath != "/elb-otel" || !exp.MountPoints[0].ReadOnly || exp.MountPoints[0].SourceVolume != "exporter-config" {
		fail("exporter mounts %+v", exp.MountPoints)
	} else {
		ok("the exporter reads /elb-otel/config.yml from the same volume, read-only")
	}
	deps, _ := json.Marshal(exp.DependsOn)
	if string(deps) != `[{"ContainerName":"config-writer","Condition":"SUCCESS"},{"ContainerName":"otel-collector","Condition":"START"}]` {
		fail("exporter dependsOn %s", deps)
	} else {
		ok("the exporter starts after the config writer succeeded and the collector started")
	}
	hc := exp.HealthCheck
	if hc == nil || !strings.Contains(strings.Join(hc.Command, " "), "/dev/tcp/127.0.0.1/9106") || !strings.Contains(strings.Join(hc.Command, " "), "/-/healthy") {
		fail("exporter health check %+v", hc)
	} else {
		ok("the exporter's health check probes /-/healthy on 9106 (never /metrics)")
	}
}
