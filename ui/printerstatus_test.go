package ui

import (
	"context"
	"net"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"qrpos/terminal"
)

// The status bar says when the printer's connection cannot read its
// status (instead of "ready"), and when its cash drawer is open.
func TestPrinterStatusInStatusBar(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	l := r.term.status.print
	r.term.PrinterStatus(terminal.PrinterStatus{Readable: false})
	r.until("no status", func() bool { return l.Text == "Printer: status not available on this connection" })
	r.term.PrinterStatus(terminal.PrinterStatus{Readable: true, DrawerOpen: true})
	r.until("drawer open", func() bool {
		return l.Text == "Printer: ready · cash drawer open" && l.Importance == widget.WarningImportance
	})
	r.term.PrinterQueue(2, nil)
	r.until("queued, drawer open", func() bool { return l.Text == "Printer: 2 waiting · cash drawer open" })
	r.term.PrinterQueue(0, nil)
	r.term.PrinterStatus(terminal.PrinterStatus{Readable: true})
	r.until("ready", func() bool { return l.Text == "Printer: ready" && l.Importance == widget.SuccessImportance })
	r.term.tr = translatorFor(t, TraditionalChinese)
	r.term.PrinterStatus(terminal.PrinterStatus{Readable: false, DrawerOpen: true})
	r.until("zh-Hant", func() bool { return l.Text == "打印機：此連接無法讀取狀態 · 錢箱已打開" })
}

// The printer's settings offer the printer ports (USB and Windows
// printers beside serial ports; the scanner only serial ones), how
// Chinese prints and the cash drawer; saving writes the two choices the
// manager changed and audits "printer".
func TestPrinterChoicesSave(t *testing.T) {
	r := newRig(t, rigOptions{language: English})
	r.term.cfg.ListPorts = func(context.Context) ([]string, error) { return []string{"/dev/serial/by-id/usb-X-if00"}, nil }
	r.term.cfg.ListPrinterPorts = func(context.Context) ([]string, error) {
		return []string{"/dev/serial/by-id/usb-X-if00", "usblp:04B8:0E28:X4ZK", "/dev/usb/lp0", "windows:EPSON TM-T82III"}, nil
	}
	s := r.openSettings()
	r.until("ports listed", func() bool { return len(s.printPorts) == 4 })
	if !slices.Contains(s.printPorts, "usblp:04B8:0E28:X4ZK") || !slices.Contains(s.printPorts, "windows:EPSON TM-T82III") {
		t.Fatalf("printer ports %q", s.printPorts)
	}
	if s.printChinese.sel.Selected != "In the printer's own font" || s.printDrawer.sel.Selected != "Never open it" {
		t.Fatalf("shown: %q, %q", s.printChinese.sel.Selected, s.printDrawer.sel.Selected)
	}
	s.printChinese.sel.SetSelected("As images (printers without Chinese)")
	s.printDrawer.sel.SetSelected("Open after each paid sale")
	// A port on this machine where nothing listens: the printer is off.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := "tcp://" + ln.Addr().String()
	ln.Close()
	s.printPort.SetText(port)
	r.tap(s.save)
	r.until("saved", func() bool { return r.term.settings.msg.Text == "Saved: Receipt printer" })
	p, err := loadProfile(r)
	if err != nil {
		t.Fatal(err)
	}
	if p.Printer.Chinese != "raster" || p.Printer.Drawer != "after_sale" || p.Printer.Port != port {
		t.Fatalf("stored printer %+v", p.Printer)
	}
	s = r.term.settings // saving rebuilt the screens
	if s.printChinese.sel.Selected != "As images (printers without Chinese)" || s.printDrawer.sel.Selected != "Open after each paid sale" {
		t.Fatalf("shown after saving: %q, %q", s.printChinese.sel.Selected, s.printDrawer.sel.Selected)
	}
	s.printPort.SetText("tcp://127.0.0.1:99999")
	r.tap(s.save)
	if !strings.Contains(s.msg.Text, "port out of range") {
		t.Fatalf("a bad port: %q", s.msg.Text)
	}
	if p, _ := loadProfile(r); p.Printer.Port != port {
		t.Fatalf("a bad port was saved: %q", p.Printer.Port)
	}
}
