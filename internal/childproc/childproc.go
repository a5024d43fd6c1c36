package childproc

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"runtime"
	"sync"
)

// Process is a started child whose end can be awaited.
type Process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once the child has exited
	err  error         // cmd.Wait's error, set before done closes
}

// Start starts cmd (replacing its SysProcAttr) in its own process group, and
// on Linux with SIGKILL as its parent-death signal. It starts it from a
// goroutine locked to its OS thread that lives until the child exits: on
// Linux the parent-death signal fires when the thread that forked the child
// ends, not when the process does, and Go may retire an idle thread at any
// time. The caller must not call cmd.Wait: the Process does.
func Start(cmd *exec.Cmd) (*Process, error) {
	cmd.SysProcAttr = sysProcAttr()
	p := &Process{cmd: cmd, done: make(chan struct{})}
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

// Done is closed once the child has exited and its output has been copied.
func (p *Process) Done() <-chan struct{} { return p.done }

// Err is cmd.Wait's error (nil for a zero exit status). It is valid once Done
// is closed.
func (p *Process) Err() error { return p.err }

// Pid is the child's process ID, which is also its process group's ID.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Signal sends sig to the child (not to its group).
func (p *Process) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }

// Kill kills the child's whole process group and waits for the child. Called
// after the child has exited, it still kills what the child left in its
// group. It may be called more than once.
func (p *Process) Kill() {
	killGroup(p.cmd.Process.Pid)
	_ = p.cmd.Process.Kill()
	<-p.done
}

// SyncBuffer is a bytes.Buffer safe for concurrent writes and reads: a
// child's output, written by the goroutine exec copies it with and read by
// the caller. The zero value is an empty, unbounded buffer.
type SyncBuffer struct {
	// Tail, when positive, bounds the buffer: it keeps only the last Tail
	// bytes written.
	Tail int

	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p (and drops what precedes the last Tail bytes). It never
// fails.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Write(p)
	if over := s.b.Len() - s.Tail; s.Tail > 0 && over > 0 {
		s.b.Next(over)
	}
	return len(p), nil
}

// String returns what the buffer holds.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// FreePort returns a TCP port free on 127.0.0.1 at the time of the call.
// Another process can take it before the caller binds it: a caller that
// hands it to a child retries with a new port when the child fails to bind.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
