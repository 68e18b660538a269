package printer

import (
	"context"
	"testing"
	"time"

	"go.bug.st/serial"

	"qrpos/devices/internal/ptypair"
)

// ptyPair is a socat pty pair (devices/internal/ptypair) standing in for the printer.
type ptyPair struct{ *ptypair.Pair }

func startPair(t testing.TB, dir, a, b string) *ptyPair {
	t.Helper()
	return &ptyPair{ptypair.Start(t, dir, a, b)}
}

// serveA runs a virtual printer on end A until the test ends.
func (p *ptyPair) serveA(v *Virtual) {
	p.T.Helper()
	port, err := serial.Open(p.A, &serial.Mode{BaudRate: 115200})
	if err != nil {
		p.T.Fatalf("open %s: %v", p.A, err)
	}
	port.SetReadTimeout(20 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { v.Serve(ctx, port); close(done) }()
	p.T.Cleanup(func() { cancel(); <-done; port.Close() })
}
