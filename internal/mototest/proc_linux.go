package mototest

import "syscall"

// sysProcAttr puts the server in its own process group (so Stop kills
// anything it forks) and has the kernel kill it when the test binary dies
// without calling Stop (a timeout panic, a kill).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func killGroup(pid int) {
	_ = syscall.Kill(-pid, syscall.SIGKILL)
}
