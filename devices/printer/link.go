package printer

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"go.bug.st/serial"

	"qrpos/devices/serialport"
)

// A link is one way to reach a printer (serial, USB printer class,
// network, Windows spooler). The Printer opens a connection through it
// at first use and again after one failed, so a printer that was off,
// unplugged or unreachable is picked up by the next job.
type link interface {
	open(ctx context.Context) (*endpoint, error)
	target() Target
}

// endpoint is one open connection to a printer.
type endpoint struct {
	rw       io.ReadWriter
	path     string        // what was opened, for the logs
	charTime time.Duration // wire time of one byte (serial lines); 0: no pacing
	// reads: the connection can be read (a reader goroutine notices a
	// closed line and takes flow control and status answers); status:
	// the printer answers DLE EOT on it.
	reads, status bool
	doc           document // nil, or the spooler's document around each job
}

// document frames each job as one spooler document (Windows): begin
// before the job's bytes, end after them, abort when they failed.
type document interface {
	begin(name string) error
	end() error
	abort()
}

// newLink makes the link of cfg's port (cfg normalized).
func newLink(t Target, cfg *Config, mode *serial.Mode) (link, error) {
	switch t.Kind {
	case LinkSerial:
		return &serialLink{t: t, cfg: cfg, mode: mode}, nil
	case LinkTCP:
		return &tcpLink{t: t, cfg: cfg}, nil
	case LinkUSBLP:
		return &usblpLink{t: t, cfg: cfg}, nil
	case LinkWindows:
		sp := cfg.winspool
		if sp == nil {
			sp = systemSpooler()
		}
		return &windowsLink{t: t, sp: sp}, nil
	}
	return nil, fmt.Errorf("printer: unknown link %q", t.Kind)
}

// serialLink is a serial line: a path, a COM port or a USB identity
// resolved at every connection.
type serialLink struct {
	t    Target
	cfg  *Config
	mode *serial.Mode
}

func (l *serialLink) target() Target { return l.t }

func (l *serialLink) open(ctx context.Context) (*endpoint, error) {
	path, err := l.t.Serial.Resolve(l.cfg.Enumerate)
	if err != nil {
		return nil, fmt.Errorf("printer: %w", err)
	}
	if lpName.MatchString(filepath.Base(evalLink(path))) {
		// A udev name (/dev/pos-printer) for a printer-class device.
		return (&usblpLink{t: Target{Kind: LinkUSBLP, Path: path}, cfg: l.cfg}).open(ctx)
	}
	port, err := serial.Open(path, l.mode)
	if err != nil {
		return nil, fmt.Errorf("printer: open %s: %w", path, err)
	}
	if l.cfg.Flow == FlowRTSCTS {
		// Raise RTS and DTR (the printer may send) and make sure CTS can
		// be read at all.
		err := port.SetRTS(true)
		if err == nil {
			err = port.SetDTR(true)
		}
		if err == nil {
			_, err = port.GetModemStatusBits()
		}
		if err != nil {
			port.Close()
			return nil, fmt.Errorf("printer: open %s: RTS/CTS flow control needs a port with modem lines: %w", path, err)
		}
	}
	if err := port.SetReadTimeout(100 * time.Millisecond); err != nil {
		port.Close()
		return nil, fmt.Errorf("printer: open %s: %w", path, err)
	}
	var charTime time.Duration
	if !l.cfg.NoPacing {
		charTime = time.Duration(serialport.BitsPerChar(l.mode) * float64(time.Second) / float64(l.mode.BaudRate))
	}
	l.cfg.Logger.Info("printer port open", "path", path, "baud", l.mode.BaudRate, "flow", l.cfg.Flow)
	return &endpoint{rw: port, path: path, charTime: charTime, reads: true, status: true}, nil
}

// evalLink follows symbolic links, or returns path as it is.
func evalLink(path string) string {
	if p, err := filepath.EvalSymlinks(path); err == nil {
		return p
	}
	return path
}

// writeDeadline gives every write a deadline, so a printer that stops
// taking bytes (paper out on a link that cannot say so, a dead peer)
// fails the job instead of holding it for ever.
type writeDeadline struct {
	io.ReadWriteCloser
	set     func(time.Time) error
	timeout time.Duration
}

func (w writeDeadline) Write(p []byte) (int, error) {
	if w.timeout > 0 {
		_ = w.set(time.Now().Add(w.timeout)) // files that cannot time out write without one
	}
	return w.ReadWriteCloser.Write(p)
}

// fileDeadline wraps a device file opened for writing.
func fileDeadline(f *os.File, timeout time.Duration) writeDeadline {
	return writeDeadline{ReadWriteCloser: f, set: f.SetWriteDeadline, timeout: timeout}
}
