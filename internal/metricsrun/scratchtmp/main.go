package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/elb-otel/elb-otel/constructs/elbmetrics"
	"github.com/elb-otel/elb-otel/internal/localaws"
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
	cfg, err := elbmetrics.RenderYACE(elbmetrics.ExporterConfig{Region: "us-east-1", PeriodSeconds: 60, Targets: []elbmetrics.Target{{Type: elbmetrics.Application, LoadBalancer: "app/web/50dc6c495c0c9188", TargetGroups: []string{"targetgroup/web/73e2d6bc24d8a067"}}}, Selection: elbmetrics.Selection{Drop: []string{"TargetResponseTime"}}})
	if err != nil {
		panic(err)
	}
	path := filepath.Join(work, "c.yml")
	os.WriteFile(path, cfg, 0o644)
	args := elbmetrics.YACEArgs(path, 60)
	args = append(args, os.Args[1:]...)
	cmd := exec.Command(os.Getenv("HOME")+"/.cache/elb-otel/yace-v0.62.1/yace", args...)
	env := localaws.MergeEnv([]string{"PATH=" + os.Getenv("PATH")}, r.Moto.EnvVars())
	env = localaws.MergeEnv(env, map[string]string{"AWS_ENDPOINT_URL": r.RecorderURL()})
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stdout
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	defer cmd.Process.Kill()
	time.Sleep(12 * time.Second)
	resp, err := http.Get("http://127.0.0.1:5000/metrics")
	if err != nil {
		panic(err)
	}
	b, _ := io.ReadAll(resp.Body)
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "aws_") || strings.HasPrefix(l, "yace_cloudwatch_requests") {
			fmt.Println(l)
		}
	}
	fmt.Println(r.Recorder.Calls(), r.Recorder.Rounds())
	o := r.Moto.Output()
	if i := strings.Index(o, "Traceback"); i >= 0 {
		j := strings.Index(o[i:], "\n127.0.0.1"); if j < 0 { j = len(o) - i }; fmt.Println(o[i+j-1500 : i+j])
	}
}
