package printer

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to make it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func readGolden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func refundReceipt() Receipt {
	return Receipt{
		Title: "REFUND", Store: "Ho Mei Cafe", TID: "DEMO01", Date: "2026-11-23", Time: "18:00:00",
		OrderNo: "T20261123170509001", Method: "Alipay HK", Amount: "HKD 128.50", Status: "PARTLY REFUNDED",
		Refunds: []Field{{Label: "Refund R1 18:00", Value: "HKD -28.50"}, {Label: "Refund R2 18:01", Value: "HKD -10.00"}},
		Footer:  []string{"Customer copy"}, OpenDrawer: true,
	}
}

func reportReceipt() Receipt {
	return Receipt{
		Title: "X REPORT", Store: "Ho Mei Cafe", TID: "DEMO01", Date: "2026-11-23", Time: "23:59:00",
		Lines: []Field{
			{Label: "WeChat Pay HK (12)", Value: "HKD 1,234.50"}, {Label: "Alipay HK (3)", Value: "HKD 88.00"},
			{Label: "Refunds (1)", Value: "HKD -28.50"}, {Label: "Net", Value: "HKD 1,294.00"},
		},
	}
}

func fixtures() map[string]Receipt {
	return map[string]Receipt{
		"sale-big5":       SampleReceipt(Big5),
		"sale-gb18030":    SampleReceipt(GB18030),
		"refund":          refundReceipt(),
		"report":          reportReceipt(),
		"reprint-minimal": {Title: "REPRINT", OrderNo: "T1", Amount: "HKD 0.10", QR: "T1"},
	}
}

// Every receipt at every width and both encodings, decoded by the virtual
// printer and compared with its golden text.
func TestLayoutGolden(t *testing.T) {
	for name, r := range fixtures() {
		for _, w := range []int{Width58mm, Width80mm42, Width80mm} {
			enc := Big5
			if name == "sale-gb18030" {
				enc = GB18030
			}
			data, err := Layout(r, Format{Width: w, Encoding: enc})
			if err != nil {
				t.Fatal(err)
			}
			v := NewVirtual(WithWidth(w), WithEncoding(enc))
			v.Write(data)
			p := v.Last()
			if p == nil {
				t.Fatalf("%s/%d: no cut printout", name, w)
			}
			for _, e := range p.Elements {
				if e.Kind == KindText && e.Cols() > w {
					t.Errorf("%s/%d: line of %d columns", name, w, e.Cols())
				}
			}
			if len(p.Unknown) > 0 {
				t.Errorf("%s/%d: unknown commands %v", name, w, p.Unknown)
			}
			golden(t, fmt.Sprintf("%s-%d.txt", name, w), p.Text())
		}
	}
}

func TestLayoutRejects(t *testing.T) {
	if _, err := Layout(Receipt{}, Format{Width: 40}); err == nil {
		t.Error("width 40 accepted")
	}
	if _, err := Layout(Receipt{}, Format{Encoding: "utf8"}); err == nil {
		t.Error("utf8 accepted")
	}
	big := make([]byte, QRMaxData+1)
	for i := range big {
		big[i] = '1'
	}
	if _, err := Layout(Receipt{QR: string(big)}, Format{}); err == nil {
		t.Error("oversized QR accepted")
	}
}
