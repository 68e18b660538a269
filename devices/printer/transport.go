package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"go.bug.st/serial"
)

// Flow is the flow control of the printer's serial line.
//
// go.bug.st/serial has no flow control of its own (it turns the kernel's
// off), so the printer does it in software:
//   - FlowXONXOFF: the reader stops the writer at XOFF (0x13) and lets it go
//     at XON (0x11), checked before every chunk;
//   - FlowRTSCTS: the writer reads the CTS line (GetModemStatusBits) before
//     every chunk and waits while it is low. It needs a port with modem
//     lines: a pty has none, so it is refused there.
//
// The limit of both: bytes already handed to the port when the printer
// says stop still go out. Writes are therefore paced to the line rate and
// kept at most one chunk ahead of the wire, so at most about two chunks
// (plus the UART's FIFO) follow a stop signal; printers send XOFF or drop
// CTS with 128 or more bytes still free in their 4 KB buffer mode. Keep
// ChunkSize at 8 for printers set to a 45-byte buffer.
type Flow string

// Flow control modes.
const (
	FlowNone    Flow = "none"
	FlowRTSCTS  Flow = "rtscts"
	FlowXONXOFF Flow = "xonxoff"
)

// ParseFlow reads "none", "rtscts" or "xonxoff" (any case; "" is none).
func ParseFlow(s string) (Flow, error) {
	switch f := Flow(strings.ToLower(strings.ReplaceAll(s, "/", ""))); f {
	case FlowNone, FlowRTSCTS, FlowXONXOFF:
		return f, nil
	case "":
		return FlowNone, nil
	}
	return "", fmt.Errorf("printer: unknown flow control %q (want none, rtscts or xonxoff)", s)
}

// ErrBusy means flow control held the line longer than PauseTimeout while
// the printer reported nothing wrong.
var ErrBusy = errors.New("printer busy (flow control held the line)")

// modemPort is a port with readable modem lines (for RTS/CTS).
type modemPort interface {
	GetModemStatusBits() (*serial.ModemStatusBits, error)
}

// conn is one open connection to a printer, with the reader goroutine that
// sorts what the printer sends into status answers and flow control (on
// connections that can be read).
type conn struct {
	rw        io.ReadWriter
	closer    io.Closer
	flow      Flow
	charTime  time.Duration // wire time of one byte; 0: no pacing
	chunk     int
	reads     bool     // a reader goroutine runs
	canStatus bool     // the printer answers DLE EOT here
	doc       document // nil, or the spooler's document around each job

	answers chan byte

	mu       sync.Mutex
	paused   bool
	resume   chan struct{} // closed at XON
	wireFree time.Time     // when the bytes written so far are on the wire

	done    chan struct{} // the reader has stopped
	readErr error         // why (set before done is closed)
}

func newConn(ep *endpoint, flow Flow, chunk int) *conn {
	c := &conn{rw: ep.rw, flow: flow, charTime: ep.charTime, chunk: chunk, reads: ep.reads, canStatus: ep.status && ep.reads,
		doc: ep.doc, answers: make(chan byte, 16), done: make(chan struct{})}
	if cl, ok := ep.rw.(io.Closer); ok {
		c.closer = cl
	}
	if c.reads {
		go c.read()
	}
	return c
}

// read runs until the port fails or is closed. A serial port opened here
// has a read timeout, so a quiet line returns 0 bytes now and then; the
// loop simply reads again.
func (c *conn) read() {
	buf := make([]byte, 64)
	for {
		n, err := c.rw.Read(buf)
		for _, b := range buf[:n] {
			switch {
			case b == xof && c.flow == FlowXONXOFF:
				c.setPaused(true)
			case b == xon && c.flow == FlowXONXOFF:
				c.setPaused(false)
			case validStatus(b):
				select {
				case c.answers <- b:
				default: // nobody asked: stale answers are dropped
				}
			}
		}
		if err != nil {
			c.readErr = err
			close(c.done)
			return
		}
	}
}

func (c *conn) setPaused(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if on == c.paused {
		return
	}
	c.paused = on
	if on {
		c.resume = make(chan struct{})
	} else {
		close(c.resume)
	}
}

// broken reports why the connection can no longer be used, or nil (on a
// connection that is not read, only a failed write tells).
func (c *conn) broken() error {
	select {
	case <-c.done:
		if c.readErr == nil || errors.Is(c.readErr, io.EOF) {
			return io.ErrUnexpectedEOF
		}
		return c.readErr
	default:
		return nil
	}
}

func (c *conn) close() {
	if c.closer != nil {
		c.closer.Close()
		if c.reads {
			<-c.done
		}
	}
}

// waitClear waits while flow control says stop, up to timeout.
func (c *conn) waitClear(ctx context.Context, timeout time.Duration) error {
	var deadline <-chan time.Time
	for {
		c.mu.Lock()
		paused, resume := c.paused, c.resume
		c.mu.Unlock()
		ctsLow := false
		if c.flow == FlowRTSCTS {
			m, ok := c.rw.(modemPort)
			if !ok {
				return errors.New("RTS/CTS: the port has no modem lines")
			}
			bits, err := m.GetModemStatusBits()
			if err != nil {
				return fmt.Errorf("RTS/CTS: read CTS: %w", err)
			}
			ctsLow = !bits.CTS
		}
		if !paused && !ctsLow {
			return nil
		}
		if deadline == nil {
			t := time.NewTimer(timeout)
			defer t.Stop()
			deadline = t.C
		}
		var wake <-chan struct{}
		var poll <-chan time.Time
		if paused {
			wake = resume
		} else {
			poll = time.After(2 * time.Millisecond)
		}
		select {
		case <-wake:
		case <-poll:
		case <-deadline:
			return ErrBusy
		case <-c.done:
			return c.broken()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// pace waits until at most ahead bytes' worth of earlier writes are still
// on their way out, so the port never holds much more than a chunk.
func (c *conn) pace(ctx context.Context, ahead int) error {
	if c.charTime == 0 {
		return nil
	}
	c.mu.Lock()
	wait := time.Until(c.wireFree) - time.Duration(ahead)*c.charTime
	c.mu.Unlock()
	if wait <= 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// write hands p to the port and moves the wire clock on.
func (c *conn) write(p []byte) error {
	for len(p) > 0 {
		n, err := c.rw.Write(p)
		if n > 0 {
			c.mu.Lock()
			if now := time.Now(); c.wireFree.Before(now) {
				c.wireFree = now
			}
			c.wireFree = c.wireFree.Add(time.Duration(n) * c.charTime)
			c.mu.Unlock()
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return io.ErrShortWrite
		}
		p = p[n:]
	}
	return nil
}

// send writes a job in chunks, respecting flow control and the line rate.
func (c *conn) send(ctx context.Context, p []byte, pauseTimeout time.Duration) error {
	for len(p) > 0 {
		if err := c.waitClear(ctx, pauseTimeout); err != nil {
			return err
		}
		if err := c.pace(ctx, c.chunk); err != nil {
			return err
		}
		n := min(c.chunk, len(p))
		if err := c.write(p[:n]); err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
}

// settle waits until everything written is on the wire.
func (c *conn) settle(ctx context.Context) error {
	if err := c.pace(ctx, 0); err != nil {
		return err
	}
	if d, ok := c.rw.(interface{ Drain() error }); ok {
		return d.Drain()
	}
	return nil
}

// query sends DLE EOT 1..4 (real-time: sent even while flow control says
// stop) and collects the four answers within timeout of the query being on
// the wire.
func (c *conn) query(ctx context.Context, timeout time.Duration) (Status, error) {
	for len(c.answers) > 0 {
		<-c.answers
	}
	if err := c.write(statusQuery); err != nil {
		return Status{}, err
	}
	c.mu.Lock()
	wire := max(time.Until(c.wireFree), 0)
	c.mu.Unlock()
	t := time.NewTimer(wire + timeout)
	defer t.Stop()
	var raw [4]byte
	for i := range raw {
		select {
		case raw[i] = <-c.answers:
		case <-t.C:
			return Status{}, fmt.Errorf("%w to DLE EOT %d within %v", ErrNoAnswer, i+1, timeout)
		case <-c.done:
			return Status{}, c.broken()
		case <-ctx.Done():
			return Status{}, ctx.Err()
		}
	}
	return ParseStatus(raw), nil
}
