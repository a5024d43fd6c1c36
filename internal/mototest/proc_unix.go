//go:build unix && !linux

package mototest

import "syscall"

// sysProcAttr puts the server in its own process group, so Stop kills
// anything it forks. Only Linux can tie the server's life to the test
// binary's (Pdeathsig); elsewhere a killed test binary can leave it running.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

func killGroup(pid int) {
	_ = syscall.Kill(-pid, syscall.SIGKILL)
}
