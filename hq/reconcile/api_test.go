package reconcile_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"qrpos/hq"
	"qrpos/hq/api"
	"qrpos/payments"
	"qrpos/payments/sandbox"
)

// get asks head office's API for path with token and decodes the answer
// into out; it returns the status.
func (r *rig) get(t *testing.T, token, path string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, r.hq.Server.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := r.hq.Server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

func apiLines(ds []api.ReconciliationDifference) []string {
	var out []string
	for _, d := range ds {
		out = append(out, strings.Join([]string{d.Kind, d.TID, d.Store, d.OutTradeNo}, " "))
	}
	return out
}

// GET /api/v1/reconciliation: the run, each merchant and the differences;
// a viewer of one store sees its differences and the merchants that
// served it, and nothing of another store.
func TestAPIReconciliationStoreScope(t *testing.T) {
	r := newRig(t)
	r.terminal(t, "T001", "Central")
	t2 := r.terminal(t, "T002", "Kowloon")
	e := qrSale(t, t2, r.sb, payments.Eftpay, "ALIPAYHK", 880, true)
	r.synced(t)
	plant := func(p sandbox.Planting) sandbox.Planting {
		t.Helper()
		out, err := r.sb.Plant(p)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	central := plant(sandbox.Planting{Kind: sandbox.PlantUnknownSale, Method: "800201", Amount: hkd(4200), TID: "T001"})
	kowloon := plant(sandbox.Planting{Kind: sandbox.PlantUnknownSale, Method: "800201", Amount: hkd(4300), TID: "T002"})
	stranger := plant(sandbox.Planting{Kind: sandbox.PlantUnknownSale, Method: "800101", Amount: hkd(5100), TID: "T777"})
	plant(sandbox.Planting{Kind: sandbox.PlantAmount, OutTradeNo: e.OutTradeNo, Amount: hkd(800)})
	// QFPay's credential is Central's only: Kowloon's QFPay record is of
	// no terminal the merchant serves.
	ms := merchantsOf(t, r.merchantsFile(sandbox.DemoQFPayKey, "stores = [\"Central\"]\n", sandbox.DemoEftpaySecret, ""))
	res, err := r.runner(ms).Run(ctxOf(t), today(), "test")
	if err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	every, err := hq.NewAPIToken(ctx, r.hq.DB, "")
	if err != nil {
		t.Fatal(err)
	}
	kowloonOnly, err := hq.NewAPIToken(ctx, r.hq.DB, "Kowloon")
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/reconciliation?date=" + today()
	var all api.Reconciliation
	if st := r.get(t, every, path, &all); st != 200 || all.Run == nil || all.Run.ID != res.Run.ID || all.Running != nil || len(all.Runs) != 1 {
		t.Fatalf("every store: %d %+v", st, all)
	}
	wantAll := []string{
		"missing_here T001 Central " + central.OutTradeNo,
		"unknown_terminal T002 Kowloon " + kowloon.OutTradeNo,
		"amount_differs T002 Kowloon " + e.OutTradeNo,
		"unknown_terminal   " + stranger.OutTradeNo,
	}
	if got := apiLines(all.Differences); !same(got, wantAll) {
		t.Fatalf("every store's differences:\n%s", strings.Join(got, "\n"))
	}
	if len(all.Merchants) != 2 || !all.Merchants[0].OK || !all.Merchants[1].OK {
		t.Fatalf("merchants %+v", all.Merchants)
	}
	for _, d := range all.Differences {
		if d.OutTradeNo == e.OutTradeNo && (d.HereAmount != "8.80" || d.ThereAmount != "8.00" || d.HereState != "paid" ||
			d.Merchant != "chain-eft" || d.Todo == "" || d.Title != "amount or currency differs" || d.Method != "ALIPAYHK") {
			t.Errorf("the amount difference: %+v", d)
		}
	}

	var mine api.Reconciliation
	if st := r.get(t, kowloonOnly, path, &mine); st != 200 || mine.Store != "Kowloon" || mine.Run == nil {
		t.Fatalf("Kowloon's viewer: %d %+v", st, mine)
	}
	if got := apiLines(mine.Differences); !same(got, wantAll[1:3]) {
		t.Fatalf("Kowloon's viewer sees:\n%s", strings.Join(got, "\n"))
	}
	if len(mine.Merchants) != 1 || mine.Merchants[0].Merchant != "chain-eft" {
		t.Fatalf("Kowloon's viewer sees merchants %+v", mine.Merchants)
	}
	if st := r.get(t, kowloonOnly, path+"&store=Central", &mine); st != http.StatusForbidden {
		t.Fatalf("Kowloon's viewer asking for Central: %d", st)
	}
	var central1 api.Reconciliation
	if st := r.get(t, every, path+"&store=Central", &central1); st != 200 || !same(apiLines(central1.Differences), wantAll[:1]) {
		t.Fatalf("Central: %d %v", st, apiLines(central1.Differences))
	}
	if st := r.get(t, "", path, &mine); st != http.StatusUnauthorized {
		t.Fatalf("no login: %d", st)
	}
	var none api.Reconciliation
	if st := r.get(t, every, "/api/v1/reconciliation?date=2026-01-01", &none); st != 200 || none.Run != nil || len(none.Differences) != 0 {
		t.Fatalf("a day without a run: %d %+v", st, none)
	}
	if st := r.get(t, every, "/api/v1/reconciliation?date=yesterday", &none); st != http.StatusBadRequest {
		t.Fatalf("a bad date: %d", st)
	}
}
