// Package lambdabuild compiles the elb-otel Lambda handler into a deployable
// directory at synth time, with plain `go build` (no Docker).
//
// The handler is built from its package path inside the elb-otel module, found
// with `go list -m`, so the construct works both in this repository and when
// another Go module imports the constructs: in that case the module's source is
// read from the Go module cache. The flags make the binary reproducible, so the
// CDK asset hash only changes when the code or the toolchain does.
package lambdabuild

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// ModulePath is the Go module that holds the Lambda handler.
const ModulePath = "github.com/elb-otel/elb-otel"

// HandlerPackage is the handler's package, relative to the module root.
const HandlerPackage = "./lambda/cmd/bootstrap"

// Flags are the reproducible build flags every handler build uses.
var Flags = []string{"-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-tags=lambda.norpc"}

// OutputDirEnv, when set, names the directory builds are written to.
// Default: <user cache dir>/elb-otel/lambda.
const OutputDirEnv = "ELB_OTEL_LAMBDA_BUILD_DIR"

var (
	mu    sync.Mutex
	built = map[string]result{}
)

type result struct {
	dir string
	err error
}

// Handler builds the handler for goarch ("arm64" or "amd64") once per process
// and returns the directory holding the `bootstrap` executable.
func Handler(goarch string) (string, error) {
	if goarch != "arm64" && goarch != "amd64" {
		return "", fmt.Errorf("lambdabuild: architecture must be arm64 or amd64, got %q", goarch)
	}
	mu.Lock()
	defer mu.Unlock()
	if r, ok := built[goarch]; ok {
		return r.dir, r.err
	}
	dir, err := build(goarch)
	built[goarch] = result{dir, err}
	return dir, err
}

func build(goarch string) (string, error) {
	moduleDir, err := moduleRoot()
	if err != nil {
		return "", err
	}
	base := os.Getenv(OutputDirEnv)
	if base == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("lambdabuild: no cache directory, set %s: %w", OutputDirEnv, err)
		}
		base = filepath.Join(cache, "elb-otel", "lambda")
	}
	out := filepath.Join(base, "linux-"+goarch)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", fmt.Errorf("lambdabuild: %w", err)
	}
	// Build beside the final name and rename, so concurrent synths (parallel
	// test packages) never see a half-written binary.
	tmp, err := os.CreateTemp(out, ".bootstrap-*")
	if err != nil {
		return "", fmt.Errorf("lambdabuild: %w", err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer os.Remove(tmpName)

	args := append([]string{"build", "-o", tmpName}, Flags...)
	args = append(args, HandlerPackage)
	cmd := exec.Command("go", args...)
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+goarch, "CGO_ENABLED=0", "GOFLAGS=-mod=readonly")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("lambdabuild: go build %s in %s failed: %w\n%s", HandlerPackage, moduleDir, err, stderr.String())
	}
	if err := os.Chmod(tmpName, 0o755); err != nil {
		return "", fmt.Errorf("lambdabuild: %w", err)
	}
	if err := os.Rename(tmpName, filepath.Join(out, "bootstrap")); err != nil {
		return "", fmt.Errorf("lambdabuild: %w", err)
	}
	return out, nil
}

// moduleRoot returns the directory of the elb-otel module as the go command
// resolves it from the working directory: this checkout, or the module cache
// when another module depends on elb-otel.
func moduleRoot() (string, error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", ModulePath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) || stderr.Len() > 0 {
			return "", fmt.Errorf("lambdabuild: cannot find module %s from %s (run the CDK app inside a Go module that requires it, e.g. `go get %s`): %s", ModulePath, workingDir(), ModulePath, strings.TrimSpace(stderr.String()))
		}
		return "", fmt.Errorf("lambdabuild: go list: %w (is the Go toolchain on PATH?)", err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("lambdabuild: module %s has no source directory; run `go mod download %s`", ModulePath, ModulePath)
	}
	return dir, nil
}

func workingDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return "the working directory"
	}
	return wd
}
