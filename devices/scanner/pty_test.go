package scanner

import (
	"os"
	"syscall"
	"testing"

	"qrpos/devices/internal/ptypair"
)

// ptyPair is a socat pty pair (devices/internal/ptypair) standing in for the scanner.
type ptyPair struct{ *ptypair.Pair }

func startPair(t testing.TB, dir, a, b string) *ptyPair {
	t.Helper()
	return &ptyPair{ptypair.Start(t, dir, a, b)}
}

// openA opens the device end for writing codes.
func (p *ptyPair) openA() *os.File {
	p.T.Helper()
	f, err := os.OpenFile(p.A, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		p.T.Fatalf("open %s: %v", p.A, err)
	}
	p.T.Cleanup(func() { f.Close() })
	return f
}
