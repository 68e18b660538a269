package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qrpos/hq/api"
	"qrpos/hq/pgtest"
	"qrpos/hq/store"
	"qrpos/payments"
	"qrpos/payments/sandbox"
)

// TestHeadOfficeReconcile: `pos hq reconcile` asks every merchant's
// provider about the day and prints the differences, each on its terminal
// and store (--json: one object each); exit 0 on a clean day, 1 with a
// difference or a merchant the provider refuses; a wrong command line is
// refused.
func TestHeadOfficeReconcile(t *testing.T) {
	db := pgtest.DB(t)
	sb := sandbox.New(sandbox.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		QFPayAppCode: "HQRECONCILECLI0000000000000001"})
	t.Cleanup(sb.Close)
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	file := func(qfKey string) string {
		path := filepath.Join(t.TempDir(), "merchants.toml")
		body := fmt.Sprintf("[merchant.chain-qf]\nprovider = \"qfpay\"\nbase_url = %q\napp_code = \"HQRECONCILECLI0000000000000001\"\nclient_key = %q\n"+
			"[merchant.chain-eft]\nprovider = \"eftpay\"\nbase_url = %q\nuser_confirm_key = %q\nsecret = %q\n",
			srv.URL, qfKey, srv.URL+"/VMP", sandbox.DemoEftpayUser, sandbox.DemoEftpaySecret)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := file(sandbox.DemoQFPayKey)
	if code, _, _ := runOut(t, "hq", "enrol", "--db", db, "--tid", "T001", "--store", "Central"); code != 0 {
		t.Fatalf("enrol: %d", code)
	}
	today := time.Now().In(time.FixedZone("HKT", 8*3600)).Format(time.DateOnly)
	reconcile := func(args ...string) (int, string, string) {
		return runOut(t, append([]string{"hq", "reconcile", "--db", db, "--day", today}, args...)...)
	}
	if code, out, errOut := reconcile("--merchants", good); code != 0 || !strings.HasSuffix(out, today+": 0 differences; 2 of 2 merchants asked (run 1)") {
		t.Fatalf("a clean day: %d %q %q", code, out, errOut)
	}

	p, err := sb.Plant(sandbox.Planting{Kind: sandbox.PlantUnknownSale, Method: "800201", Amount: payments.Money{Minor: 4200, Currency: "HKD"}, TID: "T001"})
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ := reconcile("--merchants", good)
	want := "Central T001: missing_here qfpay " + p.OutTradeNo + ": provider 42.00 HKD paid, journal nothing; to do: check that the customer paid"
	if code != 1 || !strings.HasPrefix(out, want) || !strings.HasSuffix(out, "1 differences; 2 of 2 merchants asked (run 2)") {
		t.Fatalf("a planted sale: %d %q", code, out)
	}
	code, out, _ = reconcile("--merchants", good, "--json")
	var d api.ReconciliationDifference
	if err := json.Unmarshal([]byte(out), &d); code != 1 || err != nil || d.Kind != "missing_here" || d.TID != "T001" || d.Store != "Central" ||
		d.OutTradeNo != p.OutTradeNo || d.ThereAmount != "42.00" || d.HereState != "" || d.Merchant != "chain-qf" {
		t.Fatalf("--json: %d %q %v", code, out, err)
	}

	code, out, errOut := reconcile("--merchants", file("0E32A59A8B454940A2FF39WRONGKEY"))
	if code != 1 || !strings.Contains(errOut, "merchant chain-qf (qfpay): QFPay could not be asked") || strings.Contains(errOut, "WRONGKEY") ||
		!strings.HasSuffix(out, "0 differences; 1 of 2 merchants asked (run 4)") {
		t.Fatalf("a wrong key: %d %q %q", code, out, errOut)
	}

	// Served with the merchants, head office makes the night's run it
	// missed (the one of 03:30 today, or of yesterday before then) at
	// once, and again on the next night only.
	hkt := time.FixedZone("HKT", 8*3600)
	now := time.Now().In(hkt)
	due := time.Date(now.Year(), now.Month(), now.Day(), 3, 30, 0, 0, hkt)
	if now.Before(due) {
		due = due.AddDate(0, 0, -1)
	}
	night := due.AddDate(0, 0, -1).Format(time.DateOnly)
	ctx, stop := context.WithCancel(context.Background())
	started := &firstLine{line: make(chan string, 1)}
	served := make(chan int)
	var logs bytes.Buffer
	go func() {
		served <- dispatch(ctx, []string{"hq", "--db", db, "--listen", "127.0.0.1:0", "--merchants", good, "--tz", "Asia/Hong_Kong"}, started, &logs)
	}()
	<-started.line
	hqdb, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer hqdb.Close()
	deadline := time.Now().Add(30 * time.Second) // a guard against hanging, not a measure
	for {
		runs, err := hqdb.ReconcileRuns(context.Background(), night)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) == 1 && runs[0].Nightly && runs[0].FinishedAt != nil && len(runs[0].Merchants) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no nightly run of %s: %+v", night, runs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	if code := <-served; code != 0 || !strings.Contains(logs.String(), "nightly reconciliation") {
		t.Fatalf("pos hq ended with %d: %s", code, logs.String())
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"hq", "reconcile", "--db", db}, "--merchants is required"},
		{[]string{"hq", "reconcile", "--db", db, "--merchants", good, "--day", "2026-13-01"}, "--day"},
		{[]string{"hq", "reconcile", "--db", db, "--merchants", good, "--tz", "Mars/Olympus"}, "--tz"},
		{[]string{"hq", "--db", db, "--reconcile-at", "3:30"}, "--reconcile-at"},
	} {
		if code, _, errOut := runOut(t, c.args...); code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: %d %q", c.args, code, errOut)
		}
	}
}
