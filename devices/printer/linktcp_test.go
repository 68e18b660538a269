package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// netPrinter is a network printer on loopback: each connection it accepts
// is served by a new virtual printer (so what each connection printed can
// be told apart), which answers DLE EOT on the socket and decodes the job.
type netPrinter struct {
	t    *testing.T
	ln   net.Listener
	addr string

	mu       sync.Mutex
	virtuals []*Virtual
	conns    []net.Conn
	closed   int // connections that ended
	dropNext int // close the next connection after this many bytes (0: never)
	silent   bool
	wg       sync.WaitGroup
}

func startNetPrinter(t *testing.T, addr string) *netPrinter {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	n := &netPrinter{t: t, ln: ln, addr: ln.Addr().String()}
	n.wg.Add(1)
	go n.accept()
	t.Cleanup(n.stop)
	return n
}

func (n *netPrinter) accept() {
	defer n.wg.Done()
	for {
		c, err := n.ln.Accept()
		if err != nil {
			return
		}
		v := NewVirtual()
		n.mu.Lock()
		v.SetSilent(n.silent)
		n.virtuals = append(n.virtuals, v)
		n.conns = append(n.conns, c)
		limit := n.dropNext
		n.dropNext = 0
		n.mu.Unlock()
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			var rw io.ReadWriter = c
			if limit > 0 {
				rw = &cutAfter{Conn: c, left: limit}
			}
			v.Serve(context.Background(), rw)
			c.Close()
			n.mu.Lock()
			n.closed++
			n.mu.Unlock()
		}()
	}
}

// stop switches the printer off: no more connections, the open ones cut.
func (n *netPrinter) stop() {
	n.ln.Close()
	n.mu.Lock()
	for _, c := range n.conns {
		c.Close()
	}
	n.mu.Unlock()
	n.wg.Wait()
	for _, v := range n.printers() {
		v.Close()
	}
}

// cutNext makes the next connection end after it received n bytes.
func (n *netPrinter) cutNext(bytes int) {
	n.mu.Lock()
	n.dropNext = bytes
	n.mu.Unlock()
}

// beSilent makes the printers of later connections ignore DLE EOT.
func (n *netPrinter) beSilent() {
	n.mu.Lock()
	n.silent = true
	n.mu.Unlock()
}

func (n *netPrinter) printers() []*Virtual {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]*Virtual(nil), n.virtuals...)
}

// printer is the virtual printer of the i-th connection, once it was
// accepted (a client may finish writing before the accept loop runs).
func (n *netPrinter) printer(i int) *Virtual {
	n.t.Helper()
	waitFor(n.t, fmt.Sprintf("connection %d accepted", i+1), func() bool { return len(n.printers()) > i })
	return n.printers()[i]
}

// cuts counts the whole printouts of every connection.
func (n *netPrinter) cuts() int {
	total := 0
	for _, v := range n.printers() {
		total += len(v.Receipts())
	}
	return total
}

func (n *netPrinter) ended() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.closed
}

// cutAfter passes the first left bytes read, then fails: the printer's
// side of a cable pulled mid-job.
type cutAfter struct {
	net.Conn
	left int
}

func (c *cutAfter) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errors.New("cable pulled")
	}
	n, err := c.Conn.Read(p[:min(len(p), c.left)])
	c.left -= n
	return n, err
}

// waitFor polls cond until it holds (5 s at most).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5 s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A receipt over a network printer's raw port: status asked over the
// socket before and after, the job decoded on the far side as over a
// serial line.
func TestPrintOverTCP(t *testing.T) {
	np := startNetPrinter(t, "127.0.0.1:0")
	p, err := Open(Config{Port: "tcp://" + np.addr, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.Kind() != LinkTCP || !p.StatusReadable() {
		t.Fatalf("kind %s, status readable %v", p.Kind(), p.StatusReadable())
	}
	if err := p.Print(context.Background(), SampleReceipt(Big5)); err != nil {
		t.Fatal(err)
	}
	got := waitPrinted(t, np.printer(0), 1)
	golden(t, "sale-big5-48.txt", got[0].Text())
	np.printer(0).SetPaperOut(true)
	if _, err := p.Status(context.Background()); !errors.Is(err, ErrPaperOut) {
		t.Fatalf("paper out over TCP: %v", err)
	}
	if len(np.printers()) != 1 {
		t.Errorf("%d connections for one job and a query, want 1 (kept open)", len(np.printers()))
	}
}

// The cable is pulled mid-job, the printer is off, then back: the job
// fails each time (the caller keeps it) and prints whole, once, when the
// printer is back at the same address.
func TestTCPDropMidJobPrintsOnce(t *testing.T) {
	np := startNetPrinter(t, "127.0.0.1:0")
	np.cutNext(12 + 200) // the status query, then 200 bytes of the job
	p, err := Open(Config{Port: "tcp://" + np.addr, StatusTimeout: 300 * time.Millisecond, ConnectTimeout: time.Second, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	r := SampleReceipt(Big5)
	if err := p.Print(context.Background(), r); err == nil {
		t.Fatal("a job cut mid-way counted printed")
	}
	np.stop()
	if err := p.Print(context.Background(), r); err == nil {
		t.Fatal("printed to a printer that is off")
	}
	back := startNetPrinter(t, np.addr)
	if err := p.Print(context.Background(), r); err != nil {
		t.Fatalf("after the printer came back: %v", err)
	}
	first := np.printers()
	if len(first) != 1 || len(first[0].Receipts()) != 0 || !strings.Contains(first[0].Pending().Text(), "Ho Mei Cafe") {
		t.Fatalf("the cut connection: %d printers, pending %q", len(first), first[0].Pending().Text())
	}
	got := waitPrinted(t, back.printer(0), 1)
	golden(t, "sale-big5-48.txt", got[0].Text())
	if n := np.cuts() + back.cuts(); n != 1 {
		t.Fatalf("%d whole receipts printed, want 1", n)
	}
}

// A printer that does not answer DLE EOT on its raw port: with
// ?status=off the job counts as printed when written and Status says it
// cannot tell; without, the job is held (no answer).
func TestTCPWithoutStatus(t *testing.T) {
	np := startNetPrinter(t, "127.0.0.1:0")
	np.beSilent()
	p, err := Open(Config{Port: "tcp://" + np.addr + "?status=off", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.StatusReadable() {
		t.Fatal("status=off reads status")
	}
	if err := p.Print(context.Background(), SampleReceipt(Big5)); err != nil {
		t.Fatal(err)
	}
	waitPrinted(t, np.printer(0), 1)
	if _, err := p.Status(context.Background()); !errors.Is(err, ErrNoStatus) {
		t.Fatalf("status: %v", err)
	}
	q, err := Open(Config{Port: "tcp://" + np.addr, StatusTimeout: 100 * time.Millisecond, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if err := q.Print(context.Background(), SampleReceipt(Big5)); !errors.Is(err, ErrNoAnswer) {
		t.Fatalf("a silent printer with status expected: %v", err)
	}
}

// An idle connection is released (one connection at a time is all many
// network printers take); the next job connects again.
func TestTCPIdleRelease(t *testing.T) {
	np := startNetPrinter(t, "127.0.0.1:0")
	p, err := Open(Config{Port: "tcp://" + np.addr, IdleClose: 20 * time.Millisecond, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for i := range 2 {
		if err := p.Print(context.Background(), SampleReceipt(Big5)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, fmt.Sprintf("connection %d released", i+1), func() bool { return np.ended() == i+1 })
	}
	if n := len(np.printers()); n != 2 || np.cuts() != 2 {
		t.Fatalf("%d connections, %d receipts", n, np.cuts())
	}
}
