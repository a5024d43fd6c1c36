package otelcol_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/elb-otel/elb-otel/constructs/elbmetrics"
)

// yaceBinary returns the YACE `make yace` builds ($ELB_OTEL_YACE, or the
// cache path of elbmetrics.YACEVersion), failing the test when it is missing.
func yaceBinary(t *testing.T) string {
	t.Helper()
	path := os.Getenv("ELB_OTEL_YACE")
	if path == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			t.Fatal(err)
		}
		path = filepath.Join(home, ".cache", "elb-otel", "yace-"+elbmetrics.YACEVersion, "yace")
	}
	if !strings.Contains(path, "yace-"+elbmetrics.YACEVersion) {
		t.Fatalf("%s is not YACE %s, the version the construct pins its image to", path, elbmetrics.YACEVersion)
	}
	if fi, err := os.Stat(path); err != nil || fi.IsDir() {
		t.Fatalf("YACE %s is missing: run `make yace` (it builds it once, about 4 minutes cold)", path)
	}
	return path
}

// verifyYACE runs `yace verify-config` on config.
func verifyYACE(t *testing.T, bin string, config []byte) (string, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yml")
	if err := os.WriteFile(path, config, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "verify-config", "--config.file="+path).CombinedOutput()
	return string(out), err
}

// YACE's own verify-config accepts the YACE config of every preset, with
// targets and with discovery at every level, without a warning (a warning
// means YACE ignores part of it, as it does a metric-level delay); the
// collector config rendered for YACE validates too.
func TestYACE_AcceptsTheRenderedConfigs(t *testing.T) {
	bin, otelcol := yaceBinary(t), collectorBinary(t)
	target := elbmetrics.Target{Type: elbmetrics.Application, LoadBalancer: "app/web/50dc6c495c0c9188", TargetGroups: []string{"targetgroup/web/73e2d6bc24d8a067"}}
	for _, p := range elbmetrics.Presets() {
		for name, ec := range map[string]elbmetrics.ExporterConfig{
			"targets":   {Targets: []elbmetrics.Target{target}},
			"discovery": {Selection: elbmetrics.Selection{Levels: []elbmetrics.Level{elbmetrics.LevelLoadBalancer, elbmetrics.LevelTargetGroup, elbmetrics.LevelAvailabilityZone}}},
		} {
			t.Run(string(p)+"/"+name, func(t *testing.T) {
				t.Parallel()
				ec.Exporter, ec.Region, ec.Selection.Preset = elbmetrics.YACE, "eu-west-1", p
				exporter, collector, err := elbmetrics.Render(ec, elbmetrics.CollectorConfig{Exporter: elbmetrics.YACE,
					Endpoint: "https://otlp.example.com:4318", KeepLoadBalancers: []string{target.LoadBalancer}})
				if err != nil {
					t.Fatal(err)
				}
				out, err := verifyYACE(t, bin, exporter)
				if err != nil || strings.Contains(out, `"level":"WARN"`) || !strings.Contains(out, "Config file is valid") {
					t.Errorf("yace verify-config: %v\n%s", err, out)
				}
				if out, err := validate(t, otelcol, collector); err != nil {
					t.Errorf("the collector rejected its YACE config: %v\n%s", err, out)
				}
			})
		}
	}
}

// verify-config is not a rubber stamp: a broken YACE config fails.
func TestYACE_RejectsBrokenConfigs(t *testing.T) {
	bin := yaceBinary(t)
	good, err := elbmetrics.RenderYACE(elbmetrics.ExporterConfig{Region: "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct{ old, new string }{
		"no namespace": {"namespace: AWS/ApplicationELB", "namespace: ''"},
		"no region":    {"regions: [eu-west-1]", "regions: []"},
		"bad period":   {"period: 300", "period: -300"},
		"api version":  {"apiVersion: v1alpha1", "apiVersion: v2"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(string(good), tc.old) {
				t.Fatalf("rendered config lacks %q", tc.old)
			}
			out, err := verifyYACE(t, bin, []byte(strings.Replace(string(good), tc.old, tc.new, 1)))
			if err == nil {
				t.Errorf("verify-config accepted it:\n%s", out)
			}
		})
	}
}
