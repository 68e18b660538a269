package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments"
	"qrpos/payments/sandbox"
	"qrpos/terminal"
)

// labels lists the texts of every label under o.
func labels(o fyne.CanvasObject) []string {
	var out []string
	switch x := o.(type) {
	case *widget.Label:
		out = append(out, x.Text)
	case *fyne.Container:
		for _, c := range x.Objects {
			out = append(out, labels(c)...)
		}
	}
	return out
}

// TestReconcileButton: End of day's "Reconcile with provider" lists the
// sale QFPay holds and the journal lacks, with what to do; "Take into the
// journal" (manager PIN) journals it paid as QFPay says, audited, and the
// list is clean after.
func TestReconcileButton(t *testing.T) {
	r := newRig(t, rigOptions{})
	term := r.term
	planted, err := r.sb.Plant(sandbox.Planting{Kind: sandbox.PlantUnknownSale, Method: "800201", TID: "T001",
		Amount: payments.Money{Minor: 4200, Currency: "HKD"}})
	if err != nil {
		t.Fatal(err)
	}
	term.showTab(term.report.root)
	r.until("report", func() bool { return term.report.loaded })
	r.tap(term.report.reconB)
	v := term.report.recon
	if v == nil {
		t.Fatal("no reconciliation view")
	}
	r.until("differences", func() bool { return v.loaded })
	if len(v.rec.Differences) != 1 || v.rec.Differences[0].OutTradeNo != planted.OutTradeNo {
		t.Fatalf("differences: %+v", v.rec.Differences)
	}
	text := strings.Join(labels(v.list), "\n")
	for _, want := range []string{"Paid at the provider, missing here · QFPay", planted.OutTradeNo, "Here: nothing",
		"Provider: HK$42.00 paid", "What to do: check that the customer paid at this counter"} {
		if !strings.Contains(text, want) {
			t.Errorf("the list lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(v.status.Text, "1 difference to settle") {
		t.Errorf("summary: %q", v.status.Text)
	}
	b := v.takeIn[planted.OutTradeNo]
	if b == nil {
		t.Fatal("no Take into the journal button")
	}
	r.tap(b)
	r.enterPIN(DefaultDemoPIN)
	r.until("taken in and asked again", func() bool { return v.loaded && len(v.rec.Differences) == 0 })
	if o := r.order(planted.OutTradeNo); o.State != payments.Paid || o.Amount.Minor != 4200 || o.MethodCode != "800201" || o.ProviderRef == "" {
		t.Errorf("taken in: %+v", o)
	}
	if !strings.Contains(v.status.Text, "agree") {
		t.Errorf("summary after: %q", v.status.Text)
	}
	found := false
	for _, e := range r.audit() {
		found = found || e.Action == "reconcile_take_in" && e.Actor == "manager" && strings.Contains(e.Detail, planted.OutTradeNo)
	}
	if !found {
		t.Error("the take-in is not in the audit log")
	}
	// A second reconciliation from the core agrees.
	if rec, err := r.core.ReconcileDay(context.Background(), term.now()); err != nil || !rec.Clean() {
		t.Errorf("after: %+v %v", rec.Differences, err)
	}
}

// TestReconcileWordsForEveryKind: every kind of difference has its name
// and what to do in every language.
func TestReconcileWordsForEveryKind(t *testing.T) {
	for _, l := range []Language{English, TraditionalChinese, SimplifiedChinese} {
		tr, err := NewTranslator(l)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range terminal.DifferenceKinds() {
			for _, key := range []string{"reconcile.kind." + string(k), "reconcile.do." + string(k)} {
				if !tr.Has(key) {
					t.Errorf("%s: no %s", l, key)
				}
			}
		}
	}
}
