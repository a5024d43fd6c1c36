//go:build !unix

package childproc

import "syscall"

// sysProcAttr: no process group and no parent-death signal here; Kill kills
// the child only.
func sysProcAttr() *syscall.SysProcAttr { return nil }

func killGroup(int) {}
