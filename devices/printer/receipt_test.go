package printer

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// headingReport is an end-of-day report as the engine lays it out: notes
// under the title, a heading per method, a heading with a value, and a
// method name wider than 58 mm paper.
func headingReport() Receipt {
	return Receipt{
		Title: "日結 END OF DAY", Notes: []string{"副本 COPY", "重印 Reprinted 2026-11-24 09:12"}, Store: "Ho Mei Cafe",
		TID: "DEMO01", Date: "2026-11-23",
		Lines: []Field{
			{Label: "支付寶香港 AlipayHK (eftPay)", Heading: true},
			{Label: "  交易 Sales (1)", Value: "HK$128.50"}, {Label: "  淨額 Net", Value: "HK$90.00"},
			{Label: "微信支付香港 WeChat Pay HK (QFPay)", Heading: true},
			{Label: "  交易 Sales (1)", Value: "HK$88.00"},
			{Label: "合計 TOTAL", Value: "HK$178.00", Heading: true},
		},
	}
}

// Headings print alone (or with their value), a blank line above all but
// the first; notes print under the title; nothing is wider than the paper.
func TestLayoutHeadingsGolden(t *testing.T) {
	for _, w := range []int{Width58mm, Width80mm42, Width80mm} {
		p := printed(t, headingReport(), w, Big5)
		for _, e := range p.Elements {
			if e.Kind == KindText && e.Cols() > w {
				t.Errorf("%d: line of %d columns", w, e.Cols())
			}
		}
		text := p.Text()
		for _, want := range []string{"支付寶香港 AlipayHK (eftPay)\n", "副本 COPY", "\n\n微信支付香港 WeChat Pay HK"} {
			if !strings.Contains(text, want) {
				t.Errorf("%d: no %q in\n%s", w, want, text)
			}
		}
		golden(t, fmt.Sprintf("report-headings-%d.txt", w), text)
	}
}

// A heading prints bold; the figures under it do not.
func TestLayoutHeadingIsBold(t *testing.T) {
	p := printed(t, headingReport(), Width80mm, Big5)
	bold := map[string]bool{}
	for _, e := range p.Elements {
		if e.Kind == KindText && len(e.Runs) > 0 {
			bold[strings.TrimSpace(e.Runs[0].Text)] = e.Runs[0].Bold
		}
	}
	if !bold["支付寶香港"] || !bold["合計"] || bold["交易"] {
		t.Errorf("bold: %v", bold)
	}
}

// The end-of-day report of older versions (method names as lines with no
// value), as stored in a journal's print queue, prints its method names;
// a reference with no value still prints nothing.
func TestOldReportPayloadKeepsNames(t *testing.T) {
	old := `{"title":"END OF DAY 2026-11-23","store":"Test shop","tid":"T001",` +
		`"refs":[{"label":"eftpay ref","value":""}],` +
		`"lines":[{"label":"AlipayHK (eftpay)","value":""},{"label":"  1 sales","value":"HK$128.50"},` +
		`{"label":"Total","value":""},{"label":"  net","value":"HK$128.50"}]}`
	var r Receipt
	if err := json.Unmarshal([]byte(old), &r); err != nil {
		t.Fatal(err)
	}
	text := printed(t, r, Width58mm, Big5).Text()
	for _, want := range []string{"AlipayHK (eftpay)\n", "\nTotal\n", "1 sales"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in\n%s", want, text)
		}
	}
	if strings.Contains(text, "eftpay ref") {
		t.Errorf("an empty reference printed:\n%s", text)
	}
}
