package scanner

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// ptyPair is a pair of connected pseudo-terminals made by socat, standing in
// for a USB-CDC or RS-232 scanner: what is written to A comes out of B.
type ptyPair struct {
	t    *testing.T
	A, B string
	cmd  *exec.Cmd
	done chan struct{}
}

// startPair runs socat with links a and b in dir and waits for both.
func startPair(t *testing.T, dir, a, b string) *ptyPair {
	t.Helper()
	bin, err := exec.LookPath("socat")
	if err != nil {
		t.Fatalf("socat is required for the serial port tests and was not found (%v): install it with 'apt-get install socat' (.ci/install-deps does)", err)
	}
	p := &ptyPair{t: t, A: filepath.Join(dir, a), B: filepath.Join(dir, b), done: make(chan struct{})}
	p.cmd = exec.Command(bin, "pty,raw,echo=0,link="+p.A, "pty,raw,echo=0,link="+p.B)
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start socat: %v", err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(p.Stop)
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, ea := os.Stat(p.A)
		_, eb := os.Stat(p.B)
		if ea == nil && eb == nil {
			return p
		}
		select {
		case <-p.done:
			t.Fatalf("socat exited before making %s and %s", p.A, p.B)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("socat made no ptys at %s, %s within 5s", p.A, p.B)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Stop ends socat as an unplug does: both ptys go away and so do the links.
func (p *ptyPair) Stop() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(3 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// openA opens the device end for writing codes.
func (p *ptyPair) openA() *os.File {
	p.t.Helper()
	f, err := os.OpenFile(p.A, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		p.t.Fatalf("open %s: %v", p.A, err)
	}
	p.t.Cleanup(func() { f.Close() })
	return f
}
