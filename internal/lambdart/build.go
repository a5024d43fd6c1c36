package lambdart

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// BuildFlags are the flags the log shipper construct builds the function
// with (constructs/internal/lambdabuild.Flags).
var BuildFlags = []string{"-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-tags=lambda.norpc"}

// Build compiles the Go main package pkg of the module in moduleDir into
// outDir/bootstrap for linux and this machine's architecture, with
// BuildFlags and CGO off, as the construct does for Lambda's, and returns the
// binary's path.
func Build(ctx context.Context, moduleDir, pkg, outDir string) (string, error) {
	if runtime.GOOS != "linux" {
		return "", fmt.Errorf("lambdart: the function runs on linux only, this is %s", runtime.GOOS)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", err
	}
	out := filepath.Join(outDir, "bootstrap")
	args := append([]string{"build", "-o", out}, BuildFlags...)
	cmd := exec.CommandContext(ctx, "go", append(args, pkg)...)
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+runtime.GOARCH, "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("lambdart: go build %s: %w\n%s", pkg, err, stderr.String())
	}
	return out, nil
}
