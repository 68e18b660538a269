package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"go.bug.st/serial"

	"qrpos/devices/serialport"
)

// Config says where the printer is, how its line runs and how receipts are
// laid out for it.
type Config struct {
	// Port is a path (/dev/ttyUSB0, COM4) or a USB identity
	// (usb:VID:PID[:SERIAL]), resolved at every (re)connection. Open only.
	Port string
	Line
	Flow Flow // default FlowNone
	Format

	// ChunkSize is how many bytes are written at a time between flow
	// control checks (default 32).
	ChunkSize int
	// NoPacing writes as fast as the port takes bytes instead of pacing
	// to the baud rate (for USB printers whose baud rate means nothing).
	NoPacing bool
	// StatusTimeout is how long to wait for the answers to a status query
	// (default 1 s).
	StatusTimeout time.Duration
	// PauseTimeout is how long flow control may hold the line before the
	// job fails with the printer's status or ErrBusy (default 30 s).
	PauseTimeout time.Duration

	Enumerate Enumerator   // lists ports for usb: identities; nil: the system's
	Logger    *slog.Logger // nil: slog.Default()
}

// Printer prints receipts on one ESC/POS printer. Its methods are safe for
// concurrent use; jobs and queries run one at a time.
type Printer struct {
	cfg  Config
	spec *PortSpec // nil: a connection given to New
	mode *serial.Mode
	log  *slog.Logger

	mu     sync.Mutex
	c      *conn
	given  io.ReadWriter // New's connection, used once
	closed bool
}

// ErrClosed is returned after Close, or when New's connection broke.
var ErrClosed = errors.New("printer closed")

// ErrBadReceipt means the receipt cannot be laid out (e.g. QR content over
// QRMaxData bytes): retrying will not help.
var ErrBadReceipt = errors.New("bad receipt")

func (cfg *Config) normalize() (*serial.Mode, error) {
	var err error
	if cfg.Format, err = cfg.Format.normalized(); err != nil {
		return nil, err
	}
	if cfg.Flow, err = ParseFlow(string(cfg.Flow)); err != nil {
		return nil, err
	}
	mode, err := cfg.Line.Mode()
	if err != nil {
		return nil, err
	}
	if cfg.ChunkSize <= 0 {
		cfg.ChunkSize = 32
	}
	if cfg.StatusTimeout <= 0 {
		cfg.StatusTimeout = time.Second
	}
	if cfg.PauseTimeout <= 0 {
		cfg.PauseTimeout = 30 * time.Second
	}
	if cfg.Enumerate == nil {
		cfg.Enumerate = serialport.SystemPorts
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return mode, nil
}

// Open makes a printer on a serial port. It connects on first use and
// again after the port failed (unplugged, switched off), so a printer
// that is off at start-up or comes back under a new path (same USB
// identity) is picked up by the next job.
func Open(cfg Config) (*Printer, error) {
	spec, err := ParsePort(cfg.Port)
	if err != nil {
		return nil, err
	}
	mode, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	return &Printer{cfg: cfg, spec: &spec, mode: mode, log: cfg.Logger.With("device", "printer", "port", spec.String())}, nil
}

// New makes a printer on an open connection: a Virtual, a TCP socket, a
// port opened elsewhere. The printer owns rw and closes it (if it is an
// io.Closer) on Close. Writes are paced to cfg.Baud only when it is set.
// RTS/CTS needs rw to have GetModemStatusBits.
func New(rw io.ReadWriter, cfg Config) (*Printer, error) {
	baud := cfg.Baud
	mode, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	if baud == 0 {
		cfg.NoPacing = true
	}
	if _, ok := rw.(modemPort); cfg.Flow == FlowRTSCTS && !ok {
		return nil, errors.New("printer: RTS/CTS flow control needs a port with modem lines")
	}
	return &Printer{cfg: cfg, mode: mode, given: rw, log: cfg.Logger.With("device", "printer")}, nil
}

// connect returns the live connection, opening it if needed (p.mu held).
func (p *Printer) connect() (*conn, error) {
	if p.closed {
		return nil, ErrClosed
	}
	if p.c != nil {
		err := p.c.broken()
		if err == nil {
			return p.c, nil
		}
		p.log.Warn("printer connection lost", "error", err)
		p.c.close()
		p.c = nil
	}
	var charTime time.Duration
	if !p.cfg.NoPacing {
		charTime = time.Duration(serialport.BitsPerChar(p.mode) * float64(time.Second) / float64(p.mode.BaudRate))
	}
	if p.spec == nil {
		if p.given == nil {
			return nil, ErrClosed
		}
		p.c = newConn(p.given, p.cfg.Flow, charTime, p.cfg.ChunkSize)
		p.given = nil
		return p.c, nil
	}
	path, err := p.spec.Resolve(p.cfg.Enumerate)
	if err != nil {
		return nil, fmt.Errorf("printer: %w", err)
	}
	port, err := serial.Open(path, p.mode)
	if err != nil {
		return nil, fmt.Errorf("printer: open %s: %w", path, err)
	}
	if p.cfg.Flow == FlowRTSCTS {
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
	p.log.Info("printer port open", "path", path, "baud", p.mode.BaudRate, "flow", p.cfg.Flow)
	p.c = newConn(port, p.cfg.Flow, charTime, p.cfg.ChunkSize)
	return p.c, nil
}

// drop forgets a connection after an I/O error so the next call reopens it.
func (p *Printer) drop(c *conn, err error) {
	var se *StatusError
	if err == nil || errors.As(err, &se) || errors.Is(err, ErrNoAnswer) || errors.Is(err, ErrBusy) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return
	}
	if p.spec == nil {
		return // New's connection cannot be reopened; broken() tells later calls
	}
	c.close()
	if p.c == c {
		p.c = nil
	}
}

// Status queries the printer's real-time status. The error is nil when it
// can print; a *StatusError when it answered but cannot (errors.Is with
// ErrPaperOut, ErrCoverOpen, ErrFault, ErrOffline); ErrNoAnswer when it
// did not answer in time; or the port's error.
func (p *Printer) Status(ctx context.Context) (Status, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.connect()
	if err != nil {
		return Status{}, err
	}
	st, err := c.query(ctx, p.cfg.StatusTimeout)
	if err != nil {
		p.drop(c, err)
		return st, fmt.Errorf("printer status: %w", err)
	}
	if err := st.Err(); err != nil {
		return st, fmt.Errorf("printer status: %w", err)
	}
	return st, nil
}

// Print prints one receipt: status first (nothing is sent to a printer
// that cannot print), the job in paced chunks under flow control, then
// status again. It returns nil only when the job was written and the
// status after it is clean; any error means "not surely printed": keep the
// job queued and retry (except ErrBadReceipt).
func (p *Printer) Print(ctx context.Context, r Receipt) error {
	data, err := Layout(r, p.cfg.Format)
	if err != nil {
		return fmt.Errorf("print %s: %w: %w", r.OrderNo, ErrBadReceipt, err)
	}
	return p.job(ctx, r.OrderNo, data)
}

// PrintRaw sends prepared ESC/POS bytes as one job, with the same status
// checks as Print; ref names the job in errors and logs.
func (p *Printer) PrintRaw(ctx context.Context, ref string, data []byte) error {
	return p.job(ctx, ref, data)
}

func (p *Printer) job(ctx context.Context, ref string, data []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	start := time.Now()
	c, err := p.connect()
	if err != nil {
		return fmt.Errorf("print %s: %w", ref, err)
	}
	check := func(when string) error {
		st, err := c.query(ctx, p.cfg.StatusTimeout)
		if err == nil {
			err = st.Err()
		}
		if err != nil {
			p.drop(c, err)
			return fmt.Errorf("print %s: status %s: %w", ref, when, err)
		}
		if st.PaperNearEnd {
			p.log.Warn("printer paper near end", "job", ref)
		}
		return nil
	}
	if err := check("before"); err != nil {
		return err
	}
	if err := c.send(ctx, data, p.cfg.PauseTimeout); err != nil {
		if errors.Is(err, ErrBusy) {
			if serr := check("while held"); serr != nil {
				return serr
			}
		}
		p.drop(c, err)
		return fmt.Errorf("print %s: write: %w", ref, err)
	}
	if err := c.settle(ctx); err != nil {
		p.drop(c, err)
		return fmt.Errorf("print %s: drain: %w", ref, err)
	}
	if err := check("after"); err != nil {
		return err
	}
	p.log.Info("printed", "job", ref, "bytes", len(data), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// Close closes the connection; later calls return ErrClosed.
func (p *Printer) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	if p.c != nil {
		p.c.close()
		p.c = nil
	}
	if p.given != nil {
		if cl, ok := p.given.(io.Closer); ok {
			cl.Close()
		}
		p.given = nil
	}
	return nil
}
