// Package childproc starts the child processes of the test-support packages
// (moto_server, the CDK CLI, a Lambda bootstrap) so that they cannot outlive
// what started them: each runs in its own process group, which [Process.Kill]
// kills whole, and on Linux the kernel kills it should this process die
// without stopping it (a test binary's timeout panic, a kill -9).
//
//	cmd := exec.Command("moto_server", "-p", strconv.Itoa(port))
//	out := &childproc.SyncBuffer{}
//	cmd.Stdout, cmd.Stderr = out, out
//	p, err := childproc.Start(cmd)
//	defer p.Kill()
//	select {
//	case <-p.Done():
//		return fmt.Errorf("exited (%v); its output:\n%s", p.Err(), out.String())
//	case <-ready:
//	}
//
// It also holds the two small helpers such code needs: [SyncBuffer], a
// child's output readable while the child writes it, and [FreePort].
package childproc
