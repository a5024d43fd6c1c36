package localaws

import (
	"os/exec"
	"runtime"
)

// process is a started child whose end can be awaited.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once the child has exited
	err  error         // cmd.Wait's error, set before done closes
}

// startProcess starts cmd in its own process group, from a goroutine locked
// to its OS thread that lives until the child exits: on Linux the
// parent-death signal fires when the thread that forked the child ends, not
// when the process does, and Go may retire an idle thread at any time.
func startProcess(cmd *exec.Cmd) (*process, error) {
	cmd.SysProcAttr = sysProcAttr()
	p := &process{cmd: cmd, done: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		if err := cmd.Start(); err != nil {
			started <- err
			p.err = err
			close(p.done)
			return
		}
		started <- nil
		p.err = cmd.Wait()
		close(p.done)
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return p, nil
}

// kill kills the child's whole process group and waits for the child.
func (p *process) kill() {
	if p.cmd.Process != nil {
		killGroup(p.cmd.Process.Pid)
		_ = p.cmd.Process.Kill()
	}
	<-p.done
}
