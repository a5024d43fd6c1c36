package childproc

import "syscall"

// sysProcAttr puts a child in its own process group (so Kill also stops what
// it forked, such as npx -> node -> go run -> the CDK app -> jsii's node) and
// has the kernel kill it when this process dies without stopping it.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func killGroup(pid int) { _ = syscall.Kill(-pid, syscall.SIGKILL) }
