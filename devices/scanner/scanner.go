package scanner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	"go.bug.st/serial"

	"qrpos/devices/serialport"
)

// Config says where the scanner is and how it talks.
type Config struct {
	// Port is a path (/dev/ttyACM0, COM3) or a USB identity
	// (usb:VID:PID[:SERIAL]), resolved again at every reconnection.
	Port string
	Line
	Suffix Suffix // default SuffixAuto
	MaxLen int    // longest code in bytes, default 128

	// DedupWindow: the same code seen again within this time of its last
	// sighting counts once (the window slides while the scanner keeps
	// repeating it). Default 2 s; negative turns folding off.
	DedupWindow time.Duration
	// FrameTimeout: a frame left without its suffix this long is dropped as
	// incomplete. Default 1 s.
	FrameTimeout time.Duration
	// ReadTimeout is how long one read waits before the loop checks the
	// context again. Default 100 ms.
	ReadTimeout time.Duration
	// RetryMin and RetryMax bound the reconnection backoff (doubling).
	// Defaults 100 ms and 1 s, so a scanner that comes back is read again
	// within about 1 s.
	RetryMin, RetryMax time.Duration

	// Enumerate lists ports for usb: identities; nil means the system's.
	Enumerate Enumerator
	// Logger gets state changes and drops (codes masked); nil means
	// slog.Default().
	Logger *slog.Logger
}

// Scanner reads one barcode scanner. Make it with New, start it with Run,
// and read Events until the channel is closed.
type Scanner struct {
	cfg     Config
	spec    PortSpec
	mode    *serial.Mode
	log     *slog.Logger
	events  chan Event
	started atomic.Bool

	lastCode string
	lastSeen time.Time
	up       bool
	reported bool // a port state was reported at least once
}

// New checks the configuration and fills in the defaults.
func New(cfg Config) (*Scanner, error) {
	spec, err := ParsePort(cfg.Port)
	if err != nil {
		return nil, err
	}
	mode, err := cfg.Line.Mode()
	if err != nil {
		return nil, err
	}
	if cfg.Suffix, err = ParseSuffix(string(cfg.Suffix)); err != nil {
		return nil, err
	}
	if cfg.MaxLen <= 0 {
		cfg.MaxLen = DefaultMaxLen
	}
	if cfg.DedupWindow == 0 {
		cfg.DedupWindow = 2 * time.Second
	}
	if cfg.FrameTimeout <= 0 {
		cfg.FrameTimeout = time.Second
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = 100 * time.Millisecond
	}
	if cfg.RetryMin <= 0 {
		cfg.RetryMin = 100 * time.Millisecond
	}
	if cfg.RetryMax < cfg.RetryMin {
		cfg.RetryMax = max(time.Second, cfg.RetryMin)
	}
	if cfg.Enumerate == nil {
		cfg.Enumerate = serialport.SystemPorts
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Scanner{
		cfg:    cfg,
		spec:   spec,
		mode:   mode,
		log:    log.With("device", "scanner", "port", spec.String()),
		events: make(chan Event, 16),
	}, nil
}

// Events delivers what the scanner learns; it is closed when Run returns.
func (s *Scanner) Events() <-chan Event { return s.events }

// Start checks cfg, runs the scanner until ctx is done and returns its
// event channel, which is closed once everything has stopped.
func Start(ctx context.Context, cfg Config) (<-chan Event, error) {
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	go s.Run(ctx)
	return s.Events(), nil
}

// Run reads the scanner until ctx is done, reconnecting whenever the port
// goes away, then closes the port and the Events channel. It returns nil
// when ctx ends it, and an error only when called twice.
func (s *Scanner) Run(ctx context.Context) error {
	if !s.started.CompareAndSwap(false, true) {
		return errors.New("scanner: Run called twice")
	}
	defer close(s.events)
	backoff := s.cfg.RetryMin
	for ctx.Err() == nil {
		port, path, err := s.open()
		if err != nil {
			s.portDown(ctx, s.spec.String(), err)
			s.log.Debug("scanner port unavailable", "error", err, "retry_in", backoff)
			if !sleep(ctx, backoff) {
				break
			}
			backoff = min(2*backoff, s.cfg.RetryMax)
			continue
		}
		backoff = s.cfg.RetryMin
		s.portUp(ctx, path)
		err = s.read(ctx, port)
		port.Close()
		if ctx.Err() != nil {
			break
		}
		s.portDown(ctx, path, err)
	}
	return nil
}

// serialPort is the part of serial.Port the scanner uses.
type serialPort interface {
	io.ReadCloser
	SetReadTimeout(time.Duration) error
}

func (s *Scanner) open() (serialPort, string, error) {
	path, err := s.spec.Resolve(s.cfg.Enumerate)
	if err != nil {
		return nil, "", err
	}
	p, err := serial.Open(path, s.mode)
	if err != nil {
		return nil, path, fmt.Errorf("open %s: %w", path, err)
	}
	if err := p.SetReadTimeout(s.cfg.ReadTimeout); err != nil {
		p.Close()
		return nil, path, fmt.Errorf("open %s: set read timeout: %w", path, err)
	}
	return p, path, nil
}

// read frames the port's bytes until a read fails or ctx is done. A read
// that times out returns 0 bytes and no error: the loop then checks ctx and
// the frame timeout, so it never blocks for longer than ReadTimeout.
func (s *Scanner) read(ctx context.Context, port serialPort) error {
	f := NewFramer(s.cfg.Suffix, s.cfg.MaxLen)
	defer func() {
		if fr, ok := f.Flush(); ok {
			s.frame(ctx, fr)
		}
	}()
	buf := make([]byte, 256)
	var last time.Time
	for ctx.Err() == nil {
		n, err := port.Read(buf)
		now := time.Now()
		if n > 0 {
			last = now
			f.Feed(buf[:n], func(fr Frame) { s.frame(ctx, fr) })
		} else if f.Pending() > 0 && now.Sub(last) >= s.cfg.FrameTimeout {
			if fr, ok := f.Flush(); ok {
				s.frame(ctx, fr)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Scanner) frame(ctx context.Context, fr Frame) {
	now := time.Now()
	if fr.Drop != "" {
		e := Event{Kind: KindDropped, Time: now, Reason: fr.Drop, Len: fr.Len}
		s.log.Warn("scanner frame dropped", "event", e)
		s.send(ctx, e)
		return
	}
	if s.cfg.DedupWindow > 0 && fr.Code == s.lastCode && now.Sub(s.lastSeen) < s.cfg.DedupWindow {
		s.lastSeen = now
		s.log.Debug("scanner repeat folded", "code_len", len(fr.Code))
		return
	}
	s.lastCode, s.lastSeen = fr.Code, now
	e := Event{Kind: KindCode, Time: now, Code: fr.Code}
	s.log.Info("scanner code", "event", e)
	s.send(ctx, e)
}

func (s *Scanner) portUp(ctx context.Context, path string) {
	s.up, s.reported = true, true
	e := Event{Kind: KindPort, Time: time.Now(), State: StateUp, Port: path}
	s.log.Info("scanner port up", "event", e)
	s.send(ctx, e)
}

// portDown reports the port going down once per outage (and once at start
// when the port is not there), not at every failed retry.
func (s *Scanner) portDown(ctx context.Context, path string, err error) {
	if s.reported && !s.up {
		return
	}
	s.up, s.reported = false, true
	msg := "closed"
	if err != nil {
		msg = err.Error()
	}
	e := Event{Kind: KindPort, Time: time.Now(), State: StateDown, Port: path, Err: msg}
	s.log.Warn("scanner port down", "event", e)
	s.send(ctx, e)
}

func (s *Scanner) send(ctx context.Context, e Event) {
	select {
	case s.events <- e:
	case <-ctx.Done():
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
