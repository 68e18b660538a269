package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.bug.st/serial"
)

var quiet = slog.New(slog.DiscardHandler)

// waitPrinted waits until the virtual printer has n finished printouts.
func waitPrinted(t *testing.T, v *Virtual, n int) []*Printout {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r := v.Receipts()
		if len(r) >= n {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d printouts after 5s, want %d (pending: %q)", len(r), n, v.Pending().Text())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A receipt printed through a real pty pair, decoded by the virtual
// printer on the far end, matches the golden text; status is queried
// before and after (the virtual printer answers on the pty).
func TestPrintOverPty(t *testing.T) {
	for _, tt := range []struct {
		enc  Encoding
		w    int
		flow Flow
	}{{Big5, 48, FlowNone}, {GB18030, 32, FlowXONXOFF}, {Big5, 42, FlowXONXOFF}} {
		t.Run(fmt.Sprintf("%s-%d-%s", tt.enc, tt.w, tt.flow), func(t *testing.T) {
			dir := t.TempDir()
			pair := startPair(t, dir, "printer-side", "ttyUSB0")
			v := NewVirtual(WithWidth(tt.w), WithEncoding(tt.enc))
			defer v.Close()
			pair.serveA(v)
			p, err := Open(Config{Port: pair.B, Line: Line{Baud: 115200}, Flow: tt.flow,
				Format: Format{Width: tt.w, Encoding: tt.enc}, Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			st, err := p.Status(context.Background())
			if err != nil || !st.Online {
				t.Fatalf("status %+v, %v", st, err)
			}
			if err := p.Print(context.Background(), SampleReceipt(tt.enc)); err != nil {
				t.Fatal(err)
			}
			got := waitPrinted(t, v, 1)
			if len(got) != 1 {
				t.Fatalf("%d printouts", len(got))
			}
			golden(t, fmt.Sprintf("sale-%s-%d.txt", tt.enc, tt.w), got[0].Text())
		})
	}
}

// tap lets a test act when the printer side reads certain bytes.
type tap struct {
	io.ReadWriter
	onRead func([]byte)
}

func (t tap) Read(p []byte) (int, error) {
	n, err := t.ReadWriter.Read(p)
	if n > 0 {
		t.onRead(p[:n])
	}
	return n, err
}

// Paper out, cover open, a fault or silence give typed errors and nothing
// is printed; the job printed once the printer is fixed. Paper running out
// during a job fails the job (status after), and the retry prints it whole.
func TestPrintStatusErrors(t *testing.T) {
	dir := t.TempDir()
	pair := startPair(t, dir, "printer-side", "ttyUSB0")
	v := NewVirtual()
	defer v.Close()
	port, err := serial.Open(pair.A, &serial.Mode{BaudRate: 115200})
	if err != nil {
		t.Fatal(err)
	}
	port.SetReadTimeout(20 * time.Millisecond)
	defer port.Close()
	var runOut atomic.Bool // paper runs out when the cut arrives
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() {
		v.Serve(ctx, tap{port, func(b []byte) {
			if runOut.Load() && strings.Contains(string(b), "\x1dV") {
				v.SetPaperOut(true)
			}
		}})
		close(served)
	}()
	defer func() { cancel(); <-served }()

	p, err := Open(Config{Port: pair.B, Line: Line{Baud: 115200}, StatusTimeout: 300 * time.Millisecond, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	r := SampleReceipt(Big5)
	bg := context.Background()

	cases := []struct {
		name  string
		set   func(bool)
		want  error
		isErr bool // a *StatusError
	}{
		{"paper out", v.SetPaperOut, ErrPaperOut, true},
		{"cover open", v.SetCoverOpen, ErrCoverOpen, true},
		{"cutter fault", v.SetFault, ErrFault, true},
		{"no answer", v.SetSilent, ErrNoAnswer, false},
	}
	for _, c := range cases {
		c.set(true)
		err := p.Print(bg, r)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: Print = %v, want %v", c.name, err, c.want)
		}
		var se *StatusError
		if errors.As(err, &se) != c.isErr {
			t.Errorf("%s: *StatusError = %v for %v", c.name, !c.isErr, err)
		}
		if err != nil && !strings.Contains(err.Error(), r.OrderNo) {
			t.Errorf("%s: error does not name the job: %v", c.name, err)
		}
		if _, err := p.Status(bg); !errors.Is(err, c.want) {
			t.Errorf("%s: Status = %v", c.name, err)
		}
		c.set(false)
		if n := len(v.Receipts()) + len(v.Pending().Elements); n != 0 {
			t.Fatalf("%s: something was printed", c.name)
		}
	}

	runOut.Store(true)
	err = p.Print(bg, r)
	if !errors.Is(err, ErrPaperOut) || !strings.Contains(err.Error(), "status after") {
		t.Fatalf("paper out during the job: %v", err)
	}
	runOut.Store(false)
	v.SetPaperOut(false)
	if len(v.Receipts()) != 0 {
		t.Fatal("the failed job counts as printed")
	}
	v.SetPaperNearEnd(true) // a warning: still prints
	if err := p.Print(bg, r); err != nil {
		t.Fatalf("retry: %v", err)
	}
	// The lines printed before the paper ran out stay on the roll: the
	// retry follows them, whole, and is cut.
	got := waitPrinted(t, v, 1)
	want := readGolden(t, "sale-big5-48.txt")
	if text := got[0].Text(); !strings.HasSuffix(text, want) || len(text) < 2*len(want)-200 {
		t.Errorf("after the retry:\n%s", text)
	}
}

// XON/XOFF: a printer with a small receive buffer printing slower than the
// line stops the sender with XOFF; no byte is lost. Without flow control
// the same printer overflows (the test can fail).
func TestPrintXONXOFFLosesNothing(t *testing.T) {
	for _, flow := range []Flow{FlowXONXOFF, FlowNone} {
		t.Run(string(flow), func(t *testing.T) {
			dir := t.TempDir()
			pair := startPair(t, dir, "printer-side", "ttyUSB0")
			v := NewVirtual(WithReceiveBuffer(256, 160, 2000))
			defer v.Close()
			pair.serveA(v)
			p, err := Open(Config{Port: pair.B, Line: Line{Baud: 115200}, Flow: flow, ChunkSize: 16, Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			err = p.Print(context.Background(), SampleReceipt(Big5))
			if flow == FlowNone {
				if v.Overflowed() == 0 {
					t.Errorf("no overflow without flow control: the buffer emulation is not biting")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.XOFFs() == 0 {
				t.Error("the printer never sent XOFF: the test did not exercise flow control")
			}
			if n := v.Overflowed(); n != 0 {
				t.Errorf("%d bytes lost", n)
			}
			got := waitPrinted(t, v, 1)
			golden(t, "sale-big5-48.txt", got[0].Text())
		})
	}
}

// ctsPort gives a pty the CTS line it lacks, driven by the virtual
// printer's buffer: the only stand-in in these tests (ptys have no modem
// lines; see TestOpenRTSCTSNeedsModemLines).
type ctsPort struct {
	serial.Port
	v     *Virtual
	polls atomic.Int32
}

func (c *ctsPort) GetModemStatusBits() (*serial.ModemStatusBits, error) {
	c.polls.Add(1)
	return &serial.ModemStatusBits{CTS: !c.v.Busy()}, nil
}

func TestPrintRTSCTSLosesNothing(t *testing.T) {
	dir := t.TempDir()
	pair := startPair(t, dir, "printer-side", "ttyUSB0")
	v := NewVirtual(WithReceiveBuffer(256, 160, 2000))
	defer v.Close()
	pair.serveA(v)
	port, err := serial.Open(pair.B, &serial.Mode{BaudRate: 115200})
	if err != nil {
		t.Fatal(err)
	}
	port.SetReadTimeout(50 * time.Millisecond)
	cp := &ctsPort{Port: port, v: v}
	p, err := New(cp, Config{Line: Line{Baud: 115200}, Flow: FlowRTSCTS, ChunkSize: 16, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Print(context.Background(), SampleReceipt(Big5)); err != nil {
		t.Fatal(err)
	}
	if v.XOFFs() == 0 || cp.polls.Load() == 0 {
		t.Errorf("buffer never filled (%d) or CTS never read (%d)", v.XOFFs(), cp.polls.Load())
	}
	if n := v.Overflowed(); n != 0 {
		t.Errorf("%d bytes lost", n)
	}
	got := waitPrinted(t, v, 1)
	golden(t, "sale-big5-48.txt", got[0].Text())
	if _, err := New(io.ReadWriter(struct{ io.ReadWriter }{port}), Config{Flow: FlowRTSCTS}); err == nil {
		t.Error("RTS/CTS accepted on a connection without modem lines")
	}
}

func TestOpenRTSCTSNeedsModemLines(t *testing.T) {
	dir := t.TempDir()
	pair := startPair(t, dir, "printer-side", "ttyUSB0")
	p, err := Open(Config{Port: pair.B, Flow: FlowRTSCTS, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	_, err = p.Status(context.Background())
	if err == nil || !strings.Contains(err.Error(), "modem lines") {
		t.Fatalf("RTS/CTS on a pty: %v", err)
	}
}

// Writes are paced to the line rate: a receipt at 19200 baud takes at least
// its wire time (bytes x 10 bits / baud), so a real UART's buffer never
// holds more than a chunk or two.
func TestPrintIsPacedToTheBaudRate(t *testing.T) {
	dir := t.TempDir()
	pair := startPair(t, dir, "printer-side", "ttyUSB0")
	v := NewVirtual()
	defer v.Close()
	pair.serveA(v)
	p, err := Open(Config{Port: pair.B, Line: Line{Baud: 19200}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	data, _ := Layout(SampleReceipt(Big5), Format{})
	start := time.Now()
	if err := p.Print(context.Background(), SampleReceipt(Big5)); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	bound := time.Duration(len(data)+2*len(statusQuery)) * 10 * time.Second / 19200
	if took < bound*95/100 {
		t.Errorf("took %v for %d bytes, below the line-rate bound %v: not paced", took, len(data), bound)
	}
}

// Unplugged and back: the job in between fails (to be retried), the next
// one reopens the port and prints.
func TestPrinterReconnects(t *testing.T) {
	dir := t.TempDir()
	pair := startPair(t, dir, "printer-side", "ttyUSB0")
	v := NewVirtual()
	defer v.Close()
	pair.serveA(v)
	p, err := Open(Config{Port: filepath.Join(dir, "ttyUSB0"), Line: Line{Baud: 115200}, StatusTimeout: 300 * time.Millisecond, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	r := SampleReceipt(Big5)
	if err := p.Print(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	pair.Stop()
	if err := p.Print(context.Background(), r); err == nil {
		t.Fatal("printed to an unplugged printer")
	}
	pair2 := startPair(t, dir, "printer-side", "ttyUSB0")
	v2 := NewVirtual()
	defer v2.Close()
	pair2.serveA(v2)
	if err := p.Print(context.Background(), r); err != nil {
		t.Fatalf("after replug: %v", err)
	}
	waitPrinted(t, v2, 1)
}

// The printer over the in-memory virtual printer (demo mode's wiring).
func TestPrinterOnVirtual(t *testing.T) {
	v := NewVirtual(WithWidth(32))
	p, err := New(v, Config{Format: Format{Width: 32}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	r := refundReceipt()
	if err := p.Print(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	golden(t, "refund-32.txt", v.Last().Text())
	if len(v.Last().Drawer) != 1 {
		t.Error("drawer not kicked")
	}
	v.SetCoverOpen(true)
	if err := p.Print(context.Background(), r); !errors.Is(err, ErrCoverOpen) {
		t.Errorf("cover open: %v", err)
	}
	p.Close()
	if err := p.Print(context.Background(), r); !errors.Is(err, ErrClosed) {
		t.Errorf("after close: %v", err)
	}
	bad := Receipt{QR: strings.Repeat("9", QRMaxData+1)}
	if err := p.Print(context.Background(), bad); !errors.Is(err, ErrBadReceipt) {
		t.Errorf("oversized QR: %v", err)
	}
}

func TestConfigRejects(t *testing.T) {
	bad := []Config{{}, {Port: "/dev/x", Flow: "dtr"}, {Port: "/dev/x", Format: Format{Width: 40}}, {Port: "/dev/x", Line: Line{Parity: "x"}}}
	for _, c := range bad {
		if _, err := Open(c); err == nil {
			t.Errorf("Open(%+v) accepted", c)
		}
	}
}
