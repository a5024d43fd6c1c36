// Package cdktest holds the helpers the CDK test packages share: an App that
// synthesizes into a fixed directory (so `go test` results cache), template
// access, asset-hash masking, cdk-nag findings and cfn-lint.
package cdktest

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

// RepoRoot is the repository root, found from this file's location.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// CDKContext returns the "context" of the repository's cdk.json, so tests
// synthesize with the same feature flags and defaults as `cdk synth`.
func CDKContext(t testing.TB) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(RepoRoot(), "cdk.json"))
	if err != nil {
		t.Fatalf("read cdk.json: %v", err)
	}
	var doc struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("parse cdk.json: %v", err)
	}
	return doc.Context
}

// NewApp returns an App that synthesizes into cdk.out/<name> under the
// calling package's directory (git-ignored), with cdk.json's context plus
// extra (which wins).
func NewApp(t testing.TB, name string, extra map[string]any) awscdk.App {
	t.Helper()
	ctx := CDKContext(t)
	for k, v := range extra {
		ctx[k] = v
	}
	outdir, err := filepath.Abs(filepath.Join("cdk.out", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(outdir); err != nil {
		t.Fatal(err)
	}
	ctxAny := make(map[string]interface{}, len(ctx))
	for k, v := range ctx {
		ctxAny[k] = v
	}
	return awscdk.NewApp(&awscdk.AppProps{
		Outdir:  jsii.String(outdir),
		Context: &ctxAny,
	})
}

// TemplateJSON returns the stack's template as indented JSON with every
// 64-hex asset hash replaced by <ASSET_HASH>, for snapshot comparison.
func TemplateJSON(t testing.TB, stack awscdk.Stack) []byte {
	t.Helper()
	tmpl := assertions.Template_FromStack(stack, nil).ToJSON()
	out, err := json.MarshalIndent(tmpl, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(MaskAssetHashes(out), '\n')
}

var assetHash = regexp.MustCompile(`[0-9a-f]{64}`)

// MaskAssetHashes replaces 64-hex asset hashes with <ASSET_HASH>.
func MaskAssetHashes(b []byte) []byte {
	return assetHash.ReplaceAll(b, []byte("<ASSET_HASH>"))
}

// NagErrors returns cdk-nag's unsuppressed errors on the stack (the
// AwsSolutions checks must be on the app as an aspect).
func NagErrors(stack awscdk.Stack) []string {
	msgs := assertions.Annotations_FromStack(stack).FindError(jsii.String("*"),
		assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*")))
	var out []string
	for _, m := range *msgs {
		//lint:ignore SA1019 FindError returns cxapi.SynthesisMessage, whose fields awscdk 2.276 marks deprecated (moved to @aws-cdk/cloud-assembly-api) with no Go replacement yet
		out = append(out, fmt.Sprintf("%s: %v", *m.Id, m.Entry.Data))
	}
	return out
}

// CfnLint runs cfn-lint on the synthesized template of stack and fails the
// test on any error-level finding (E*). Warnings are logged.
func CfnLint(t testing.TB, app awscdk.App, stack awscdk.Stack) {
	t.Helper()
	path := filepath.Join(*app.Outdir(), *stack.ArtifactId()+".template.json")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no synthesized template at %s: %v", path, err)
	}
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatalf("cfn-lint is not on PATH (pip install cfn-lint): %v", err)
	}
	cmd := exec.Command(bin, "--format", "parseable", "--", path)
	out, err := cmd.CombinedOutput()
	var errs []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line == "" {
			continue
		}
		// parseable: file:line:col:endline:endcol:RULE:message
		parts := strings.SplitN(line, ":", 7)
		if len(parts) == 7 && strings.HasPrefix(parts[5], "E") {
			errs = append(errs, line)
		} else {
			t.Logf("cfn-lint: %s", line)
		}
	}
	if len(errs) > 0 {
		t.Errorf("cfn-lint errors in %s:\n%s", path, strings.Join(errs, "\n"))
	}
	if exitErr, ok := err.(*exec.ExitError); ok && len(errs) == 0 && (exitErr.ExitCode() == 1 || exitErr.ExitCode()&2 != 0) {
		t.Errorf("cfn-lint failed (exit %d) on %s:\n%s", exitErr.ExitCode(), path, out)
	} else if err != nil && !ok {
		t.Errorf("cfn-lint did not run: %v", err)
	}
}
