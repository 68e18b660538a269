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
	// Port says where the printer is (see ParseTarget), resolved at every
	// (re)connection: a serial port (/dev/ttyUSB0, COM4,
	// usb:VID:PID[:SERIAL]), a USB printer-class device (/dev/usb/lp0,
	// usblp:VID:PID[:SERIAL]), a network printer (tcp://HOST:9100) or an
	// installed Windows printer (windows:NAME). Open only.
	Port string
	Line      // serial lines only
	Flow Flow // serial lines only; default FlowNone
	Format

	// ChunkSize is how many bytes are written at a time between flow
	// control checks (default 32).
	ChunkSize int
	// NoPacing writes as fast as the port takes bytes instead of pacing
	// to the baud rate (for USB printers whose baud rate means nothing).
	// Only serial lines are paced at all.
	NoPacing bool
	// StatusTimeout is how long to wait for the answers to a status query
	// (default 1 s).
	StatusTimeout time.Duration
	// PauseTimeout is how long flow control may hold the line, or a
	// network, USB or spooler write may stall, before the job fails with
	// the printer's status or ErrBusy (default 30 s).
	PauseTimeout time.Duration
	// ConnectTimeout bounds connecting to a network printer (default 3 s).
	ConnectTimeout time.Duration
	// IdleClose releases a network printer's connection after this long
	// without a job or a status query, since many take one connection at
	// a time (default 10 s; negative: keep it open).
	IdleClose time.Duration
	// OnStatus, when set, hears every status the printer answers (before
	// and after each job, and Status). It is called while the printer is
	// busy: it must not call the printer.
	OnStatus func(Status)

	Enumerate Enumerator   // lists ports for usb: identities; nil: the system's
	Sysfs     Sysfs        // where Linux shows USB printers; zero: /sys and /dev
	Logger    *slog.Logger // nil: slog.Default()

	winspool winspool // the Windows spooler; nil: the system's
}

// Printer prints receipts on one ESC/POS printer. Its methods are safe for
// concurrent use; jobs and queries run one at a time.
type Printer struct {
	cfg  Config
	link link // nil: a connection given to New
	mode *serial.Mode
	log  *slog.Logger

	mu     sync.Mutex
	c      *conn
	given  io.ReadWriter // New's connection, used once
	closed bool
	idle   *time.Timer // releases an idle network connection
	used   time.Time   // the connection's last job or query
}

// ErrClosed is returned after Close, or when New's connection broke.
var ErrClosed = errors.New("printer closed")

// ErrBadReceipt means the receipt cannot be laid out (e.g. QR content over
// QRMaxData bytes): retrying will not help.
var ErrBadReceipt = errors.New("bad receipt")

// ErrNoStatus means the printer's connection cannot carry its status (the
// USB printer class, the Windows spooler, a network printer set to
// ?status=off): jobs count as printed once written.
var ErrNoStatus = errors.New("status not available on this connection")

func (cfg *Config) normalize() (*serial.Mode, error) {
	var err error
	if cfg.Format, err = cfg.Format.Normalized(); err != nil {
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
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 3 * time.Second
	}
	if cfg.IdleClose == 0 {
		cfg.IdleClose = 10 * time.Second
	}
	if cfg.Enumerate == nil {
		cfg.Enumerate = serialport.SystemPorts
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return mode, nil
}

// Open makes a printer on cfg.Port. It connects on first use and again
// after the connection failed (unplugged, switched off, out of reach), so
// a printer that is off at start-up or comes back under a new path (same
// USB identity) is picked up by the next job. Flow control is the serial
// line's: other links have their own, and ignore cfg.Flow (but RTS/CTS,
// which they cannot do, is refused).
func Open(cfg Config) (*Printer, error) {
	t, err := ParseTarget(cfg.Port)
	if err != nil {
		return nil, err
	}
	mode, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	if t.Kind != LinkSerial {
		if cfg.Flow == FlowRTSCTS {
			return nil, fmt.Errorf("printer: RTS/CTS flow control needs a serial line, not %s", t)
		}
		cfg.Flow = FlowNone
	}
	p := &Printer{cfg: cfg, mode: mode, log: cfg.Logger.With("device", "printer", "port", t.String())}
	p.cfg.Logger = p.log
	if p.link, err = newLink(t, &p.cfg, mode); err != nil {
		return nil, err
	}
	return p, nil
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

// Kind is the kind of link the printer is on (LinkSerial for New's).
func (p *Printer) Kind() LinkKind {
	if p.link == nil {
		return LinkSerial
	}
	return p.link.target().Kind
}

// StatusReadable reports whether the printer's status can be read over its
// connection (see ErrNoStatus).
func (p *Printer) StatusReadable() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.c != nil {
		return p.c.canStatus
	}
	return p.link == nil || p.link.target().StatusReadable()
}

// connect returns the live connection, opening it if needed (p.mu held).
func (p *Printer) connect(ctx context.Context) (*conn, error) {
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
	if p.link == nil {
		if p.given == nil {
			return nil, ErrClosed
		}
		ep := &endpoint{rw: p.given, reads: true, status: true}
		if !p.cfg.NoPacing {
			ep.charTime = time.Duration(serialport.BitsPerChar(p.mode) * float64(time.Second) / float64(p.mode.BaudRate))
		}
		p.c = newConn(ep, p.cfg.Flow, p.cfg.ChunkSize)
		p.given = nil
		return p.c, nil
	}
	ep, err := p.link.open(ctx)
	if err != nil {
		return nil, err
	}
	p.c = newConn(ep, p.cfg.Flow, p.cfg.ChunkSize)
	return p.c, nil
}

// drop forgets a connection after an I/O error so the next call reopens it.
func (p *Printer) drop(c *conn, err error) {
	var se *StatusError
	if err == nil || errors.Is(err, ErrNoAnswer) || errors.Is(err, ErrBusy) || errors.As(err, &se) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return
	}
	p.forget(c)
}

// forget closes a connection and forgets it, unless it is New's, which
// cannot be reopened (broken() tells later calls).
func (p *Printer) forget(c *conn) {
	if p.link == nil {
		return
	}
	c.close()
	if p.c == c {
		p.c = nil
	}
}

// touch notes that the connection was used and, on a network printer,
// (re)arms its release when idle (p.mu held).
func (p *Printer) touch() {
	d := p.cfg.IdleClose
	if d <= 0 || p.link == nil || p.link.target().Kind != LinkTCP || p.closed {
		return
	}
	p.used = time.Now()
	if p.idle == nil {
		p.idle = time.AfterFunc(d, p.releaseIdle)
	} else {
		p.idle.Reset(d)
	}
}

// releaseIdle closes a network connection nobody used for IdleClose.
func (p *Printer) releaseIdle() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.c == nil || time.Since(p.used) < p.cfg.IdleClose {
		return
	}
	p.log.Debug("printer connection idle: released")
	p.c.close()
	p.c = nil
}

// heard hands an answered status to OnStatus.
func (p *Printer) heard(st Status) {
	if p.cfg.OnStatus != nil {
		p.cfg.OnStatus(st)
	}
}

// Status queries the printer's real-time status. The error is nil when it
// can print; a *StatusError when it answered but cannot (errors.Is with
// ErrPaperOut, ErrCoverOpen, ErrFault, ErrOffline); ErrNoAnswer when it
// did not answer in time; ErrNoStatus when its connection cannot say; or
// the port's error.
func (p *Printer) Status(ctx context.Context) (Status, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.link != nil && !p.link.target().StatusReadable() {
		return Status{}, fmt.Errorf("printer status: %w", ErrNoStatus)
	}
	c, err := p.connect(ctx)
	if err != nil {
		return Status{}, err
	}
	defer p.touch()
	if !c.canStatus {
		return Status{}, fmt.Errorf("printer status: %w", ErrNoStatus)
	}
	st, err := c.query(ctx, p.cfg.StatusTimeout)
	if err != nil {
		p.drop(c, err)
		return st, fmt.Errorf("printer status: %w", err)
	}
	p.heard(st)
	if err := st.Err(); err != nil {
		return st, fmt.Errorf("printer status: %w", err)
	}
	return st, nil
}

// Print prints one receipt: status first (nothing is sent to a printer
// that cannot print), the job in paced chunks under flow control, then
// status again. It returns nil only when the job was written and the
// status after it is clean; any error means "not surely printed": keep the
// job queued and retry (except ErrBadReceipt). On a connection without
// status (see ErrNoStatus) it returns nil once the job was written.
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
	c, err := p.connect(ctx)
	if err != nil {
		return fmt.Errorf("print %s: %w", ref, err)
	}
	defer p.touch()
	if err := p.check(ctx, c, ref, "before"); err != nil {
		return err
	}
	if err := p.write(ctx, c, ref, data); err != nil {
		return err
	}
	if err := p.check(ctx, c, ref, "after"); err != nil {
		return err
	}
	if !c.canStatus {
		p.log.Info("printed (status not available on this connection: counted printed when written)", "job", ref, "bytes", len(data), "took", time.Since(start).Round(time.Millisecond))
		return nil
	}
	p.log.Info("printed", "job", ref, "bytes", len(data), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// check asks the printer's status and fails unless it can print; nothing
// to ask on a connection without status.
func (p *Printer) check(ctx context.Context, c *conn, ref, when string) error {
	if !c.canStatus {
		return nil
	}
	st, err := c.query(ctx, p.cfg.StatusTimeout)
	if err == nil {
		p.heard(st)
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

// write sends one job's bytes and waits until they are out: inside one
// spooler document on a Windows printer, whose half-written document is
// deleted on failure so that only whole jobs print.
func (p *Printer) write(ctx context.Context, c *conn, ref string, data []byte) error {
	fail := func(what string, err error) error {
		if c.doc != nil {
			c.doc.abort()
			p.forget(c)
		} else {
			p.drop(c, err)
		}
		return fmt.Errorf("print %s: %s: %w", ref, what, err)
	}
	if c.doc != nil {
		if err := c.doc.begin(ref); err != nil {
			return fail("start", err)
		}
	}
	if err := c.send(ctx, data, p.cfg.PauseTimeout); err != nil {
		if errors.Is(err, ErrBusy) && c.canStatus {
			if serr := p.check(ctx, c, ref, "while held"); serr != nil {
				return serr
			}
		}
		return fail("write", err)
	}
	if err := c.settle(ctx); err != nil {
		return fail("drain", err)
	}
	if c.doc != nil {
		if err := c.doc.end(); err != nil {
			return fail("end", err)
		}
	}
	return nil
}

// Close closes the connection; later calls return ErrClosed.
func (p *Printer) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	if p.idle != nil {
		p.idle.Stop()
	}
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
