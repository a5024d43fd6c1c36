//go:build unix && !linux

package childproc

import "syscall"

// sysProcAttr: only Linux can tie a child's life to this process
// (Pdeathsig); elsewhere a killed test can leave a child (moto_server, a
// Lambda bootstrap) running.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

func killGroup(pid int) { _ = syscall.Kill(-pid, syscall.SIGKILL) }
