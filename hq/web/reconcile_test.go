package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"qrpos/hq"
	"qrpos/hq/internal/hqtest"
	"qrpos/hq/merchants"
	"qrpos/hq/reconcile"
	"qrpos/payments"
	"qrpos/payments/sandbox"
)

// reconChain is the chain with a head office that can reconcile: the
// chain's eftPay sales are at the sandbox, T002's at another amount (a
// planted difference), and a QFPay merchant has a wrong key (the provider
// refuses it).
type reconChain struct {
	*chain
	runner *reconcile.Runner
}

func newReconChain(t *testing.T) *reconChain {
	t.Helper()
	c := newChain(t)
	sb := sandbox.New(sandbox.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	t.Cleanup(sb.Close)
	sbSrv := httptest.NewServer(sb.Handler())
	t.Cleanup(sbSrv.Close)
	file := fmt.Sprintf("[merchant.chain-eft]\nprovider = \"eftpay\"\nbase_url = %q\nuser_confirm_key = %q\nsecret = %q\n"+
		"[merchant.chain-qf]\nprovider = \"qfpay\"\nbase_url = %q\napp_code = %q\nclient_key = \"0E32A59A8B454940A2FF39WRONGKEY\"\n",
		sbSrv.URL+"/VMP", sandbox.DemoEftpayUser, sandbox.DemoEftpaySecret, sbSrv.URL, sandbox.DemoQFPayAppCode)
	ms, err := merchants.Parse([]byte(file))
	if err != nil {
		t.Fatal(err)
	}
	hkd := func(minor int64) payments.Money { return payments.Money{Minor: minor, Currency: "HKD"} }
	for _, s := range []struct {
		tid    string
		n      int
		amount int64
	}{{"T001", 1, 1050}, {"T001", 2, 2050}, {"T002", 1, 1000}} { // T002's sale was 10.50
		if err := sb.SeedOrder(payments.Eftpay, hqtest.OrderNo(s.tid, s.n), "ALIPAYHK", hkd(s.amount), true, s.tid); err != nil {
			t.Fatal(err)
		}
	}
	info, _ := payments.LookupProvider(payments.Eftpay)
	g, err := info.NewGateway(ms[0].Settings, payments.GatewayEnv{})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := payments.LookupMethod(payments.Eftpay, "ALIPAYHK")
	if _, err := g.Refund(context.Background(), payments.RefundRequest{OutTradeNo: hqtest.OrderNo("T001", 1), RefundNo: "R1",
		Method: m, Amount: hkd(500), SaleAmount: hkd(1050)}); err != nil {
		t.Fatal(err)
	}
	rc := &reconChain{chain: c, runner: &reconcile.Runner{DB: c.DB, Merchants: ms, Location: hqtest.HKT, Log: quiet}}
	t.Cleanup(rc.runner.Wait)
	srv := httptest.NewServer(hq.New(hq.Config{DB: c.DB, Location: hqtest.HKT, Auth: c.Auth, Logger: quiet, Reconcile: rc.runner}))
	t.Cleanup(srv.Close)
	rig := *c.Rig
	rig.Server = srv
	c2 := *c
	c2.Rig = &rig
	rc.chain = &c2
	return rc
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// The page: who sees what, and who may start a run. A viewer of Kowloon
// sees Kowloon's difference only; a viewer may not start a run; a start
// without the form's CSRF token is refused; an admin's start is audited.
func TestReconciliationPage(t *testing.T) {
	c := newReconChain(t)
	if _, err := c.runner.Run(context.Background(), "2026-03-02", "nightly"); err != nil {
		t.Fatal(err)
	}
	victor := newPage(t, c.chain)
	victor.login(kowloonly, "/reconciliation?date=2026-03-02")
	resp, body := victor.get("/reconciliation?date=2026-03-02")
	if resp.StatusCode != 200 || !strings.Contains(body, `data-kind="amount_differs"`) || !strings.Contains(body, "Terminal T002") ||
		strings.Contains(body, "T001") || strings.Contains(body, "run-now") {
		t.Fatalf("Kowloon's viewer: %d %s", resp.StatusCode, body)
	}
	hanaPage := newPage(t, c.chain)
	hanaPage.login(hana, "/reconciliation")
	_, body = hanaPage.get("/reconciliation?date=2026-03-02")
	if strings.Contains(body, "run-now") || !strings.Contains(body, "merchant-error") {
		t.Fatalf("a viewer of every store: %s", body)
	}
	if resp, _ := hanaPage.post("/reconciliation", url.Values{"csrf": {hanaPage.csrf(body)}, "date": {"2026-03-02"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a viewer starts a run: %d", resp.StatusCode)
	}
	alice := newPage(t, c.chain)
	alice.login(admin, "/reconciliation?date=2026-03-02")
	_, body = alice.get("/reconciliation?date=2026-03-02")
	if resp, _ := alice.post("/reconciliation", url.Values{"date": {"2026-03-02"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a start without the CSRF token: %d", resp.StatusCode)
	}
	resp, _ = alice.post("/reconciliation", url.Values{"csrf": {alice.csrf(body)}, "date": {"2026-03-02"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/reconciliation?date=2026-03-02&started=") {
		t.Fatalf("an admin's start: %d %v", resp.StatusCode, resp.Header)
	}
	c.runner.Wait()
	log, err := c.DB.AuditLog(context.Background(), 5)
	if err != nil || len(log) == 0 || log[0].Actor != admin || log[0].Action != "reconcile_run" || !strings.HasPrefix(log[0].Detail, "day 2026-03-02, run ") {
		t.Fatalf("audit %+v %v", log, err)
	}
	if resp, _ := alice.get("/reconciliation?date=2026-3-2"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a bad date: %d", resp.StatusCode)
	}
}
