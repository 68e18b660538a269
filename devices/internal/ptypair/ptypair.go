// Package ptypair makes pairs of connected pseudo-terminals with socat for
// the device tests: real serial ports with no device behind them. It is for
// tests only.
package ptypair

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Pair is a pair of connected pseudo-terminals made by socat, standing in
// for a USB-CDC or RS-232 device: what is written to A comes out of B.
type Pair struct {
	T    testing.TB
	A, B string
	cmd  *exec.Cmd
	done chan struct{}
}

// Start runs socat with links a and b in dir and waits for both. It fails
// the test, never skips it, when socat is missing.
func Start(t testing.TB, dir, a, b string) *Pair {
	t.Helper()
	bin, err := exec.LookPath("socat")
	if err != nil {
		t.Fatalf("socat is required for the serial port tests and was not found (%v): install it with 'apt-get install socat' (.ci/install-deps does)", err)
	}
	p := &Pair{T: t, A: filepath.Join(dir, a), B: filepath.Join(dir, b), done: make(chan struct{})}
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
func (p *Pair) Stop() {
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
