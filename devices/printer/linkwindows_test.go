package printer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

// fakeSpooler is the Windows spooler's raw byte path as winspool.drv
// behaves: documents on a printer handle, bytes only inside a page.
type fakeSpooler struct {
	mu        sync.Mutex
	queues    []string
	next      spoolHandle
	open      map[spoolHandle]bool
	cur       *spoolDocument
	docs      []*spoolDocument // ended or aborted
	calls     []string
	failAfter int   // the Write that would pass this many bytes of a document fails (0: never)
	openErr   error // Open fails with it
}

type spoolDocument struct {
	name, datatype string
	data           []byte
	ended, aborted bool
}

func newFakeSpooler(queues ...string) *fakeSpooler {
	return &fakeSpooler{queues: queues, open: map[spoolHandle]bool{}}
}

func (f *fakeSpooler) log(call string, h spoolHandle) error {
	f.calls = append(f.calls, call)
	if call != "Open" && !f.open[h] {
		return fmt.Errorf("%s: invalid handle %d", call, h)
	}
	return nil
}

func (f *fakeSpooler) Open(name string) (spoolHandle, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("Open", 0)
	if f.openErr != nil {
		return 0, f.openErr
	}
	if !slices.Contains(f.queues, name) {
		return 0, errors.New("the printer name is invalid")
	}
	f.next++
	f.open[f.next] = true
	return f.next, nil
}

func (f *fakeSpooler) StartDoc(h spoolHandle, doc, datatype string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.log("StartDoc", h); err != nil {
		return err
	}
	if f.cur != nil {
		return errors.New("StartDoc inside a document")
	}
	f.cur = &spoolDocument{name: doc, datatype: datatype}
	return nil
}

func (f *fakeSpooler) StartPage(h spoolHandle) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.log("StartPage", h)
}

func (f *fakeSpooler) Write(h spoolHandle, p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.log("Write", h); err != nil {
		return 0, err
	}
	if f.cur == nil {
		return 0, errors.New("Write outside a document")
	}
	if f.failAfter > 0 && len(f.cur.data)+len(p) > f.failAfter {
		f.failAfter = 0
		return 0, errors.New("the printer is not responding")
	}
	f.cur.data = append(f.cur.data, p...)
	return len(p), nil
}

func (f *fakeSpooler) EndPage(h spoolHandle) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.log("EndPage", h)
}

func (f *fakeSpooler) finish(h spoolHandle, call string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.log(call, h); err != nil {
		return err
	}
	if f.cur == nil {
		return errors.New(call + " outside a document")
	}
	f.cur.ended, f.cur.aborted = call == "EndDoc", call == "Abort"
	f.docs = append(f.docs, f.cur)
	f.cur = nil
	return nil
}

func (f *fakeSpooler) EndDoc(h spoolHandle) error { return f.finish(h, "EndDoc") }
func (f *fakeSpooler) Abort(h spoolHandle) error  { return f.finish(h, "Abort") }

func (f *fakeSpooler) Close(h spoolHandle) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	err := f.log("Close", h)
	delete(f.open, h)
	return err
}

func (f *fakeSpooler) Queues() ([]string, error) { return f.queues, nil }

// printed decodes the documents the spooler sent to the printer whole.
func (f *fakeSpooler) printed(t *testing.T) []*Printout {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*Printout
	for _, d := range f.docs {
		if !d.ended {
			continue
		}
		if d.datatype != "RAW" {
			t.Fatalf("document %q of datatype %q", d.name, d.datatype)
		}
		v := NewVirtual()
		v.Write(d.data)
		out = append(out, v.Receipts()...)
		v.Close()
	}
	return out
}

// A receipt through the Windows spooler: one RAW document per job, the
// bytes as the printer should get them, no status.
func TestPrintThroughWindowsSpooler(t *testing.T) {
	sp := newFakeSpooler("EPSON TM-T82III Receipt", "Microsoft Print to PDF")
	p, err := Open(Config{Port: "windows:EPSON TM-T82III Receipt", winspool: sp, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind() != LinkWindows || p.StatusReadable() {
		t.Fatalf("kind %s, status readable %v", p.Kind(), p.StatusReadable())
	}
	r := SampleReceipt(Big5)
	if err := p.Print(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	got := sp.printed(t)
	if len(got) != 1 || sp.docs[0].name != "QR POS "+r.OrderNo {
		t.Fatalf("%d printouts, documents %+v", len(got), sp.docs)
	}
	golden(t, "sale-big5-48.txt", got[0].Text())
	if _, err := p.Status(context.Background()); !errors.Is(err, ErrNoStatus) {
		t.Fatalf("status through the spooler: %v", err)
	}
	p.Close()
	calls := strings.Join(slices.Compact(sp.calls), " ")
	if calls != "Open StartDoc StartPage Write EndPage EndDoc Close" {
		t.Fatalf("calls: %s", calls)
	}
}

// WritePrinter fails mid-job: the document is aborted (half a receipt
// never prints), the handle closed, the job fails to be retried; the retry
// opens the printer again and prints the job whole, once.
func TestWindowsSpoolerFailureMidJob(t *testing.T) {
	sp := newFakeSpooler("Receipt")
	sp.failAfter = 300
	p, err := Open(Config{Port: "windows:Receipt", winspool: sp, ChunkSize: 64, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	r := SampleReceipt(Big5)
	if err := p.Print(context.Background(), r); err == nil || !strings.Contains(err.Error(), "not responding") {
		t.Fatalf("a failed WritePrinter: %v", err)
	}
	if len(sp.docs) != 1 || !sp.docs[0].aborted || len(sp.open) != 0 {
		t.Fatalf("after the failure: documents %+v, open handles %v", sp.docs, sp.open)
	}
	if err := p.Print(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if got := sp.printed(t); len(got) != 1 || !strings.Contains(got[0].Text(), "好味茶餐廳") {
		t.Fatalf("printed %d receipts", len(got))
	}
	if n := strings.Count(strings.Join(sp.calls, " "), "Open"); n != 2 {
		t.Fatalf("opened %d times", n)
	}
	sp.openErr = errors.New("the RPC server is unavailable")
	if err := p.Print(context.Background(), r); err != nil {
		t.Fatalf("the open handle still prints: %v", err)
	}
}

// A printer Windows does not know is refused at the first job, and its
// name says which.
func TestWindowsUnknownPrinter(t *testing.T) {
	sp := newFakeSpooler("Receipt")
	p, err := Open(Config{Port: "windows:Kitchen", winspool: sp, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Print(context.Background(), SampleReceipt(Big5)); err == nil || !strings.Contains(err.Error(), `"Kitchen"`) {
		t.Fatalf("unknown printer: %v", err)
	}
	if _, err := Open(Config{Port: "windows:Receipt", Flow: FlowRTSCTS, winspool: sp}); err == nil {
		t.Fatal("RTS/CTS accepted on a Windows printer")
	}
}
