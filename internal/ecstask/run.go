package ecstask

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/elb-otel/elb-otel/internal/childproc"
)

// Health states, as ECS names them.
const (
	Unknown   = "UNKNOWN"
	Healthy   = "HEALTHY"
	Unhealthy = "UNHEALTHY"
)

// Task is a task definition running as local processes.
type Task struct {
	Def   *TaskDefinition
	Steps []Step

	opts  Options
	log   io.Writer
	mu    sync.Mutex
	procs map[string]*proc
}

// proc is one started container.
type proc struct {
	step    Step
	p       *childproc.Process
	out     *childproc.SyncBuffer
	file    *os.File
	started time.Time
	health  string
	checks  int
	peakKiB int64 // VmHWM, read while it runs
	cpu     time.Duration
	stop    chan struct{}
}

// Start plans the task and starts its runnable containers in dependency
// order, each once its dependencies meet their conditions (START: started;
// COMPLETE: exited; SUCCESS: exited 0; HEALTHY: its health check passed),
// waiting at most depTimeout for each. A container that depends on one that
// cannot run here is not started either. Stop the task with Stop.
func Start(ctx context.Context, td *TaskDefinition, opts Options, depTimeout time.Duration) (*Task, error) {
	steps, err := Plan(td, opts)
	if err != nil {
		return nil, err
	}
	t := &Task{Def: td, Steps: steps, opts: opts, log: opts.Log, procs: map[string]*proc{}}
	if t.log == nil {
		t.log = io.Discard
	}
	for _, s := range steps {
		if s.Program == "" {
			fmt.Fprintf(t.log, "ecstask: %s: not runnable here: %s\n", s.Container.Name, s.NotRunnable)
			continue
		}
		if err := t.waitDeps(ctx, s.Container, depTimeout); err != nil {
			t.Stop()
			return nil, err
		}
		if opts.BeforeStart != nil {
			if err := opts.BeforeStart(ctx, s.Container.Name); err != nil {
				t.Stop()
				return nil, err
			}
		}
		if err := t.start(ctx, s); err != nil {
			t.Stop()
			return nil, err
		}
	}
	return t, nil
}

func (t *Task) waitDeps(ctx context.Context, c Container, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for _, d := range c.DependsOn {
		for {
			ok, err := t.met(d)
			if err != nil {
				return fmt.Errorf("ecstask: %s cannot start: %w", c.Name, err)
			}
			if ok {
				fmt.Fprintf(t.log, "ecstask: %s: %s reached %s\n", c.Name, d.ContainerName, d.Condition)
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("ecstask: %s cannot start: %s did not reach %s within %s", c.Name, d.ContainerName, d.Condition, timeout)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	return nil
}

// met reports whether dependency d's condition holds; an error when it never
// will.
func (t *Task) met(d Dependency) (bool, error) {
	t.mu.Lock()
	p := t.procs[d.ContainerName]
	t.mu.Unlock()
	if p == nil {
		for _, s := range t.Steps {
			if s.Container.Name == d.ContainerName && s.Program == "" {
				return false, fmt.Errorf("it depends on %s, which is not runnable here", d.ContainerName)
			}
		}
		return false, nil
	}
	exited := false
	select {
	case <-p.p.Done():
		exited = true
	default:
	}
	switch d.Condition {
	case "START":
		return true, nil
	case "COMPLETE":
		return exited, nil
	case "SUCCESS":
		if exited && p.p.Err() != nil {
			return false, fmt.Errorf("%s exited with %v, and it needs SUCCESS; its output:\n%s", d.ContainerName, p.p.Err(), p.out.String())
		}
		return exited, nil
	case "HEALTHY":
		return t.Health(d.ContainerName) == Healthy, nil
	}
	return false, fmt.Errorf("unknown dependency condition %q on %s", d.Condition, d.ContainerName)
}

// start runs one step's process with the definition's environment and
// secrets, its output going to Dir/logs/NAME.log.
func (t *Task) start(ctx context.Context, s Step) error {
	c := s.Container
	env := append([]string{}, t.opts.Env...)
	for _, kv := range c.Environment {
		env = append(env, kv.Name+"="+kv.Value)
	}
	for _, sec := range c.Secrets {
		if t.opts.Secrets == nil {
			return fmt.Errorf("ecstask: %s has secrets and Options.Secrets is nil", c.Name)
		}
		v, err := resolveSecret(ctx, t.opts.Secrets, sec)
		if err != nil {
			return err
		}
		env = append(env, sec.Name+"="+v)
	}
	for _, mp := range c.MountPoints {
		if err := os.MkdirAll(filepath.Join(t.opts.Dir, "volumes", mp.SourceVolume), 0o755); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Join(t.opts.Dir, "logs"), 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(t.opts.Dir, "logs", c.Name+".log"))
	if err != nil {
		return err
	}
	pr := &proc{step: s, out: &childproc.SyncBuffer{Tail: 64 << 10}, file: f, health: Unknown, stop: make(chan struct{})}
	cmd := exec.Command(s.Program, s.Args...)
	cmd.Env = env
	cmd.Stdout = io.MultiWriter(f, pr.out)
	cmd.Stderr = cmd.Stdout
	if pr.p, err = childproc.Start(cmd); err != nil {
		f.Close()
		return fmt.Errorf("ecstask: start %s: %w", c.Name, err)
	}
	pr.started = time.Now()
	t.mu.Lock()
	t.procs[c.Name] = pr
	t.mu.Unlock()
	fmt.Fprintf(t.log, "ecstask: %s: started pid %d\n", c.Name, pr.p.Pid())
	go t.watch(pr, env)
	return nil
}

// watch samples the process's peak RSS and CPU time every second and runs
// its health check on the definition's schedule until it exits.
func (t *Task) watch(pr *proc, env []string) {
	hc := pr.step.Container.HealthCheck
	nextCheck := time.Now().Add(time.Second)
	failures := 0
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		t.sample(pr)
		if hc != nil && !time.Now().Before(nextCheck) {
			ok := runCheck(hc, env)
			t.mu.Lock()
			pr.checks++
			switch {
			case ok:
				pr.health, failures = Healthy, 0
			case time.Since(pr.started) > time.Duration(hc.StartPeriod)*time.Second:
				if failures++; failures >= max(hc.Retries, 1) {
					pr.health = Unhealthy
				}
			}
			t.mu.Unlock()
			nextCheck = time.Now().Add(time.Duration(max(hc.Interval, 1)) * time.Second)
		}
		select {
		case <-pr.p.Done():
			return
		case <-pr.stop:
			return
		case <-tick.C:
		}
	}
}

// runCheck runs a health check command: ["CMD", prog, args...] or
// ["CMD-SHELL", script].
func runCheck(hc *HealthCheck, env []string) bool {
	if len(hc.Command) < 2 {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(max(hc.Timeout, 1))*time.Second)
	defer cancel()
	var cmd *exec.Cmd
	switch hc.Command[0] {
	case "CMD":
		cmd = exec.CommandContext(ctx, hc.Command[1], hc.Command[2:]...)
	case "CMD-SHELL":
		cmd = exec.CommandContext(ctx, "sh", "-c", hc.Command[1])
	default:
		return false
	}
	cmd.Env = env
	return cmd.Run() == nil
}

// sample reads the process's peak RSS (VmHWM) and CPU time from /proc.
func (t *Task) sample(pr *proc) {
	pid := pr.p.Pid()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return
	}
	var hwm int64
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			hwm, _ = strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		}
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	var cpu time.Duration
	if err == nil {
		// Fields after the command's closing parenthesis: utime is the 12th, stime the 13th.
		if i := strings.LastIndexByte(string(stat), ')'); i > 0 {
			f := strings.Fields(string(stat)[i+1:])
			if len(f) > 12 {
				u, _ := strconv.ParseInt(f[11], 10, 64)
				s, _ := strconv.ParseInt(f[12], 10, 64)
				cpu = time.Duration(u+s) * time.Second / 100 // USER_HZ
			}
		}
	}
	t.mu.Lock()
	pr.peakKiB = max(pr.peakKiB, hwm)
	pr.cpu = max(pr.cpu, cpu)
	t.mu.Unlock()
}

// terminated reports whether err is the end of a process SIGTERM killed: a
// program without a handler stops so, as in ECS (exit code 143).
func terminated(err error) bool {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok {
			return ws.Signaled() && ws.Signal() == syscall.SIGTERM
		}
	}
	return false
}

// Health returns the container's health state (Unknown without a check).
func (t *Task) Health(name string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if p := t.procs[name]; p != nil {
		return p.health
	}
	return Unknown
}

// Exited returns the first essential container that has exited, or "".
func (t *Task) Exited() (name string, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for n, p := range t.procs {
		select {
		case <-p.p.Done():
			if p.step.Container.IsEssential() {
				return n, fmt.Errorf("ecstask: essential container %s exited (%v); its output:\n%s", n, p.p.Err(), p.out.String())
			}
		default:
		}
	}
	return "", nil
}

// Output returns the last 64 KiB a container printed.
func (t *Task) Output(name string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if p := t.procs[name]; p != nil {
		return p.out.String()
	}
	return ""
}

// Usage is what a container's process used.
type Usage struct {
	PeakRSSKiB   int64
	CPU          time.Duration
	Ran          time.Duration
	HealthChecks int
	Health       string
	MemoryMiB    int // the definition's hard limit
}

// Usage returns what container name used so far.
func (t *Task) Usage(name string) (Usage, bool) {
	t.mu.Lock()
	p := t.procs[name]
	t.mu.Unlock()
	if p == nil {
		return Usage{}, false
	}
	t.sample(p)
	t.mu.Lock()
	defer t.mu.Unlock()
	return Usage{PeakRSSKiB: p.peakKiB, CPU: p.cpu, Ran: time.Since(p.started), HealthChecks: p.checks,
		Health: p.health, MemoryMiB: p.step.Container.Memory}, true
}

// Stop sends SIGTERM to the running containers in reverse start order, as
// ECS does, kills what is left after 10 s, and returns the failed exits of
// the essential ones that were still running (an end by SIGTERM itself is
// a clean stop).
func (t *Task) Stop() error {
	var errs []error
	for i := len(t.Steps) - 1; i >= 0; i-- {
		t.mu.Lock()
		p := t.procs[t.Steps[i].Container.Name]
		t.mu.Unlock()
		if p == nil {
			continue
		}
		close(p.stop)
		select {
		case <-p.p.Done():
			p.file.Close()
			continue
		default:
		}
		_ = p.p.Signal(syscall.SIGTERM)
		select {
		case <-p.p.Done():
			if err := p.p.Err(); err != nil && p.step.Container.IsEssential() && !terminated(err) {
				errs = append(errs, fmt.Errorf("ecstask: %s exited with %w after SIGTERM", p.step.Container.Name, err))
			}
		case <-time.After(10 * time.Second):
			errs = append(errs, fmt.Errorf("ecstask: %s did not exit within 10 s of SIGTERM", p.step.Container.Name))
		}
		p.p.Kill()
		p.file.Close()
	}
	t.mu.Lock()
	t.procs = map[string]*proc{}
	t.mu.Unlock()
	return errors.Join(errs...)
}
