package checkout

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"qrpos/devices/printer"
	"qrpos/payments"
	"qrpos/storage"
)

// The printer's chinese and drawer settings: empty stands for native and
// never; anything else but the named values is refused, as is a port that
// is no printer port.
func TestPrinterProfileValidate(t *testing.T) {
	base := Profile{TID: "T001"}
	for _, tt := range []struct {
		edit func(*PrinterProfile)
		bad  string
	}{
		{func(*PrinterProfile) {}, ""},
		{func(p *PrinterProfile) { p.Chinese, p.Drawer = "raster", DrawerAfterSale }, ""},
		{func(p *PrinterProfile) { p.Chinese, p.Drawer = "native", DrawerNever }, ""},
		{func(p *PrinterProfile) { p.Port = "tcp://192.168.1.50:9100" }, ""},
		{func(p *PrinterProfile) { p.Port = "windows:EPSON TM-T82III Receipt" }, ""},
		{func(p *PrinterProfile) { p.Port = "usblp:04b8:0e28" }, ""},
		{func(p *PrinterProfile) { p.Chinese = "bitmap" }, "chinese"},
		{func(p *PrinterProfile) { p.Drawer = "always" }, "drawer"},
		{func(p *PrinterProfile) { p.Port = "tcp://192.168.1.50:0" }, "network printer"},
		{func(p *PrinterProfile) { p.Port = "usb:04b8" }, "USB"},
	} {
		p := base
		tt.edit(&p.Printer)
		err := p.Validate()
		if (err != nil) != (tt.bad != "") || err != nil && !strings.Contains(err.Error(), tt.bad) {
			t.Errorf("%+v: %v, want an error about %q", p.Printer, err, tt.bad)
		}
	}
	b, _ := json.Marshal(base.Printer)
	if strings.Contains(string(b), "chinese") || strings.Contains(string(b), "drawer") {
		t.Errorf("unset settings written: %s", b)
	}
}

// drawer = "after_sale": a paid sale's receipt pulses the drawer; its
// reprint and refund do not; with the default, no receipt does.
func TestSaleReceiptOpensDrawer(t *testing.T) {
	s := newShop(t, "en")
	ctx := context.Background()
	kicks := func(no, kind string) int {
		t.Helper()
		jobs, err := s.j.PrintsOf(ctx, no)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, j := range jobs {
			if j.Kind != kind {
				continue
			}
			var r printer.Receipt
			if err := json.Unmarshal(j.Payload, &r); err != nil {
				t.Fatal(err)
			}
			v := printer.NewVirtual()
			p, _ := printer.New(v, printer.Config{})
			if err := p.Print(ctx, r); err != nil {
				t.Fatal(err)
			}
			n += len(v.Last().Drawer)
			p.Close()
		}
		return n
	}
	quiet := s.sale(payments.QFPay, "800101", 1230, storage.Change{ProviderRef: "Q1"})
	s.p.Printer.Drawer = DrawerAfterSale
	o := s.sale(payments.QFPay, "800101", 4560, storage.Change{ProviderRef: "Q2"})
	if err := s.rc.Reprint(ctx, o); err != nil {
		t.Fatal(err)
	}
	s.refund(o, 100, "R1")
	if k := kicks(quiet.OutTradeNo, storage.PrintSale); k != 0 {
		t.Errorf("drawer never: %d kicks", k)
	}
	if k := kicks(o.OutTradeNo, storage.PrintSale); k != 1 {
		t.Errorf("after_sale: %d kicks on the sale receipt", k)
	}
	if k := kicks(o.OutTradeNo, storage.PrintReprint) + kicks(o.OutTradeNo, storage.PrintRefund); k != 0 {
		t.Errorf("reprint and refund kicked the drawer %d times", k)
	}
}
