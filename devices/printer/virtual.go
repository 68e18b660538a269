package printer

import (
	"context"
	"io"
	"sync"
	"time"
)

// virtualState is what the virtual printer's sensors say.
type virtualState struct {
	paperOut, coverOpen, nearEnd, fault, silent, drawerOpen bool
}

// Virtual is a printer in memory: write ESC/POS to it, read its answers to
// status queries (DLE EOT). It decodes what it is sent into Printouts, one
// per cut, which render as text or PNG. It is safe for concurrent use.
//
// While the paper is out or the cover is open it prints nothing (the data
// is dropped, as it would be lost when the job is reprinted) but still
// answers status queries.
type Virtual struct {
	mu        sync.Mutex
	cond      *sync.Cond
	dec       *decoder
	out       []byte
	closed    bool
	state     virtualState
	discarded int

	// receive buffer emulation (WithReceiveBuffer)
	bufSize, margin, rate int
	rx                    []byte
	overflow              int
	xoffSent              bool
	xoffCount             int
	rt                    rtScanner
	stop                  chan struct{}
	stopped               chan struct{}
}

// VirtualOption configures NewVirtual.
type VirtualOption func(*virtualConfig)

type virtualConfig struct {
	width                 int
	enc                   Encoding
	chineseStart          bool
	bufSize, margin, rate int
}

// WithWidth sets the paper width in columns (32, 42 or 48; default 48).
func WithWidth(cols int) VirtualOption { return func(c *virtualConfig) { c.width = cols } }

// WithEncoding sets the double-byte code system (default Big5).
func WithEncoding(e Encoding) VirtualOption { return func(c *virtualConfig) { c.enc = e } }

// WithChineseModeAtStart makes Chinese mode the power-on state, as on many
// mainland models, for software that sends GB18030 without FS &.
func WithChineseModeAtStart() VirtualOption {
	return func(c *virtualConfig) { c.chineseStart = true }
}

// WithReceiveBuffer emulates a printer's receive buffer of size bytes that
// prints at rate bytes per second: it sends XOFF when fewer than margin
// bytes are free and XON when half the buffer is free again, reports Busy
// meanwhile (for a CTS line), and loses (counts in Overflowed) bytes that
// arrive when it is full. Status queries are answered on reception, as
// real-time commands are. Close stops its print clock.
func WithReceiveBuffer(size, margin, rate int) VirtualOption {
	return func(c *virtualConfig) { c.bufSize, c.margin, c.rate = size, margin, rate }
}

// NewVirtual makes a virtual printer: 48 columns, Big5, unless told
// otherwise.
func NewVirtual(opts ...VirtualOption) *Virtual {
	cfg := virtualConfig{width: Width80mm, enc: Big5}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.width <= 0 {
		cfg.width = Width80mm
	}
	if e, err := ParseEncoding(string(cfg.enc)); err == nil {
		cfg.enc = e
	} else {
		cfg.enc = Big5
	}
	v := &Virtual{dec: newDecoder(cfg.enc, cfg.width, cfg.chineseStart)}
	v.cond = sync.NewCond(&v.mu)
	if cfg.bufSize > 0 && cfg.rate > 0 {
		v.bufSize, v.margin, v.rate = cfg.bufSize, min(max(cfg.margin, 1), cfg.bufSize), cfg.rate
		v.stop, v.stopped = make(chan struct{}), make(chan struct{})
		go v.printClock()
	} else {
		v.dec.onStatus = v.answerLocked
	}
	return v
}

// answerLocked queues the reply to DLE EOT n (v.mu held).
func (v *Virtual) answerLocked(n byte) {
	if v.state.silent {
		return
	}
	if b, ok := v.state.answer(n); ok {
		v.out = append(v.out, b)
		v.cond.Broadcast()
	}
}

// Write takes ESC/POS bytes. It never fails before Close.
func (v *Virtual) Write(p []byte) (int, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return 0, io.ErrClosedPipe
	}
	if v.bufSize == 0 {
		v.feedLocked(p)
		return len(p), nil
	}
	for _, b := range p {
		if n, ok := v.rt.scan(b); ok {
			v.answerLocked(n)
		}
		if len(v.rx) >= v.bufSize {
			v.overflow++
			continue
		}
		v.rx = append(v.rx, b)
	}
	if !v.xoffSent && v.bufSize-len(v.rx) < v.margin {
		v.xoffSent = true
		v.xoffCount++
		v.out = append(v.out, xof)
		v.cond.Broadcast()
	}
	return len(p), nil
}

// feedLocked decodes bytes, or drops what they print while offline.
func (v *Virtual) feedLocked(p []byte) {
	if v.state.paperOut || v.state.coverOpen {
		v.dec.suppress = true
		v.discarded += len(p)
	}
	v.dec.write(p)
	v.dec.suppress = false
}

// printClock moves bytes from the receive buffer to the print head at the
// print rate, sending XON when half the buffer is free again.
func (v *Virtual) printClock() {
	defer close(v.stopped)
	const tick = 5 * time.Millisecond
	t := time.NewTicker(tick)
	defer t.Stop()
	last := time.Now()
	credit := 0.0
	for {
		select {
		case <-v.stop:
			return
		case now := <-t.C:
			credit += now.Sub(last).Seconds() * float64(v.rate)
			last = now
			v.mu.Lock()
			n := min(int(credit), len(v.rx))
			if len(v.rx) == 0 {
				credit = 0
			}
			credit -= float64(n)
			if n > 0 {
				v.feedLocked(v.rx[:n])
				v.rx = append(v.rx[:0], v.rx[n:]...)
			}
			if v.xoffSent && v.bufSize-len(v.rx) >= v.bufSize/2 {
				v.xoffSent = false
				v.out = append(v.out, xon)
				v.cond.Broadcast()
			}
			v.mu.Unlock()
		}
	}
}

// Read returns the printer's answers (status bytes, XON/XOFF). It blocks
// until there is one or the printer is closed (io.EOF).
func (v *Virtual) Read(p []byte) (int, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for len(v.out) == 0 && !v.closed {
		v.cond.Wait()
	}
	if len(v.out) == 0 {
		return 0, io.EOF
	}
	n := copy(p, v.out)
	v.out = v.out[n:]
	return n, nil
}

// Close ends the printer: pending and later Reads return io.EOF.
func (v *Virtual) Close() error {
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		return nil
	}
	v.closed = true
	v.cond.Broadcast()
	v.mu.Unlock()
	if v.stop != nil {
		close(v.stop)
		<-v.stopped
	}
	return nil
}

// Serve connects the virtual printer to a port (the far end of a pty pair,
// a TCP connection): what arrives on rw is printed, answers go back. It
// returns when ctx is done or rw fails, once both directions have stopped;
// it does not close rw or the printer. rw's Read must return now and then
// (a serial port with a read timeout) or fail when the caller closes rw.
func (v *Virtual) Serve(ctx context.Context, rw io.ReadWriter) error {
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	go func() { // answers: printer -> port
		stop := context.AfterFunc(ctx, func() {
			v.mu.Lock()
			v.cond.Broadcast()
			v.mu.Unlock()
		})
		defer stop()
		for {
			v.mu.Lock()
			for len(v.out) == 0 && !v.closed && ctx.Err() == nil {
				v.cond.Wait()
			}
			if ctx.Err() != nil || (v.closed && len(v.out) == 0) {
				v.mu.Unlock()
				errc <- nil
				return
			}
			b := append([]byte(nil), v.out...)
			v.out = v.out[:0]
			v.mu.Unlock()
			if _, err := rw.Write(b); err != nil {
				errc <- err
				return
			}
		}
	}()
	go func() { // data: port -> printer
		buf := make([]byte, 4096)
		for ctx.Err() == nil {
			n, err := rw.Read(buf)
			if n > 0 {
				v.Write(buf[:n])
			}
			if err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	err := <-errc
	cancel()
	if err2 := <-errc; err == nil {
		err = err2
	}
	if parent.Err() != nil {
		return nil
	}
	return err
}

// SetPaperOut sets the paper end sensor.
func (v *Virtual) SetPaperOut(on bool) { v.set(func(s *virtualState) { s.paperOut = on }) }

// SetCoverOpen sets the cover sensor.
func (v *Virtual) SetCoverOpen(on bool) { v.set(func(s *virtualState) { s.coverOpen = on }) }

// SetPaperNearEnd sets the paper near-end sensor (a warning only).
func (v *Virtual) SetPaperNearEnd(on bool) { v.set(func(s *virtualState) { s.nearEnd = on }) }

// SetFault sets an autocutter error.
func (v *Virtual) SetFault(on bool) { v.set(func(s *virtualState) { s.fault = on }) }

// SetDrawerOpen sets the cash drawer's switch (DLE EOT 1 reports pin 3
// high while it is open).
func (v *Virtual) SetDrawerOpen(on bool) { v.set(func(s *virtualState) { s.drawerOpen = on }) }

// SetSilent makes the printer ignore status queries (a dead line).
func (v *Virtual) SetSilent(on bool) { v.set(func(s *virtualState) { s.silent = on }) }

func (v *Virtual) set(f func(*virtualState)) {
	v.mu.Lock()
	f(&v.state)
	v.mu.Unlock()
}

// Receipts returns copies of the finished (cut) printouts, oldest first
// (the last 100).
func (v *Virtual) Receipts() []*Printout {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make([]*Printout, len(v.dec.done))
	for i, p := range v.dec.done {
		out[i] = p.clone()
	}
	return out
}

// Last returns a copy of the last finished printout, or nil.
func (v *Virtual) Last() *Printout {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.dec.done) == 0 {
		return nil
	}
	return v.dec.done[len(v.dec.done)-1].clone()
}

// Pending returns a copy of what was printed since the last cut, with the
// line still in the buffer (software that never cuts leaves it there).
func (v *Virtual) Pending() *Printout {
	v.mu.Lock()
	defer v.mu.Unlock()
	p := v.dec.cur.clone()
	if len(v.dec.line) > 0 {
		p.Elements = append(p.Elements, Element{Kind: KindText, Align: v.dec.lineAlign, Runs: append([]Run(nil), v.dec.line...)})
	}
	return p
}

// Clear forgets the finished printouts.
func (v *Virtual) Clear() {
	v.mu.Lock()
	v.dec.done = nil
	v.mu.Unlock()
}

// Busy reports a receive buffer above its XOFF mark (WithReceiveBuffer);
// a CTS line would be low.
func (v *Virtual) Busy() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.bufSize > 0 && v.bufSize-len(v.rx) < v.margin
}

// Overflowed is the number of bytes lost to a full receive buffer.
func (v *Virtual) Overflowed() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.overflow
}

// XOFFs is how many times the printer sent XOFF.
func (v *Virtual) XOFFs() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.xoffCount
}

// Discarded is the number of bytes dropped while paper was out or the
// cover open.
func (v *Virtual) Discarded() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.discarded
}

// Idle reports an empty receive buffer (everything received was printed).
func (v *Virtual) Idle() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.rx) == 0
}

func (p *Printout) clone() *Printout {
	c := *p
	c.Elements = make([]Element, len(p.Elements))
	for i, e := range p.Elements {
		e.Runs = append([]Run(nil), e.Runs...)
		c.Elements[i] = e
	}
	c.Drawer = append([]Kick(nil), p.Drawer...)
	c.Unknown = append([]string(nil), p.Unknown...)
	return &c
}

// rtScanner spots DLE EOT n in a byte stream as it is received.
type rtScanner struct{ state int }

func (s *rtScanner) scan(b byte) (byte, bool) {
	switch {
	case s.state == 2:
		s.state = 0
		return b, true
	case s.state == 1 && b == eot:
		s.state = 2
	case b == dle:
		s.state = 1
	default:
		s.state = 0
	}
	return 0, false
}
