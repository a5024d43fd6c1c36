package localaws

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/elb-otel/elb-otel/internal/childproc"
)

// CDK runs the repository's pinned CDK CLI (`npx --no-install cdk`, from
// package-lock.json) against moto.
type CDK struct {
	// Dir is the repository root, where cdk.json is.
	Dir string
	// Out is where the cloud assemblies go (--output Out/<command>), so a run
	// never touches the cdk.out of `make synth` or of another run, and a
	// command killed half-way leaves no lock in the way of the next one.
	Out string
	// Log receives the CLI's output. Default: discarded.
	Log io.Writer
	// Timeout bounds each command. Default: 5 minutes.
	Timeout time.Duration

	env []string
}

// CDK returns a runner for the CLI in repoRoot, writing its cloud assembly
// under outDir.
func (m *Moto) CDK(repoRoot, outDir string, log io.Writer) *CDK {
	return &CDK{Dir: repoRoot, Out: outDir, Log: log, env: cdkEnv(m.Env())}
}

func cdkEnv(env []string) []string {
	return append(env,
		"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20",
		// The CLI may not reach the internet: no notices, telemetry or
		// version check, and no colors in the captured output.
		"CDK_DISABLE_CLI_TELEMETRY=true",
		"CDK_DISABLE_VERSION_CHECK=true",
		"FORCE_COLOR=0",
		"NO_COLOR=1",
		"CI=true",
	)
}

// Bootstrap runs `cdk bootstrap aws://ACCOUNT/REGION`: the CDKToolkit stack
// with the assets bucket the deploy uploads the function's code and the
// template to.
func (c *CDK) Bootstrap(ctx context.Context) error {
	return c.run(ctx, "bootstrap", "aws://"+Account+"/"+Region)
}

// Deploy runs `cdk deploy STACK --require-approval never` with the given
// context values, writing the stack's outputs to outputsFile.
func (c *CDK) Deploy(ctx context.Context, stack string, context map[string]string, outputsFile string) error {
	args := []string{"deploy", stack, "--require-approval", "never", "--outputs-file", outputsFile, "--progress", "events"}
	return c.run(ctx, append(args, contextArgs(context)...)...)
}

// Destroy runs `cdk destroy STACK --force` with the given context values.
func (c *CDK) Destroy(ctx context.Context, stack string, context map[string]string) error {
	return c.run(ctx, append([]string{"destroy", stack, "--force"}, contextArgs(context)...)...)
}

func contextArgs(context map[string]string) []string {
	keys := make([]string, 0, len(context))
	for k := range context {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var args []string
	for _, k := range keys {
		args = append(args, "-c", k+"="+context[k])
	}
	return args
}

// Command returns the command line Deploy, Bootstrap or Destroy runs for args,
// for display.
func (c *CDK) Command(args ...string) string {
	return "npx --no-install cdk " + strings.Join(c.args(args), " ")
}

func (c *CDK) args(args []string) []string {
	return append(args, "--output", filepath.Join(c.Out, args[0]), "--no-notices")
}

func (c *CDK) run(ctx context.Context, args ...string) error {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	log := c.Log
	if log == nil {
		log = io.Discard
	}
	full := append([]string{"--no-install", "cdk"}, c.args(args)...)
	cmd := exec.Command("npx", full...)
	cmd.Dir = c.Dir
	cmd.Env = c.env
	// The last 8 KiB of its output, for the error.
	tail := &childproc.SyncBuffer{Tail: 8 << 10}
	// One writer for both streams: exec then copies them from one goroutine,
	// so log (any io.Writer) is never written concurrently.
	out := io.MultiWriter(log, tail)
	cmd.Stdout, cmd.Stderr = out, out
	fmt.Fprintf(log, "$ npx %s\n", strings.Join(full, " "))
	p, err := childproc.Start(cmd)
	if err != nil {
		return fmt.Errorf("localaws: cdk %s: %w (is Node.js installed and `npm ci` done? `make deps` does it)", args[0], err)
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-p.Done():
	case <-ctx.Done():
		p.Kill()
		return fmt.Errorf("localaws: cdk %s: %w", args[0], ctx.Err())
	case <-timer.C:
		p.Kill()
		return fmt.Errorf("localaws: cdk %s: no result within %s; its last output:\n%s", args[0], timeout, tail.String())
	}
	// The CLI has exited; whatever it left in its process group goes too.
	p.Kill()
	if err := p.Err(); err != nil {
		return fmt.Errorf("localaws: cdk %s: %w; its last output:\n%s", args[0], err, tail.String())
	}
	return nil
}

// ReadOutputs reads a `cdk deploy --outputs-file` file: stack name to output
// name to value.
func ReadOutputs(path string) (map[string]map[string]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out map[string]map[string]string
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("localaws: %s: %w", filepath.Base(path), err)
	}
	return out, nil
}
