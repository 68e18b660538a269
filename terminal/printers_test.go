package terminal

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.bug.st/serial/enumerator"

	"qrpos/devices/printer"
	"qrpos/payments"
	"qrpos/payments/checkout"
)

// lanPrinter is a network printer on loopback: every connection is served
// by one virtual printer, which answers DLE EOT on the socket. cut ends
// the next connection after n bytes and switches the printer off.
type lanPrinter struct {
	t    *testing.T
	addr string
	v    *printer.Virtual

	mu    sync.Mutex
	ln    net.Listener
	cut   int
	conns []net.Conn
	wg    sync.WaitGroup
}

func startLANPrinter(t *testing.T) *lanPrinter {
	l := &lanPrinter{t: t, v: printer.NewVirtual()}
	l.listen("127.0.0.1:0")
	t.Cleanup(func() { l.off(); l.v.Close() })
	return l
}

func (l *lanPrinter) listen(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		l.t.Fatal(err)
	}
	l.mu.Lock()
	l.ln, l.addr = ln, ln.Addr().String()
	l.mu.Unlock()
	l.wg.Add(1)
	go l.accept(ln)
}

func (l *lanPrinter) accept(ln net.Listener) {
	defer l.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		l.mu.Lock()
		l.conns = append(l.conns, c)
		cut := l.cut
		l.cut = 0
		l.mu.Unlock()
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			var rw io.ReadWriter = c
			if cut > 0 {
				rw = &pulledCable{Conn: c, left: cut, off: func() { ln.Close() }}
			}
			l.v.Serve(context.Background(), rw)
			c.Close()
		}()
	}
}

// cutNext pulls the cable of the next connection after n bytes.
func (l *lanPrinter) cutNext(n int) {
	l.mu.Lock()
	l.cut = n
	l.mu.Unlock()
}

// off closes the listener and every connection.
func (l *lanPrinter) off() {
	l.mu.Lock()
	l.ln.Close()
	for _, c := range l.conns {
		c.Close()
	}
	l.mu.Unlock()
	l.wg.Wait()
}

// pulledCable passes left bytes, then the printer goes off.
type pulledCable struct {
	net.Conn
	left int
	off  func()
}

func (c *pulledCable) Read(p []byte) (int, error) {
	if c.left <= 0 {
		c.off()
		return 0, errors.New("cable pulled")
	}
	n, err := c.Conn.Read(p[:min(len(p), c.left)])
	c.left -= n
	return n, err
}

// queueWatch records the print queue's reports.
type queueWatch struct {
	mu      sync.Mutex
	queued  int
	lastErr string
	errs    int
	status  []PrinterStatus
}

func (w *queueWatch) printer(queued int, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.queued, w.lastErr = queued, ""
	if err != nil {
		w.lastErr = err.Error()
		w.errs++
	}
}

func (w *queueWatch) printerStatus(st PrinterStatus) {
	w.mu.Lock()
	w.status = append(w.status, st)
	w.mu.Unlock()
}

func (w *queueWatch) lastStatus() (PrinterStatus, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.status) == 0 {
		return PrinterStatus{}, false
	}
	return w.status[len(w.status)-1], true
}

func (w *queueWatch) get() (int, string, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.queued, w.lastErr, w.errs
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// usePrinter applies a profile with the printer at port and starts the
// devices.
func usePrinter(t *testing.T, c *Terminal, ctx context.Context, w *queueWatch, edit func(*checkout.PrinterProfile)) {
	t.Helper()
	p := c.Profile()
	edit(&p.Printer)
	if err := c.Apply(ctx, p); err != nil {
		t.Fatal(err)
	}
	err := c.StartDevices(ctx, DeviceWatch{Printer: w.printer, PrinterStatus: w.printerStatus, PrintRetry: 20 * time.Millisecond, DrawerPoll: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
}

// A network printer in the profile: the test page is cut off mid-way and
// the printer goes off; the job stays in the journal's queue, failing,
// and when the printer is back at its address it prints whole, once.
func TestNetworkPrinterKeepsJobAcrossDrop(t *testing.T) {
	c, _ := openDemoCore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lp := startLANPrinter(t)
	lp.cutNext(12 + 300) // the status query and 300 bytes of the page
	w := &queueWatch{}
	usePrinter(t, c, ctx, w, func(p *checkout.PrinterProfile) { p.Port = "tcp://" + lp.addr })
	if err := c.TestPrint(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the dropped job reported", func() bool { q, e, n := w.get(); return q == 1 && e != "" && n >= 2 })
	if jobs, err := c.Journal().QueuedPrints(ctx, 10); err != nil || len(jobs) != 1 || jobs[0].LastError == "" {
		t.Fatalf("queue after the drop: %+v %v", jobs, err)
	}
	if n := len(lp.v.Receipts()); n != 0 {
		t.Fatalf("%d pages cut while the printer was cut off", n)
	}
	lp.off()
	lp.listen(lp.addr)
	c.KickPrinter()
	eventually(t, "the job printed after the printer came back", func() bool { q, e, _ := w.get(); return q == 0 && e == "" })
	eventually(t, "the page cut", func() bool { return len(lp.v.Receipts()) > 0 })
	got := lp.v.Receipts()
	if len(got) != 1 || strings.Count(got[0].Text(), "Demo Store") != 2 || strings.Count(got[0].Text(), "[QR: TEST T001]") != 1 {
		// The first, cut-off copy began the same page: a real printer
		// prints it too, uncut; the whole page follows it, once.
		t.Fatalf("%d pages: %q", len(got), got[0].Text())
	}
	if !regexp.MustCompile(`Width +48 columns\n`).MatchString(got[0].Text()) || !regexp.MustCompile(`Encoding +big5\n`).MatchString(got[0].Text()) {
		t.Errorf("the test page does not show the format in force (48 columns, big5): %q", got[0].Text())
	}
	if jobs, _ := c.Journal().QueuedPrints(ctx, 10); len(jobs) != 0 {
		t.Fatalf("still queued: %+v", jobs)
	}
	if st, ok := w.lastStatus(); !ok || !st.Readable {
		t.Fatalf("printer status %+v", st)
	}
}

// The cash drawer: a paid sale's receipt pulses it when the profile says
// after_sale (a test page does not); the printer's DLE EOT 1 says it is
// open, then shut, and the face hears both.
func TestDrawerAfterSale(t *testing.T) {
	c, _ := openDemoCore(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	lp := startLANPrinter(t)
	w := &queueWatch{}
	usePrinter(t, c, ctx, w, func(p *checkout.PrinterProfile) { p.Port = "tcp://" + lp.addr; p.Drawer = checkout.DrawerAfterSale })
	paidSale(t, c, ctx)
	eventually(t, "the sale receipt", func() bool { return len(lp.v.Receipts()) == 1 })
	if r := lp.v.Receipts()[0]; len(r.Drawer) != 1 || r.Drawer[0].Pin != 0 {
		t.Fatalf("sale receipt kicks %+v", r.Drawer)
	}
	if err := c.TestPrint(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the test page", func() bool { return len(lp.v.Receipts()) == 2 })
	if r := lp.v.Receipts()[1]; len(r.Drawer) != 0 {
		t.Fatalf("test page kicks %+v", r.Drawer)
	}
	lp.v.SetDrawerOpen(true)
	c.KickPrinter()
	if err := c.TestPrint(ctx); err != nil { // its status brings the drawer's news
		t.Fatal(err)
	}
	eventually(t, "drawer open heard", func() bool { st, _ := w.lastStatus(); return st.DrawerOpen })
	lp.v.SetDrawerOpen(false)
	eventually(t, "drawer shut heard (polled)", func() bool { st, _ := w.lastStatus(); return !st.DrawerOpen })
}

// A USB printer-class or Windows printer cannot be read: the face hears
// so at once, and jobs still print (here: a Windows printer on Linux
// fails to open, and the job stays queued).
func TestPrinterWithoutStatusSaysSo(t *testing.T) {
	c, _ := openDemoCore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &queueWatch{}
	usePrinter(t, c, ctx, w, func(p *checkout.PrinterProfile) { p.Port = "windows:EPSON TM-T82III Receipt" })
	eventually(t, "status heard", func() bool { _, ok := w.lastStatus(); return ok })
	if st, _ := w.lastStatus(); st.Readable {
		t.Fatalf("a Windows printer reads status: %+v", st)
	}
	if err := c.TestPrint(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the job failed", func() bool { q, e, _ := w.get(); return q == 1 && strings.Contains(e, "Windows") })
}

// paidSale charges 12.30 by an MPM method and pays it in the sandbox.
func paidSale(t *testing.T, c *Terminal, ctx context.Context) {
	t.Helper()
	m := payments.Method{}
	for _, o := range c.Profile().Offered() {
		if o.Mode == payments.MPM {
			m = o
			break
		}
	}
	sw, err := c.Charge(ctx, checkout.ChargeRequest{Provider: m.Provider, MethodCode: m.Code, Amount: payments.Money{Minor: 1230, Currency: "HKD"}})
	if err != nil {
		t.Fatal(err)
	}
	defer sw.Stop()
	no, paid := sw.First().Order.OutTradeNo, false
	for v := range sw.Views() {
		if v.Order.QRCode != "" && !paid {
			paid = true
			if err := c.SandboxPay(no, "success"); err != nil {
				t.Fatal(err)
			}
		}
		if v.Ended {
			if v.Order.State != payments.Paid {
				t.Fatalf("sale ended %s", v.Order.State)
			}
			return
		}
	}
	t.Fatal("the sale never ended")
}

// The scanner's port list holds serial ports only, each under its
// steadiest name first; the printer's adds the USB printer-class devices.
func TestPortLists(t *testing.T) {
	root := t.TempDir()
	dev, sys := filepath.Join(root, "dev"), filepath.Join(root, "sys")
	usbdev := filepath.Join(sys, "devices/usb1/1-4")
	for _, err := range []error{os.MkdirAll(filepath.Join(dev, "serial/by-id"), 0o755), os.MkdirAll(filepath.Join(usbdev, "1-4:1.0"), 0o755),
		os.MkdirAll(filepath.Join(sys, "class/usbmisc/lp3"), 0o755), os.WriteFile(filepath.Join(dev, "ttyACM0"), nil, 0o644),
		os.Symlink("../../ttyACM0", filepath.Join(dev, "serial/by-id/usb-Honeywell_Scanner_123-if00")),
		os.Symlink(filepath.Join(usbdev, "1-4:1.0"), filepath.Join(sys, "class/usbmisc/lp3/device")),
		os.WriteFile(filepath.Join(usbdev, "idVendor"), []byte("1fc9\n"), 0o644), os.WriteFile(filepath.Join(usbdev, "idProduct"), []byte("2016\n"), 0o644)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	o := printer.ListOptions{Sysfs: printer.Sysfs{Sys: sys, Dev: dev}, Enumerate: func() ([]*enumerator.PortDetails, error) {
		return []*enumerator.PortDetails{{Name: filepath.Join(dev, "ttyACM0"), IsUSB: true, VID: "0C2E", PID: "0B61", SerialNumber: "123"}}, nil
	}}
	serial := []string{filepath.Join(dev, "serial/by-id/usb-Honeywell_Scanner_123-if00"), "usb:0C2E:0B61:123", filepath.Join(dev, "ttyACM0")}
	if got, err := listPorts(o, false); err != nil || !slices.Equal(got, serial) {
		t.Fatalf("scanner ports %q, %v", got, err)
	}
	want := append(serial, "usblp:1FC9:2016", filepath.Join(dev, "usb/lp3"))
	if got, err := listPorts(o, true); err != nil || !slices.Equal(got, want) {
		t.Fatalf("printer ports %q, %v", got, err)
	}
}
