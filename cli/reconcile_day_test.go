package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"qrpos/api"
	"qrpos/payments"
	"qrpos/payments/sandbox"
)

// TestReconcileDay: `reconcile --day` while a terminal runs (through its
// local API, with its gateways) and on its own (the journal read-only, the
// providers only asked): a clean day exits 0 with its summary; a sale
// planted at QFPay is one line (one JSON object with --json) and exit 1;
// the plain `reconcile` keeps its meaning.
func TestReconcileDay(t *testing.T) {
	rt := startTerminal(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	day := time.Now().In(time.FixedZone("HKT", 8*3600)).Format("2006-01-02")
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := dispatch(ctx, append([]string{"reconcile", "--config", rt.config}, args...), &out, &errb)
		return code, out.String(), errb.String()
	}
	c := start(ctx, "charge", "--config", rt.config, "--provider", "qfpay", "--method", "800008", "--amount", "10.00",
		"--auth-code", "134567890100100012", "--json")
	if code := c.exit(t); code != 0 {
		t.Fatalf("charge: exit %d: %s", code, c.err.String())
	}

	// The file's QFPay key is now wrong: only the running terminal's
	// gateways, made from the file as it was, can ask QFPay.
	good, err := os.ReadFile(rt.config)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(good), sandbox.DemoQFPayKey, strings.Repeat("0", len(sandbox.DemoQFPayKey)), 1)
	if err := os.WriteFile(rt.config, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run("--day", day)
	if code != 0 || !strings.Contains(out, "CLI01 "+day+" (Hong Kong): 1 sales and 0 refunds compared with") ||
		!strings.Contains(out, "qfpay (1 records listed, 0 asked one by one)") || !strings.Contains(out, "they agree") {
		t.Fatalf("a clean day, through the running terminal: exit %d\n%s%s", code, out, errs)
	}
	if code, out, _ = run("--day", day, "--json"); code != 0 || out != "" {
		t.Fatalf("a clean day as JSON: exit %d %q", code, out)
	}
	if err := os.WriteFile(rt.config, good, 0o600); err != nil {
		t.Fatal(err)
	}

	planted, err := rt.sb.S.Plant(sandbox.Planting{Kind: sandbox.PlantUnknownSale, Method: "800201", Amount: payments.Money{Minor: 4200, Currency: "HKD"}, TID: "CLI01"})
	if err != nil {
		t.Fatal(err)
	}
	checkPlanted := func(when string) {
		t.Helper()
		code, out, errs := run("--day", day)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if code != 1 || len(lines) != 2 || !strings.Contains(lines[0], "paid at the provider, missing here qfpay order "+planted.OutTradeNo) ||
			!strings.Contains(lines[0], "provider HK$42.00 paid") || !strings.Contains(lines[1], "1 differences") || !strings.Contains(errs, "1 differences on "+day) {
			t.Fatalf("%s, a sale missing here: exit %d\n%s%s", when, code, out, errs)
		}
		code, out, _ = run("--day", day, "--json")
		var l api.Difference
		if err := json.Unmarshal([]byte(out), &l); code != 1 || err != nil || l.Kind != "missing_here" || l.OutTradeNo != planted.OutTradeNo ||
			l.ThereAmount != "42.00" || l.ThereCurrency != "HKD" || l.ThereState != "paid" || l.HereAmount != "" || !l.CanTakeIn || !l.Ours || l.Todo == "" {
			t.Fatalf("%s, as JSON: exit %d %q %v", when, code, out, err)
		}
	}
	checkPlanted("while the terminal runs")
	rt.stop()
	checkPlanted("on its own")

	// Another day has nothing; a bad day is refused; without --day the
	// command still finishes open orders.
	if code, out, _ := run("--day", "2020-01-01"); code != 0 || !strings.Contains(out, "0 sales and 0 refunds") {
		t.Errorf("an empty day: exit %d %s", code, out)
	}
	if code, _, errs := run("--day", "10/03/2026"); code == 0 || !strings.Contains(errs, "yyyy-mm-dd") {
		t.Errorf("a bad day: exit %d %s", code, errs)
	}
	if code, out, errs := run(); code != 0 || !strings.Contains(out, "every order is settled") {
		t.Errorf("reconcile without --day: exit %d %s%s", code, out, errs)
	}
}
