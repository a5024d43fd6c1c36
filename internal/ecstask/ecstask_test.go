package ecstask

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/elb-otel/elb-otel/internal/mototest"
)

func TestMain(m *testing.M) { mototest.Main(m) }

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

// task is a config writer (sh -c, like the metrics task's), a server that
// depends on its SUCCESS and on the sidecar's START, and the sidecar.
func task(secretArn string) *TaskDefinition {
	return &TaskDefinition{
		Family: "t", Revision: 1,
		Volumes: []struct{ Name string }{{Name: "cfg"}},
		ContainerDefinitions: []Container{
			{Name: "server", Image: "example/server:1.0", Essential: yes(),
				Command:     []string{"-c", `cp /etc/app/config.yml /etc/app/copy.yml && printf '%s' "$API_KEY" > /etc/app/key && exec sleep 60`},
				MountPoints: []MountPoint{{SourceVolume: "cfg", ContainerPath: "/etc/app", ReadOnly: true}},
				DependsOn:   []Dependency{{"writer", "SUCCESS"}, {"sidecar", "START"}},
				Secrets:     []Secret{{Name: "API_KEY", ValueFrom: secretArn + ":api-key::"}},
				HealthCheck: &HealthCheck{Command: []string{"CMD-SHELL", "test -n \"$HOME\""}, Interval: 1, Timeout: 2, Retries: 2},
			},
			{Name: "writer", Image: "example/server:1.0", Essential: no(), EntryPoint: []string{"sh", "-c"},
				Command:     []string{`printf '%s' "$CONF" > /etc/app/config.yml`},
				Environment: []KeyValue{{"CONF", "period: 60\n"}},
				MountPoints: []MountPoint{{SourceVolume: "cfg", ContainerPath: "/etc/app"}}},
			{Name: "sidecar", Image: "example/sidecar:2.0", Essential: yes(), Command: []string{"-c", "exec sleep 60"}},
			{Name: "jvm", Image: "example/jvm:3.0", DependsOn: []Dependency{{"writer", "SUCCESS"}}},
		},
	}
}

func options(t *testing.T) Options {
	sh, _ := filepath.Abs("/bin/sh")
	return Options{
		Images:      map[string]string{"example/server:1.0": sh, "example/sidecar:2.0": sh},
		NotRunnable: map[string]string{"example/jvm:3.0": "no JVM here"},
		Dir:         t.TempDir(),
		Env:         []string{"PATH=" + os.Getenv("PATH"), "HOME=/root"},
	}
}

func TestPlan_OrdersByDependencyAndMapsVolumes(t *testing.T) {
	t.Parallel()
	opts := options(t)
	steps, err := Plan(task("arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf"), opts)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range steps {
		names = append(names, s.Container.Name)
	}
	if got := strings.Join(names, ","); got != "writer,sidecar,server,jvm" {
		t.Fatalf("order = %s", got)
	}
	writer, server, jvm := steps[0], steps[2], steps[3]
	vol := filepath.Join(opts.Dir, "volumes", "cfg")
	if !strings.HasSuffix(writer.Program, "/sh") || writer.Args[0] != "-c" || !strings.Contains(writer.Args[1], vol+"/config.yml") {
		t.Errorf("writer: %s %q", writer.Program, writer.Args)
	}
	if server.Program != opts.Images["example/server:1.0"] || !strings.Contains(server.Args[1], vol+"/copy.yml") {
		t.Errorf("server: %s %q", server.Program, server.Args)
	}
	if jvm.Program != "" || jvm.NotRunnable != "no JVM here" {
		t.Errorf("jvm: %+v", jvm)
	}
	if !strings.Contains(strings.Join(server.Notes, ";"), "/etc/app read-only is not enforced") {
		t.Errorf("server notes: %v", server.Notes)
	}
}

func TestPlan_Errors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		edit func(*TaskDefinition)
		want string
	}{
		"cycle": {func(td *TaskDefinition) {
			td.ContainerDefinitions[1].DependsOn = []Dependency{{"server", "START"}}
		}, "ecstask: dependency cycle"},
		"unknown dependency": {func(td *TaskDefinition) {
			td.ContainerDefinitions[2].DependsOn = []Dependency{{"nope", "START"}}
		}, `sidecar depends on "nope", which the task does not define`},
		"unknown volume": {func(td *TaskDefinition) { td.Volumes = nil }, `mounts volume "cfg", which the task does not define`},
		"unknown image": {func(td *TaskDefinition) { td.ContainerDefinitions[2].Image = "example/other:1" },
			"no local program for image example/other:1"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			td := task("arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf")
			tc.edit(td)
			if _, err := Plan(td, options(t)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want %q", err, tc.want)
			}
		})
	}
}

// The containers run as processes in dependency order: the writer's file
// reaches the server through the shared volume, the server gets its secret
// from (moto's) Secrets Manager, its health check turns HEALTHY, the
// container that cannot run here is skipped, and Stop ends them all.
func TestStart_RunsTheTask(t *testing.T) {
	srv := mototest.Shared(t)
	ctx := context.Background()
	sm := secretsmanager.NewFromConfig(srv.Config())
	sec, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(mototest.Name(t)), SecretString: aws.String(`{"api-key":"k3y"}`)})
	if err != nil {
		t.Fatal(err)
	}
	opts := options(t)
	opts.Secrets = sm
	opts.Log = &strings.Builder{}
	td := task(aws.ToString(sec.ARN))
	td.ContainerDefinitions = td.ContainerDefinitions[:3] // without the JVM (it would hold nothing back)
	tk, err := Start(ctx, td, opts, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer tk.Stop()
	vol := filepath.Join(opts.Dir, "volumes", "cfg")
	deadline := time.Now().Add(10 * time.Second)
	for tk.Health("server") != Healthy && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if h := tk.Health("server"); h != Healthy {
		t.Fatalf("server health = %s", h)
	}
	if b, err := os.ReadFile(filepath.Join(vol, "copy.yml")); err != nil || string(b) != "period: 60\n" {
		t.Errorf("copy.yml = %q, %v", b, err)
	}
	if b, err := os.ReadFile(filepath.Join(vol, "key")); err != nil || string(b) != "k3y" {
		t.Errorf("key = %q, %v", b, err)
	}
	if u, ok := tk.Usage("server"); !ok || u.PeakRSSKiB <= 0 || u.HealthChecks == 0 {
		t.Errorf("usage = %+v", u)
	}
	if err := tk.Stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
}

// A dependency that exits non-zero stops the start with its output.
func TestStart_FailsWhenSuccessDependencyFails(t *testing.T) {
	t.Parallel()
	opts := options(t)
	td := task("arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf")
	td.ContainerDefinitions[1].Command = []string{"echo broken config >&2; exit 3"}
	_, err := Start(context.Background(), td, opts, 10*time.Second)
	if err == nil || !strings.Contains(err.Error(), "writer exited with exit status 3, and it needs SUCCESS") || !strings.Contains(err.Error(), "broken config") {
		t.Errorf("error = %v", err)
	}
}
