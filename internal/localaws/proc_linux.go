package localaws

import "syscall"

// sysProcAttr puts a child in its own process group (so stopping it also
// stops what it forked: npx -> node -> go run -> the CDK app -> jsii's node)
// and has the kernel kill it when this process dies without stopping it.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func killGroup(pid int) { _ = syscall.Kill(-pid, syscall.SIGKILL) }
