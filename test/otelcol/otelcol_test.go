package otelcol_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/elb-otel/elb-otel/constructs/elbmetrics"
	"github.com/elb-otel/elb-otel/internal/childproc"
)

// binaryEnv is the variable `make` exports with the collector's path.
const binaryEnv = "ELB_OTEL_OTELCOL"

// collectorBinary returns the collector the Makefile builds: $ELB_OTEL_OTELCOL,
// or the same cache path computed from builder-config.yaml. It fails the test
// when the binary is missing.
func collectorBinary(t *testing.T) string {
	t.Helper()
	path := os.Getenv(binaryEnv)
	if path == "" {
		manifest, err := os.ReadFile("builder-config.yaml")
		if err != nil {
			t.Fatal(err)
		}
		home, err := os.UserHomeDir()
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(manifest)
		path = filepath.Join(home, ".cache", "elb-otel", "otelcol-"+hex.EncodeToString(sum[:]), "otelcol-elb")
	}
	if fi, err := os.Stat(path); err != nil || fi.IsDir() {
		t.Fatalf("the test collector %s is missing: run `make otelcol` first (it builds it once from test/otelcol/builder-config.yaml, about 8-12 minutes cold), or set %s to its path", path, binaryEnv)
	}
	return path
}

// collectorEnv is the environment of a collector process: the test's, without
// OTEL_* and ECS_* variables that would leak into the resource, plus extra.
func collectorEnv(extra map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "OTEL_") || strings.HasPrefix(kv, "ECS_") {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	return env
}

// validate runs `otelcol-elb validate --config=env:OTEL_CONFIG` on config.
func validate(t *testing.T, bin string, config []byte) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "validate", "--config=env:OTEL_CONFIG")
	cmd.Env = collectorEnv(map[string]string{"OTEL_CONFIG": string(config)})
	out, err := cmd.CombinedOutput()
	return string(out), err
}

var exporterConfigs = map[elbmetrics.Preset]elbmetrics.ExporterConfig{}

func init() {
	for _, p := range elbmetrics.Presets() {
		exporterConfigs[p] = elbmetrics.ExporterConfig{Region: "eu-west-1", UseGetMetricData: true,
			Selection: elbmetrics.Selection{Preset: p}}
	}
}

// The collector config rendered next to each preset's exporter config, for
// each exporter protocol, is one the real collector accepts.
func TestValidate_AcceptsTheRenderedConfigs(t *testing.T) {
	bin := collectorBinary(t)
	collectors := map[string]elbmetrics.CollectorConfig{
		"http": {Endpoint: "https://otlp.example.com:4318", HeaderEnv: map[string]string{"X-Api-Key": "OTLP_API_KEY"}},
		"grpc": {Endpoint: "otlp.example.com:4317", Protocol: elbmetrics.ProtocolGRPC, Compression: "zstd",
			HeaderEnv: map[string]string{"authorization": "OTLP_AUTH"}},
		"grpc_insecure_debug": {Endpoint: "collector.internal:4317", Protocol: elbmetrics.ProtocolGRPC, Insecure: true, Debug: true,
			ResourceAttributes: map[string]string{"deployment.environment.name": "prod"}},
		"http_insecure": {Endpoint: "http://collector.internal:4318", Insecure: true, Compression: "none"},
	}
	for _, p := range elbmetrics.Presets() {
		for name, cc := range collectors {
			t.Run(string(p)+"/"+name, func(t *testing.T) {
				t.Parallel()
				_, config, err := elbmetrics.Render(exporterConfigs[p], cc)
				if err != nil {
					t.Fatal(err)
				}
				if out, err := validate(t, bin, config); err != nil {
					t.Errorf("validate rejected the rendered config: %v\n%s\nconfig:\n%s", err, out, config)
				}
			})
		}
	}
}

// validate is not a rubber stamp: broken variants of a rendered config fail.
func TestValidate_RejectsBrokenConfigs(t *testing.T) {
	bin := collectorBinary(t)
	good, err := elbmetrics.RenderCollector(elbmetrics.CollectorConfig{Endpoint: "https://otlp.example.com:4318"})
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		old, new, want string
	}{
		"unknown exporter":   {"  otlp_http:\n", "  otlp_htttp:\n", `unknown type: "otlp_htttp"`},
		"undefined in pipe":  {"exporters: [otlp_http]", "exporters: [otlp_http, debug]", `references exporter "debug" which is not configured`},
		"bad scrape timeout": {"scrape_timeout: 120s", "scrape_timeout: 120", `not a valid duration string: "120"`},
		"timeout > interval": {"scrape_timeout: 120s", "scrape_timeout: 600s", "scrape timeout greater than scrape interval"},
		"bad relabel regex":  {"regex: aws_(applicationelb|networkelb|elb)_.+\n", "regex: aws_(applicationelb\n", "regex"},
		"no pipeline":        {"metrics/elb:", "logs/elb:", `failed to create "prometheus" receiver for data type "logs"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if !bytes.Contains(good, []byte(tc.old)) {
				t.Fatalf("rendered config lacks %q", tc.old)
			}
			broken := bytes.Replace(good, []byte(tc.old), []byte(tc.new), 1)
			out, err := validate(t, bin, broken)
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("validate accepted the broken config (err %v):\n%s", err, broken)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("validate output lacks %q:\n%s", tc.want, out)
			}
			t.Logf("rejected: %s", strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:]))
		})
	}
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// collectorProcess is a running collector, stopped at the end of the test.
type collectorProcess struct {
	cmd  *exec.Cmd
	out  *childproc.SyncBuffer
	done chan struct{}
	err  error
}

// startCollector runs the collector on config. Its own telemetry is switched
// off (a yaml: override), so parallel runs do not fight over port 8888.
func startCollector(t *testing.T, bin string, config []byte, env map[string]string) *collectorProcess {
	t.Helper()
	extra := map[string]string{"OTEL_CONFIG": string(config)}
	for k, v := range env {
		extra[k] = v
	}
	p := &collectorProcess{out: &childproc.SyncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, "--config=env:OTEL_CONFIG", "--config=yaml:service::telemetry::metrics::level: none")
	p.cmd.Env = collectorEnv(extra)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("collector output:\n%s", p.out.String())
		}
	})
	return p
}

// stop sends SIGTERM and waits up to timeout for a clean exit.
func (p *collectorProcess) stop(timeout time.Duration) error {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		return fmt.Errorf("the collector did not exit within %s of SIGTERM", timeout)
	}
}
