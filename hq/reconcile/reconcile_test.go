package reconcile_test

import (
	"strings"
	"testing"
	"time"

	"qrpos/hq/internal/hqtest"
	"qrpos/hq/reconcile"
	"qrpos/hq/store"
	"qrpos/hq/wire"
	"qrpos/payments"
	"qrpos/payments/sandbox"
)

// A day of sales, refunds (partial and whole) and cancelled sales at two
// terminals of two stores, made by real terminals through the sandbox and
// uploaded to head office, reconciles clean: QFPay's from its list of the
// day, asked once for the merchant; eftPay's order by order.
func TestCleanDay(t *testing.T) {
	r := newRig(t)
	t1, t2 := r.terminal(t, "T001", "Central"), r.terminal(t, "T002", "Kowloon")
	cpmSale(t, t1, 1000)
	b := cpmSale(t, t1, 2000)
	refund(t, t1, b.OutTradeNo, 400)
	qrSale(t, t1, r.sb, payments.QFPay, "800101", 1230, false)
	e := qrSale(t, t1, r.sb, payments.Eftpay, "ALIPAYHK", 880, true)
	refund(t, t1, e.OutTradeNo, 80)
	qrSale(t, t1, r.sb, payments.Eftpay, "WECHATHK", 990, false)
	c := cpmSale(t, t2, 3000)
	refund(t, t2, c.OutTradeNo, 3000)
	qrSale(t, t2, r.sb, payments.Eftpay, "ALIPAYHK", 770, true)
	r.synced(t)

	res, err := r.runner(merchantsOf(t, r.merchantsFile(sandbox.DemoQFPayKey, "", sandbox.DemoEftpaySecret, ""))).Run(ctxOf(t), today(), "test")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Clean() || len(res.Differences) != 0 {
		t.Fatalf("a clean day: %v %+v", lines(res.Differences), res.Run.Merchants)
	}
	want := map[string]store.ReconcileMerchant{
		// QFPay: 4 sales and 2 refunds of both terminals, listed at once.
		"chain-qf": {Merchant: "chain-qf", Provider: "qfpay", Stores: []string{"Central", "Kowloon"}, Terminals: 2, Records: 6},
		// eftPay: 3 sales and a refund asked one by one.
		"chain-eft": {Merchant: "chain-eft", Provider: "eftpay", Stores: []string{"Central", "Kowloon"}, Terminals: 2, Records: 4, Queries: 4},
	}
	if len(res.Run.Merchants) != 2 {
		t.Fatalf("merchants %+v", res.Run.Merchants)
	}
	for _, m := range res.Run.Merchants {
		w := want[m.Merchant]
		if m.Provider != w.Provider || strings.Join(m.Stores, ",") != strings.Join(w.Stores, ",") || m.Terminals != w.Terminals ||
			m.Records != w.Records || m.Queries != w.Queries || m.Error != "" {
			t.Errorf("merchant %+v, want %+v", m, w)
		}
	}
	if res.Run.Day != today() || res.Run.By != "test" || res.Run.FinishedAt == nil || res.Run.Nightly {
		t.Errorf("run %+v", res.Run)
	}
}

// Every kind of difference planted in the sandbox (and, for what the
// provider lacks, uploaded to head office) is found once, on the right
// terminal and store; a record of a tid no terminal has is reported on
// its own. A later run of the day replaces the differences and keeps the
// runs.
func TestFindsEachPlantedDifference(t *testing.T) {
	r := newRig(t)
	t1, t2 := r.terminal(t, "T001", "Central"), r.terminal(t, "T002", "Kowloon")
	amount := cpmSale(t, t1, 1000)
	refunded := cpmSale(t, t1, 2000)
	otherTID := cpmSale(t, t1, 3000)
	partly := cpmSale(t, t1, 4000)
	rf := refund(t, t1, partly.OutTradeNo, 500)
	closed := qrSale(t, t1, r.sb, payments.QFPay, "800101", 1230, false)
	eft := qrSale(t, t1, r.sb, payments.Eftpay, "ALIPAYHK", 880, true)
	unasked := qrSale(t, t1, r.sb, payments.Eftpay, "WECHATHK", 990, true)
	qrSale(t, t2, r.sb, payments.Eftpay, "ALIPAYHK", 660, true)
	cpmSale(t, t2, 5000)

	plant := func(p sandbox.Planting) sandbox.Planting {
		t.Helper()
		out, err := r.sb.Plant(p)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	unknown := plant(sandbox.Planting{Kind: sandbox.PlantUnknownSale, Method: "800201", Amount: hkd(4200), TID: "T002"})
	stranger := plant(sandbox.Planting{Kind: sandbox.PlantUnknownSale, Method: "800101", Amount: hkd(5100), TID: "T777"})
	plant(sandbox.Planting{Kind: sandbox.PlantAmount, OutTradeNo: amount.OutTradeNo, Amount: hkd(999)})
	portal := plant(sandbox.Planting{Kind: sandbox.PlantRefund, OutTradeNo: refunded.OutTradeNo, Amount: hkd(100)})
	plant(sandbox.Planting{Kind: sandbox.PlantTID, OutTradeNo: otherTID.OutTradeNo, TID: "T009"})
	plant(sandbox.Planting{Kind: sandbox.PlantAmount, OutTradeNo: rf.RefundNo, Amount: hkd(600)})
	plant(sandbox.Planting{Kind: sandbox.PlantPaid, OutTradeNo: closed.OutTradeNo})
	plant(sandbox.Planting{Kind: sandbox.PlantAmount, OutTradeNo: eft.OutTradeNo, Amount: hkd(800)})
	if err := r.sb.InjectFault(sandbox.Fault{Kind: sandbox.Fault5xx, Provider: "eftpay", Op: sandbox.OpQuery, OutTradeNo: unasked.OutTradeNo}); err != nil {
		t.Fatal(err)
	}
	ghost, ghostRefund := r.uploadGhost(t, "T002")
	r.synced(t)

	run := r.runner(merchantsOf(t, r.merchantsFile(sandbox.DemoQFPayKey, "", sandbox.DemoEftpaySecret, "")))
	res, err := run.Run(ctxOf(t), today(), "test")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"amount_differs T001 Central " + amount.OutTradeNo + " ",
		"refund_only_there T001 Central " + refunded.OutTradeNo + " " + portal.RefundNo,
		"other_terminal T001 Central " + otherTID.OutTradeNo + " ", // its record names T009
		"not_paid_there T001 Central " + otherTID.OutTradeNo + " ",
		"refund_differs T001 Central " + partly.OutTradeNo + " " + rf.RefundNo,
		"not_paid_here T001 Central " + closed.OutTradeNo + " ",
		"amount_differs T001 Central " + eft.OutTradeNo + " ",
		"not_checked T001 Central " + unasked.OutTradeNo + " ",
		"missing_here T002 Kowloon " + unknown.OutTradeNo + " ",
		"not_paid_there T002 Kowloon " + ghost + " ",
		"refund_only_here T002 Kowloon " + ghost + " " + ghostRefund,
		"unknown_terminal   " + stranger.OutTradeNo + " ",
	}
	if got := lines(res.Differences); !same(got, want) {
		t.Fatalf("differences:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	seen := map[string]bool{}
	for _, d := range res.Differences {
		seen[d.Kind] = true
		if d.Kind == string(reconcile.UnknownTerminal) && (d.RecordTID != "T777" || d.ThereMinor != 5100 || d.Todo != reconcile.Todo(reconcile.UnknownTerminal)) {
			t.Errorf("the stranger's record: %+v", d)
		}
		if d.OutTradeNo == amount.OutTradeNo && (d.HereMinor != 1000 || d.ThereMinor != 999 || d.HereState != "paid" || d.Merchant != "chain-qf" || d.Todo == "") {
			t.Errorf("the amount difference: %+v", d)
		}
	}
	for _, k := range reconcile.Kinds() {
		if !seen[string(k)] {
			t.Errorf("no %s found", k)
		}
	}
	held, err := r.hq.DB.ReconcileDifferences(ctxOf(t), today(), "")
	if err != nil || !same(lines(held), want) {
		t.Fatalf("kept: %v %v", lines(held), err)
	}

	// The fault gone, the next run finds the sale it could not check
	// clean, and its differences replace the first run's.
	r.sb.ClearFaults()
	res2, err := run.Run(ctxOf(t), today(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	var fixed []string
	for _, l := range want {
		if !strings.HasPrefix(l, "not_checked ") {
			fixed = append(fixed, l)
		}
	}
	want = fixed
	held, err = r.hq.DB.ReconcileDifferences(ctxOf(t), today(), "")
	if err != nil || !same(lines(held), want) || !same(lines(res2.Differences), want) {
		t.Fatalf("after the second run: %v %v", lines(held), err)
	}
	runs, err := r.hq.DB.ReconcileRuns(ctxOf(t), today())
	if err != nil || len(runs) != 2 || runs[0].ID != res2.Run.ID || runs[0].Differences != 11 || runs[1].Differences != 12 ||
		runs[0].By != "alice" || len(runs[1].Merchants) != 2 {
		t.Fatalf("runs %+v %v", runs, err)
	}
	if kowloon, _ := r.hq.DB.ReconcileDifferences(ctxOf(t), today(), "Kowloon"); len(kowloon) != 3 {
		t.Errorf("Kowloon's differences: %v", lines(kowloon))
	}
}

// uploadGhost uploads, as a second journal of tid, a paid QFPay sale and
// its refund that never reached the provider (a journal copied from
// elsewhere), and returns their numbers.
func (r *rig) uploadGhost(t *testing.T, tid string) (sale, refundNo string) {
	t.Helper()
	j := hqtest.NewJournal(tid)
	now := time.Now()
	no, err := payments.NewOrderNumber(tid, now, strings.NewReader(strings.Repeat("ghost", 10)))
	if err != nil {
		t.Fatal(err)
	}
	o := wire.Order{OutTradeNo: no, TID: tid, Provider: "qfpay", Method: "800008", Mode: "CPM", AmountMinor: 700, Currency: "HKD",
		State: "paid", ProviderRef: "NOWHERE", CreatedAt: now.UnixNano(), UpdatedAt: now.UnixNano()}
	j.Add(wire.KindOrder, o)
	j.Add(wire.KindRefund, wire.Refund{RefundNo: no + "R1", OutTradeNo: no, AmountMinor: 100, Currency: "HKD", State: "done",
		CreatedAt: now.UnixNano(), UpdatedAt: now.UnixNano()})
	if rep := r.hq.Post(r.tokens[tid], j.All()); rep.Status != 200 || rep.Ack.Acked != 2 {
		t.Fatalf("ghost upload: %+v", rep)
	}
	return no, no + "R1"
}

// A merchant whose provider refuses its credential (a wrong key) is
// reported with why, and the other merchants are still reconciled.
func TestMerchantRefused(t *testing.T) {
	r := newRig(t)
	t1 := r.terminal(t, "T001", "Central")
	cpmSale(t, t1, 1000)
	e := qrSale(t, t1, r.sb, payments.Eftpay, "ALIPAYHK", 880, true)
	qrSale(t, t1, r.sb, payments.Eftpay, "ALIPAYHK", 990, true)
	r.synced(t)
	r.sb.Plant(sandbox.Planting{Kind: sandbox.PlantAmount, OutTradeNo: e.OutTradeNo, Amount: hkd(800)})

	wrongQF := merchantsOf(t, r.merchantsFile("0E32A59A8B454940A2FF39WRONGKEY", "", sandbox.DemoEftpaySecret, ""))
	res, err := r.runner(wrongQF).Run(ctxOf(t), today(), "test")
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]store.ReconcileMerchant{}
	for _, m := range res.Run.Merchants {
		status[m.Merchant] = m
	}
	if qf := status["chain-qf"]; !strings.Contains(qf.Error, "QFPay could not be asked") || strings.Contains(qf.Error, "WRONGKEY") {
		t.Errorf("QFPay with a wrong key: %+v", qf)
	}
	if eft := status["chain-eft"]; eft.Error != "" || eft.Queries != 2 {
		t.Errorf("eftPay: %+v", eft)
	}
	if got := lines(res.Differences); !same(got, []string{"amount_differs T001 Central " + e.OutTradeNo + " "}) || res.Clean() {
		t.Fatalf("differences %v", got)
	}

	wrongEft := merchantsOf(t, r.merchantsFile(sandbox.DemoQFPayKey, "", "wrongsignkey99", ""))
	res, err = r.runner(wrongEft).Run(ctxOf(t), today(), "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Run.Merchants {
		if (m.Merchant == "chain-eft") != (m.Error != "") {
			t.Errorf("eftPay with a wrong key: %+v", m)
		}
	}
	if len(res.Differences) != 0 {
		t.Fatalf("differences %v", lines(res.Differences))
	}

	// An unknown user at eftPay: its first refusal stops its queries.
	unknownUser := merchantsOf(t, strings.Replace(r.merchantsFile(sandbox.DemoQFPayKey, "", sandbox.DemoEftpaySecret, ""),
		`user_confirm_key = "`+sandbox.DemoEftpayUser+`"`, `user_confirm_key = "S9999999"`, 1))
	res, err = r.runner(unknownUser).Run(ctxOf(t), today(), "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Run.Merchants {
		if m.Merchant == "chain-eft" && !strings.Contains(m.Error, "refused this merchant's credential") {
			t.Errorf("eftPay with an unknown user: %+v", m)
		}
	}
}
