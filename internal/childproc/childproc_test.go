package childproc_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/elb-otel/elb-otel/internal/childproc"
)

// roleEnv makes the test binary play a part in a test instead of running the
// tests.
const roleEnv = "CHILDPROC_TEST_ROLE"

func TestMain(m *testing.M) {
	switch os.Getenv(roleEnv) {
	case "sleep": // wait to be killed
		time.Sleep(time.Hour)
	case "exit3":
		fmt.Println("bye")
		os.Exit(3)
	case "parent": // start a sleeping child with Start, print its pid, wait to be killed
		p, err := childproc.Start(self("sleep", os.Stdout))
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println(p.Pid())
		time.Sleep(time.Hour)
	case "forker": // start a sleeping child without Start (so in this group), then sleep
		if err := self("sleep", os.Stdout).Start(); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("started")
		time.Sleep(time.Hour)
	default:
		os.Exit(m.Run())
	}
}

// self returns a command running this test binary in role, with stdout as
// its standard output.
func self(role string, stdout io.Writer) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), roleEnv+"="+role)
	cmd.Stdout = stdout
	return cmd
}

// closedWithin reports whether r reaches EOF within d: whether every process
// holding the pipe's write end has exited.
func closedWithin(r io.Reader, d time.Duration) bool {
	eof := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, r)
		close(eof)
	}()
	select {
	case <-eof:
		return true
	case <-time.After(d):
		return false
	}
}

func TestStart_DoneAndErrReportTheExit(t *testing.T) {
	t.Parallel()
	var out childproc.SyncBuffer
	p, err := childproc.Start(self("exit3", &out))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Done():
	case <-time.After(30 * time.Second):
		p.Kill()
		t.Fatal("the child did not exit")
	}
	var exit *exec.ExitError
	if !errors.As(p.Err(), &exit) || exit.ExitCode() != 3 {
		t.Errorf("Err = %v, want exit status 3", p.Err())
	}
	if out.String() != "bye\n" {
		t.Errorf("output %q, want %q", out.String(), "bye\n")
	}
	p.Kill() // harmless once the child has exited
}

func TestStart_FailsForAMissingProgram(t *testing.T) {
	t.Parallel()
	p, err := childproc.Start(exec.Command(t.TempDir() + "/no-such-program"))
	if err == nil || p != nil {
		t.Fatalf("Start = %v, %v; want an error", p, err)
	}
}

// Kill stops what the child forked, too: the whole process group.
func TestKill_KillsTheProcessGroup(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no process groups")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p, err := childproc.Start(self("forker", w))
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(r)
	if line, err := br.ReadString('\n'); line != "started\n" {
		p.Kill()
		t.Fatalf("child said %q, %v", line, err)
	}
	p.Kill()
	select {
	case <-p.Done():
	default:
		t.Error("Done is open after Kill")
	}
	if !closedWithin(br, 10*time.Second) {
		t.Error("the child's own child still runs 10 s after Kill")
	}
}

// A parent killed without stopping its child (a test binary's timeout, a
// kill -9) must not leave the child behind, however long after the start.
func TestStart_ChildDiesWithItsParent(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("only Linux has a parent-death signal")
	}
	// The grandchild writes to the same pipe as the parent: the pipe closes
	// when both have exited.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	parent := self("parent", w)
	err = parent.Start()
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(r)
	line, err := br.ReadString('\n')
	if _, perr := strconv.Atoi(strings.TrimSpace(line)); perr != nil {
		_ = parent.Process.Kill()
		_ = parent.Wait()
		t.Fatalf("parent said %q, %v", line, err)
	}
	// Let the parent's runtime retire idle threads, as a long test would.
	time.Sleep(200 * time.Millisecond)
	_ = parent.Process.Kill()
	_ = parent.Wait()
	if !closedWithin(br, 10*time.Second) {
		t.Errorf("child %s still runs 10 s after its parent was killed", strings.TrimSpace(line))
	}
}

func TestSyncBuffer_ConcurrentWritesAndReads(t *testing.T) {
	t.Parallel()
	var b childproc.SyncBuffer
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				_, _ = b.Write([]byte("x"))
				_ = b.String()
			}
		}()
	}
	wg.Wait()
	if n := len(b.String()); n != 400 {
		t.Errorf("holds %d bytes, want 400", n)
	}
}

func TestSyncBuffer_TailKeepsTheLastBytes(t *testing.T) {
	t.Parallel()
	b := childproc.SyncBuffer{Tail: 5}
	for _, s := range []string{"abc", "defg", "h", "0123456789"} {
		if n, err := b.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	if got := b.String(); got != "56789" {
		t.Errorf("String = %q, want %q", got, "56789")
	}
}

func TestFreePort_ReturnsAPort(t *testing.T) {
	t.Parallel()
	// Whether it is still free is not testable: another process (another
	// test package) may take it at any time.
	port, err := childproc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	if port <= 0 || port > 65535 {
		t.Errorf("FreePort = %d, want a TCP port", port)
	}
}
