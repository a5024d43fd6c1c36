package consumer

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// modulePath is the module the consumer requires.
const modulePath = "github.com/elb-otel/elb-otel"

// The consumer's stack, as testdata/mystack/main.go builds it.
const (
	stackName        = "MyStack"
	watchedLB        = "app/shop/50dc6c495c0c9188"
	handlerPkg       = modulePath + "/lambda/cmd/bootstrap"
	wantArchitecture = "arm64"
)

// oldPair brings back the conflict of issue 14: awscdk v2.220.0 does not
// compile against constructs v10.5 or later, which any module that does not
// pin constructs through a replace of its own gets.
const oldPair = `
replace (
	github.com/aws/aws-cdk-go/awscdk/v2 => github.com/aws/aws-cdk-go/awscdk/v2 v2.220.0
	github.com/aws/constructs-go/constructs/v10 => github.com/aws/constructs-go/constructs/v10 v10.5.1
)
`

// TestConsumerModule builds a throwaway module outside this one, the way a
// user adds elb-otel to a CDK app: its go.mod requires elb-otel and replaces it
// with this checkout, nothing else. The current dependencies must build and
// synthesize, with the feature flags the pinned CLI's `cdk init` gives a new
// app; the old awscdk/constructs pair must fail to compile, so a dependency
// set that breaks users breaks this test.
func TestConsumerModule(t *testing.T) {
	root := repoRoot(t)
	trackLibrarySources(t, root)
	cdk := filepath.Join(root, "node_modules", ".bin", "cdk")
	if _, err := os.Stat(cdk); err != nil {
		t.Fatalf("the pinned CDK CLI is not installed (%v): run `make deps` (npm ci)", err)
	}
	tests := []struct {
		name    string
		goMod   string // appended to the consumer's go.mod
		goSum   string // testdata file appended to the consumer's go.sum
		wantErr string // in the output of `go build`; empty: it must build and synthesize
	}{
		{name: "current dependencies synthesize"},
		{name: "old constructs conflict does not compile", goMod: oldPair, goSum: "oldpair.go.sum",
			wantErr: "ambiguous selector"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newConsumer(t)
			if tc.wantErr == "" {
				c.cdkInit(t, cdk)
			}
			c.writeModule(t, root, tc.goMod, tc.goSum)
			started := time.Now()
			out, err := c.run(t, "go", "build", "-o", "mystack", ".")
			t.Logf("go build in the consumer module: %.1fs", time.Since(started).Seconds())
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("go build succeeded with\n%s\nwant a compile error containing %q", tc.goMod, tc.wantErr)
				}
				if !strings.Contains(out, tc.wantErr) {
					t.Fatalf("go build failed, but not with %q:\n%s", tc.wantErr, out)
				}
				t.Logf("failed as expected: %s", firstLineWith(out, tc.wantErr))
				return
			}
			if err != nil {
				t.Fatalf("go build of a module requiring %s: %v\n%s", modulePath, err, out)
			}
			c.checkGoMod(t)
			started = time.Now()
			out, err = c.run(t, cdk, "synth", "--app", "./mystack", "--output", "cdk.out", "--quiet", "--no-notices")
			t.Logf("cdk synth in the consumer module: %.1fs", time.Since(started).Seconds())
			if err != nil {
				t.Fatalf("cdk synth: %v\n%s", err, out)
			}
			c.checkAssembly(t, filepath.Join(c.dir, "cdk.out"))
		})
	}
}

// consumer is a throwaway Go module in a temporary directory.
type consumer struct {
	dir string
	env []string
}

// newConsumer returns an empty consumer directory and the environment its
// commands run with.
func newConsumer(t *testing.T) *consumer {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mystack")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(),
		// The consumer's go.mod lists only elb-otel: let the go command add
		// the requirements its imports need, at the versions elb-otel selects.
		"GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -mod=mod"),
		"GOWORK=off",
		// The construct builds the handler at synth time: into a directory of
		// this run, so the asset checked below was built by this synth.
		"ELB_OTEL_LAMBDA_BUILD_DIR="+filepath.Join(dir, "lambda-build"),
		"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20",
		"CDK_DISABLE_CLI_TELEMETRY=true",
		"CDK_DISABLE_VERSION_CHECK=true",
		"NO_COLOR=1",
		"CI=true",
	)
	return &consumer{dir: dir, env: env}
}

// cdkInit starts the consumer as a new user's app does: `cdk init app
// --language go` (offline: --generate-only), whose cdk.json carries the
// recommended feature flags. The sample stack and its test make way for
// testdata/mystack/main.go.
func (c *consumer) cdkInit(t *testing.T, cdk string) {
	t.Helper()
	if out, err := c.run(t, cdk, "init", "app", "--language", "go", "--generate-only"); err != nil {
		t.Fatalf("cdk init: %v\n%s", err, out)
	}
	for _, name := range []string{"mystack.go", "mystack_test.go"} {
		if err := os.Remove(filepath.Join(c.dir, name)); err != nil {
			t.Fatalf("cdk init wrote no %s: %v", name, err)
		}
	}
	var cdkJSON struct {
		Context map[string]any `json:"context"`
	}
	readJSON(t, filepath.Join(c.dir, "cdk.json"), &cdkJSON)
	if len(cdkJSON.Context) == 0 {
		t.Fatal("cdk init wrote a cdk.json without feature flags")
	}
}

// writeModule writes testdata/mystack/main.go, a go.mod that requires
// elb-otel and replaces it with the checkout at root (plus extraMod), and this
// module's go.sum (plus the testdata file extraSum), so no checksum has to be
// looked up: the dependencies are ours, already verified.
func (c *consumer) writeModule(t *testing.T, root, extraMod, extraSum string) {
	t.Helper()
	main, err := os.ReadFile(filepath.Join("testdata", "mystack", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	goMod := fmt.Sprintf("module example.com/mystack\n\ngo %s\n\nrequire %s v0.0.0\n\nreplace %s => %s\n%s",
		goVersion(t, root), modulePath, modulePath, root, extraMod)
	goSum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if extraSum != "" {
		extra, err := os.ReadFile(filepath.Join("testdata", extraSum))
		if err != nil {
			t.Fatal(err)
		}
		goSum = append(goSum, extra...)
	}
	for name, data := range map[string][]byte{"main.go": main, "go.mod": []byte(goMod), "go.sum": goSum} {
		if err := os.WriteFile(filepath.Join(c.dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// run runs a command in the consumer module and returns its combined output.
func (c *consumer) run(t *testing.T, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = c.dir
	cmd.Env = c.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// checkGoMod checks the go.mod the go command left: still a single replace,
// the one pointing at the checkout, and the CDK libraries at elb-otel's
// versions.
func (c *consumer) checkGoMod(t *testing.T) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(c.dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "replace "); n != 1 {
		t.Errorf("consumer go.mod has %d replace directives, want only the one to the checkout:\n%s", n, data)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "exclude") || strings.HasPrefix(strings.TrimSpace(line), "retract") {
			t.Errorf("consumer go.mod has a directive beyond require and the replace: %q", line)
		}
	}
}

// checkAssembly checks the synthesized stack: the log shipper's function with
// an asset that holds the handler built for Lambda, and the metrics task with
// its containers and the load balancer it watches.
func (c *consumer) checkAssembly(t *testing.T, outDir string) {
	t.Helper()
	resources := readResources(t, filepath.Join(outDir, stackName+".template.json"))

	var shipper []map[string]any
	for _, r := range resources.ofType("AWS::Lambda::Function") {
		if r["Handler"] == "bootstrap" {
			shipper = append(shipper, r)
		}
	}
	if len(shipper) != 1 {
		t.Fatalf("want one AWS::Lambda::Function with Handler bootstrap (the log shipper), got %d", len(shipper))
	}
	fn := shipper[0]
	if fn["Runtime"] != "provided.al2023" {
		t.Errorf("shipper Runtime = %v, want provided.al2023", fn["Runtime"])
	}
	key, _ := dig(fn, "Code", "S3Key").(string)
	hash, ok := strings.CutSuffix(key, ".zip")
	if !ok {
		t.Fatalf("shipper Code.S3Key = %v, want <asset hash>.zip", dig(fn, "Code", "S3Key"))
	}
	checkHandlerAsset(t, outDir, hash)

	taskDefs := resources.ofType("AWS::ECS::TaskDefinition")
	if len(taskDefs) != 1 {
		t.Fatalf("want one AWS::ECS::TaskDefinition (the metrics task), got %d", len(taskDefs))
	}
	containers := map[string]map[string]any{}
	defs, _ := taskDefs[0]["ContainerDefinitions"].([]any)
	for _, d := range defs {
		m, _ := d.(map[string]any)
		name, _ := m["Name"].(string)
		containers[name] = m
	}
	for _, name := range []string{"config-writer", "cloudwatch-exporter", "otel-collector"} {
		if containers[name] == nil {
			t.Errorf("metrics task has no container %q (has %d containers)", name, len(containers))
		}
	}
	if env, _ := json.Marshal(containers["config-writer"]["Environment"]); !bytes.Contains(env, []byte(watchedLB)) {
		t.Errorf("the exporter config in the metrics task does not name the load balancer %s: %s", watchedLB, env)
	}
	if secrets, _ := json.Marshal(containers["otel-collector"]["Secrets"]); !bytes.Contains(secrets, []byte(`"OTLP_HEADER_0"`)) {
		t.Errorf("the collector gets no OTLP header from the secret: Secrets = %s", secrets)
	}
	if n := len(resources.ofType("AWS::ECS::Service")); n != 1 {
		t.Errorf("want one AWS::ECS::Service running the metrics task, got %d", n)
	}
}

// checkHandlerAsset checks the file asset with the given hash: a directory in
// the cloud assembly, zipped at deploy, holding a bootstrap executable built
// from elb-otel's handler package for linux/arm64.
func checkHandlerAsset(t *testing.T, outDir, hash string) {
	t.Helper()
	var manifest struct {
		Files map[string]struct {
			Source struct {
				Path      string `json:"path"`
				Packaging string `json:"packaging"`
			} `json:"source"`
		} `json:"files"`
	}
	readJSON(t, filepath.Join(outDir, stackName+".assets.json"), &manifest)
	asset, ok := manifest.Files[hash]
	if !ok {
		t.Fatalf("no file asset %s in %s.assets.json", hash, stackName)
	}
	if asset.Source.Packaging != "zip" {
		t.Errorf("asset %s packaging = %q, want zip", hash, asset.Source.Packaging)
	}
	bootstrap := filepath.Join(outDir, asset.Source.Path, "bootstrap")
	info, err := buildinfo.ReadFile(bootstrap)
	if err != nil {
		t.Fatalf("asset %s: bootstrap is not a Go executable: %v", hash, err)
	}
	if info.Path != handlerPkg || info.Main.Path != modulePath {
		t.Errorf("asset bootstrap built from %s (module %s), want %s", info.Path, info.Main.Path, handlerPkg)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if settings["GOOS"] != "linux" || settings["GOARCH"] != wantArchitecture || settings["CGO_ENABLED"] != "0" {
		t.Errorf("asset bootstrap built for GOOS=%s GOARCH=%s CGO_ENABLED=%s, want linux %s 0",
			settings["GOOS"], settings["GOARCH"], settings["CGO_ENABLED"], wantArchitecture)
	}
	if !strings.Contains(settings["-tags"], "lambda.norpc") {
		t.Errorf("asset bootstrap built with tags %q, want lambda.norpc", settings["-tags"])
	}
}

type resources map[string]map[string]any

// ofType returns the Properties of every resource of type typ.
func (r resources) ofType(typ string) []map[string]any {
	var out []map[string]any
	for _, res := range r {
		if res["Type"] == typ {
			props, _ := res["Properties"].(map[string]any)
			out = append(out, props)
		}
	}
	return out
}

func readResources(t *testing.T, path string) resources {
	t.Helper()
	var tmpl struct {
		Resources resources `json:"Resources"`
	}
	readJSON(t, path, &tmpl)
	return tmpl.Resources
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// dig follows keys through nested JSON objects.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

func firstLineWith(out, s string) string {
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, s) {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod in %s: %v", root, err)
	}
	return root
}

// goVersion returns the go directive of the module at root.
func goVersion(t *testing.T, root string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "go "); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no go directive in %s/go.mod", root)
	return ""
}

// trackLibrarySources reads every file of the module a consumer compiles
// (go.mod, go.sum and the non-test Go files outside test/ and infra/) and the
// CDK CLI's pin. The consumer builds in child processes, which `go test` does
// not see; reading the files here records them, so a cached pass is reused
// only while none of them changed.
func trackLibrarySources(t *testing.T, root string) {
	t.Helper()
	for _, name := range []string{"go.mod", "go.sum", "package-lock.json"} {
		if _, err := os.ReadFile(filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, dir := range []string{"constructs", "lambda", "internal"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			_, err = os.ReadFile(path)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
