package printer

import (
	"context"
	"fmt"
	"net"
	"time"
)

// tcpLink is a network printer's raw port. The connection stays open
// between jobs (TCP keep-alive notices a printer that went away without
// closing it) and is released after Config.IdleClose, since many network
// printers take one connection at a time and other software may want to
// print too. Status queries go over the same socket.
type tcpLink struct {
	t   Target
	cfg *Config
}

func (l *tcpLink) target() Target { return l.t }

func (l *tcpLink) open(ctx context.Context) (*endpoint, error) {
	d := net.Dialer{
		Timeout: l.cfg.ConnectTimeout,
		KeepAliveConfig: net.KeepAliveConfig{
			Enable: true, Idle: 15 * time.Second, Interval: 5 * time.Second, Count: 3,
		},
	}
	c, err := d.DialContext(ctx, "tcp", l.t.Addr)
	if err != nil {
		return nil, fmt.Errorf("printer: connect %s: %w", l.t.Addr, err)
	}
	l.cfg.Logger.Info("printer connected", "addr", l.t.Addr, "status", !l.t.NoStatus)
	rw := writeDeadline{ReadWriteCloser: c, set: c.SetWriteDeadline, timeout: l.cfg.PauseTimeout}
	// Read even without status: a printer closing the socket is seen at
	// once, not by losing the next job's bytes.
	return &endpoint{rw: rw, path: l.t.Addr, reads: true, status: !l.t.NoStatus}, nil
}
