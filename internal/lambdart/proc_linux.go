package lambdart

import "syscall"

// sysProcAttr puts the function in its own process group (so stopping it
// also stops anything it forked) and has the kernel kill it when this
// process dies without stopping it.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func killGroup(pid int) { _ = syscall.Kill(-pid, syscall.SIGKILL) }
