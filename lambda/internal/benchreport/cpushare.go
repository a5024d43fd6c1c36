package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Lambda allots CPU in proportion to memory: 1,769 MB is one full vCPU.
const (
	fullVCPUMiB = 1769
	// defaultMemoryMiB is the log shipper function's default memory
	// (constructs/logshipper).
	defaultMemoryMiB = 1024
)

// sharePeriod is the period of the CPU share: the child may run share x
// sharePeriod of each period (the CFS bandwidth controller's default period).
const sharePeriod = 100 * time.Millisecond

// cpuShare runs child processes at a share of one core, as Lambda runs a
// function of less than 1,769 MB. Lambda enforces the share with the kernel's
// CFS bandwidth control (a quota of CPU time per period); so does cpuShare,
// through a cgroup's cpu.max (v2) or cpu.cfs_quota_us (v1) when it may create
// one (as root). Otherwise it falls back to a duty cycle: the parent stops the
// child with SIGSTOP for the rest of each period once the child has had its
// share of it (by wall time, which, with the child alone on its pinned core,
// is its CPU time), and lets it go on with SIGCONT. Both throttle the child in
// bursts of up to one period, as Lambda does.
type cpuShare struct {
	share  float64
	method string // how the share is enforced, for the report
	dir    string // the cgroup, when there is one
}

// newCPUShare prepares a share of one core (0 < share < 1).
func newCPUShare(share float64) *cpuShare {
	c := &cpuShare{share: share}
	quota := int64(share * float64(sharePeriod/time.Microsecond))
	period := int64(sharePeriod / time.Microsecond)
	name := fmt.Sprintf("elb-otel-bench-%d", os.Getpid())
	// cgroup v2: the cpu controller must be enabled for the children of the root.
	if ctl, err := os.ReadFile("/sys/fs/cgroup/cgroup.subtree_control"); err == nil && strings.Contains(string(ctl), "cpu") {
		dir := filepath.Join("/sys/fs/cgroup", name)
		if os.Mkdir(dir, 0o755) == nil {
			if os.WriteFile(filepath.Join(dir, "cpu.max"), fmt.Appendf(nil, "%d %d", quota, period), 0) == nil {
				c.dir, c.method = dir, fmt.Sprintf("cgroup v2 cpu.max %d/%d µs", quota, period)
				return c
			}
			_ = os.Remove(dir)
		}
	}
	if _, err := os.Stat("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"); err == nil {
		dir := filepath.Join("/sys/fs/cgroup/cpu", name)
		if os.Mkdir(dir, 0o755) == nil {
			if os.WriteFile(filepath.Join(dir, "cpu.cfs_period_us"), []byte(strconv.FormatInt(period, 10)), 0) == nil &&
				os.WriteFile(filepath.Join(dir, "cpu.cfs_quota_us"), []byte(strconv.FormatInt(quota, 10)), 0) == nil {
				c.dir, c.method = dir, fmt.Sprintf("cgroup v1 cpu.cfs_quota_us %d per %d µs", quota, period)
				return c
			}
			_ = os.Remove(dir)
		}
	}
	c.method = fmt.Sprintf("duty cycle (SIGSTOP/SIGCONT), %.0f of every %d ms", share*float64(sharePeriod/time.Millisecond), sharePeriod/time.Millisecond)
	return c
}

// wrap returns the command line that runs argv inside the cgroup: a shell moves
// itself into it, then execs argv, so the child never runs outside it.
func (c *cpuShare) wrap(argv []string) []string {
	if c == nil || c.dir == "" {
		return argv
	}
	return append([]string{"sh", "-c", `echo $$ > "$0/cgroup.procs" && exec "$@"`, c.dir}, argv...)
}

// run starts cmd, throttles it by the duty cycle when there is no cgroup, and
// waits for it.
func (c *cpuShare) run(cmd *exec.Cmd) error {
	if c == nil || c.dir != "" {
		return cmd.Run()
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	on := time.Duration(c.share * float64(sharePeriod))
	for {
		select {
		case err := <-done:
			return err
		case <-time.After(on):
		}
		_ = cmd.Process.Signal(syscall.SIGSTOP)
		select {
		case err := <-done:
			return err
		case <-time.After(sharePeriod - on):
		}
		_ = cmd.Process.Signal(syscall.SIGCONT)
	}
}

// close removes the cgroup.
func (c *cpuShare) close() error {
	if c == nil || c.dir == "" {
		return nil
	}
	var err error
	for range 50 { // the last child may take a moment to leave it
		if err = os.Remove(c.dir); err == nil || errors.Is(err, os.ErrNotExist) {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return err
}
