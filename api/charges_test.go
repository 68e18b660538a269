package api

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/checkout"
	"qrpos/storage"
)

// TestTillSaleOverTheSocket is the README's curl session: the till rings
// up HK$88.50 over the Unix socket, gets the QR code, the customer pays in
// the sandbox, and the till's long-poll returns paid with the provider's
// reference.
func TestTillSaleOverTheSocket(t *testing.T) {
	r := newRig(t, rigOptions{})
	status, hdr, body := r.raw("POST", "/v1/charges", map[string]string{"Idempotency-Key": "till-4711-1", "Content-Type": "application/json"},
		`{"amount":"88.50","currency":"HKD","method":"eftpay:ALIPAYHK","reference":"till-4711"}`)
	if status != 201 {
		t.Fatalf("create: %d %v", status, body)
	}
	for _, f := range []string{"id", "out_trade_no", "state", "amount", "currency", "method", "provider_ref", "qr_code", "reference"} {
		if _, ok := body[f]; !ok {
			t.Errorf("the answer has no %q: %v", f, body)
		}
	}
	id, _ := body["id"].(string)
	if body["out_trade_no"] != id || body["state"] != "pending" || body["amount"] != "88.50" || body["currency"] != "HKD" ||
		body["method"] != "eftpay:ALIPAYHK" || body["reference"] != "till-4711" || body["qr_code"] == "" || hdr.Get("Location") != "/v1/charges/"+id {
		t.Fatalf("create answered %v (Location %q)", body, hdr.Get("Location"))
	}

	// The till long-polls; the customer pays 300 ms later.
	type result struct {
		c   Charge
		err error
		at  time.Time
	}
	done := make(chan result, 1)
	go func() {
		c, err := r.c.Charge(context.Background(), id, 10*time.Second)
		done <- result{c, err, time.Now()}
	}()
	time.Sleep(300 * time.Millisecond)
	select {
	case res := <-done:
		t.Fatalf("the long-poll returned before the customer paid: %+v %v", res.c, res.err)
	default:
	}
	paidAt := time.Now()
	if err := r.sb.Pay(id, "success"); err != nil {
		t.Fatal(err)
	}
	res := <-done
	if res.err != nil || res.c.State != "paid" || res.c.ProviderRef == "" || !res.c.Settled || res.c.Reference != "till-4711" {
		t.Fatalf("long-poll: %+v, %v", res.c, res.err)
	}
	if res.at.Before(paidAt) || res.at.Sub(paidAt) > 2*time.Second {
		t.Fatalf("the long-poll returned %s after the payment", res.at.Sub(paidAt))
	}
	o, err := r.j.Order(context.Background(), id)
	if err != nil || o.State != payments.Paid || o.ProviderRef != res.c.ProviderRef {
		t.Fatalf("journal: %+v, %v", o, err)
	}

	// Orders, report and status know it.
	ctx := ctxT(t)
	list, err := r.c.Orders(ctx, "")
	if err != nil || len(list.Orders) != 1 || list.Orders[0].ID != id || list.Orders[0].Reference != "till-4711" || list.Orders[0].State != "paid" {
		t.Fatalf("orders: %+v, %v", list, err)
	}
	rep, err := r.c.Report(ctx, time.Now().Format("2006-01-02"))
	if err != nil || rep.Total.Sales != 1 || rep.Total.Gross != "88.50" || rep.Currency != "HKD" || len(rep.Lines) != 1 || rep.Lines[0].Method != "eftpay:ALIPAYHK" {
		t.Fatalf("report: %+v, %v", rep, err)
	}
	st, err := r.c.Status(ctx)
	if err != nil || st.TID != "T001" || st.SaleInProgress != nil || st.Client != "socket" || len(st.Methods) == 0 || !st.Refunds.PINRequired || len(st.Providers) != 2 {
		t.Fatalf("status: %+v, %v", st, err)
	}
	if _, err := r.c.Orders(ctx, "2026-13-01"); err == nil {
		t.Fatal("a bad date was accepted")
	} else {
		apiErr(t, err, 400, CodeQueryInvalid)
	}
}

// TestIdempotencyKey: the same key twice is one order and one payment
// request at the provider; the same key with another body is refused and
// writes nothing; keys sent at once by two tills race to one charge.
func TestIdempotencyKey(t *testing.T) {
	r := newRig(t, rigOptions{})
	ctx := ctxT(t)
	req := ChargeRequest{Amount: "12.30", Currency: "HKD", Method: "qfpay:800101", Reference: "till-1"}
	first, replayed, err := r.c.CreateCharge(ctx, "k-1", req)
	if err != nil || replayed {
		t.Fatalf("first: %+v %v %v", first, replayed, err)
	}
	// Laid out differently, the same request.
	status, hdr, body := r.raw("POST", "/v1/charges", map[string]string{"Idempotency-Key": "k-1"},
		`{ "reference":"till-1", "method":"qfpay:800101", "currency":"HKD", "amount":"12.3" }`)
	if status != 200 || hdr.Get("Idempotent-Replayed") != "true" || body["id"] != first.ID {
		t.Fatalf("replay: %d %v %v", status, hdr, body)
	}
	if n := len(r.orders()); n != 1 {
		t.Fatalf("%d orders", n)
	}
	if n := r.payRequests(); n != 1 {
		t.Fatalf("%d payment requests at the provider", n)
	}
	// Another amount under the same key.
	_, _, err = r.c.CreateCharge(ctx, "k-1", ChargeRequest{Amount: "12.40", Currency: "HKD", Method: "qfpay:800101", Reference: "till-1"})
	e := apiErr(t, err, 422, CodeKeyReused)
	if !strings.Contains(e.Message, "Idempotency-Key reused with a different request") || e.ChargeID != first.ID {
		t.Fatalf("reuse: %+v", e)
	}
	if n, p := len(r.orders()), r.payRequests(); n != 1 || p != 1 {
		t.Fatalf("after the reuse: %d orders, %d payment requests", n, p)
	}
	if _, err := r.c.Cancel(ctx, first.ID); err != nil {
		t.Fatal(err)
	}

	// Two tills (or a till's retry racing its first try) at once.
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, _, err := r.c.CreateCharge(ctx, "k-2", req)
			if err != nil {
				t.Errorf("concurrent: %v", err)
			}
			ids[i] = c.ID
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("one key, several charges: %v", ids)
		}
	}
	if n, p := len(r.orders()), r.payRequests(); n != 2 || p != 2 {
		t.Fatalf("after the concurrent tries: %d orders, %d payment requests", n, p)
	}
}

// TestIdempotencyKeyAfterRestart: the same key after the terminal
// restarted (journal file closed and opened again, new engine, new server)
// returns the same charge, as it now stands, and charges nothing.
func TestIdempotencyKeyAfterRestart(t *testing.T) {
	r := newRig(t, rigOptions{})
	req := ChargeRequest{Amount: "88.50", Currency: "HKD", Method: "alipayhk", Reference: "till-4711"}
	c := mustCharge(t, r.c, "till-4711-1", req)
	if c.Method != "eftpay:ALIPAYHK" {
		t.Fatalf("wallet alipayhk went to %s", c.Method)
	}
	if err := r.sb.Pay(c.ID, "success"); err != nil {
		t.Fatal(err)
	}
	if c, err := r.c.Charge(ctxT(t), c.ID, 10*time.Second); err != nil || c.State != "paid" {
		t.Fatalf("paid: %+v %v", c, err)
	}
	r.restart()
	again, replayed, err := r.c.CreateCharge(ctxT(t), "till-4711-1", req)
	if err != nil || !replayed || again.ID != c.ID || again.State != "paid" || again.Reference != "till-4711" {
		t.Fatalf("after the restart: %+v %v %v", again, replayed, err)
	}
	if n, p := len(r.orders()), r.payRequests(); n != 1 || p != 1 {
		t.Fatalf("after the restart: %d orders, %d payment requests", n, p)
	}
	_, _, err = r.c.CreateCharge(ctxT(t), "till-4711-1", ChargeRequest{Amount: "88.50", Currency: "HKD", Method: "alipayhk", Reference: "till-4712"})
	apiErr(t, err, 422, CodeKeyReused)
	// A new key is a new sale.
	if c2 := mustCharge(t, r.c, "till-4712-1", req); c2.ID == c.ID {
		t.Fatal("a new key returned the old charge")
	}
}

// TestIdempotencyKeyReservedBeforeACrash: the terminal stopped after it
// reserved a key and before it noted the charge. If the order was
// journalled, the key finds it and nothing is charged again; if not, the
// charge is made.
func TestIdempotencyKeyReservedBeforeACrash(t *testing.T) {
	r := newRig(t, rigOptions{})
	ctx := ctxT(t)
	req := ChargeRequest{Amount: "20.00", Currency: "HKD", Method: "qfpay:800101", Reference: "till-9"}
	in, e := parseChargeRequest([]byte(`{"amount":"20.00","currency":"HKD","method":"qfpay:800101","reference":"till-9"}`))
	if e != nil {
		t.Fatal(e)
	}
	// Reserved, order made and sent, then the crash (no bind).
	if _, _, err := r.j.ReserveIdempotencyKey(ctx, storage.APICharge{Key: "crash-1", TokenID: "socket", RequestHash: in.hash(), Reference: "till-9"}); err != nil {
		t.Fatal(err)
	}
	sale, err := r.eng.Charge(ctx, checkout.ChargeRequest{Provider: payments.QFPay, MethodCode: "800101", Amount: in.amount, Origin: "till", Reference: "till-9"})
	if err != nil {
		t.Fatal(err)
	}
	waitSent(t, r, sale.Order.OutTradeNo)
	r.restart()
	got, replayed, err := r.c.CreateCharge(ctx, "crash-1", req)
	if err != nil || !replayed || got.ID != sale.Order.OutTradeNo || got.Reference != "till-9" {
		t.Fatalf("recovered: %+v %v %v; want %s", got, replayed, err, sale.Order.OutTradeNo)
	}
	if n, p := len(r.orders()), r.payRequests(); n != 1 || p != 1 {
		t.Fatalf("%d orders, %d payment requests", n, p)
	}

	// Reserved, then the crash before the order: the charge is made now.
	in2, _ := parseChargeRequest([]byte(`{"amount":"21.00","currency":"HKD","method":"qfpay:800101"}`))
	if _, _, err := r.j.ReserveIdempotencyKey(ctx, storage.APICharge{Key: "crash-2", TokenID: "socket", RequestHash: in2.hash()}); err != nil {
		t.Fatal(err)
	}
	r.restart()
	got2, replayed, err := r.c.CreateCharge(ctx, "crash-2", ChargeRequest{Amount: "21.00", Currency: "HKD", Method: "qfpay:800101"})
	if err != nil || replayed || got2.ID == got.ID || got2.Amount != "21.00" {
		t.Fatalf("charged anew: %+v %v %v", got2, replayed, err)
	}
	if ac, err := r.j.IdempotentCharge(ctx, "crash-2"); err != nil || ac.ChargeID != got2.ID {
		t.Fatalf("key not bound: %+v %v", ac, err)
	}
}

// TestSecondChargeWhileOneRuns: 409 with the live charge's id; nothing of
// the refused request is written; once the first ends the next goes.
func TestSecondChargeWhileOneRuns(t *testing.T) {
	r := newRig(t, rigOptions{})
	ctx := ctxT(t)
	a := mustCharge(t, r.c, "a", ChargeRequest{Amount: "10.00", Currency: "HKD", Method: "eftpay:WECHATHK"})
	_, _, err := r.c.CreateCharge(ctx, "b", ChargeRequest{Amount: "11.00", Currency: "HKD", Method: "eftpay:ALIPAYHK"})
	e := apiErr(t, err, 409, CodeSaleInProgress)
	if e.ChargeID != a.ID {
		t.Fatalf("409 names %q, want %q", e.ChargeID, a.ID)
	}
	if n := len(r.orders()); n != 1 {
		t.Fatalf("%d orders", n)
	}
	if _, err := r.j.IdempotentCharge(ctx, "b"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the refused key was kept: %v", err)
	}
	st, err := r.c.Status(ctx)
	if err != nil || st.SaleInProgress == nil || st.SaleInProgress.ID != a.ID {
		t.Fatalf("status: %+v %v", st, err)
	}
	// A counter sale in progress refuses the till too.
	closed, err := r.c.Cancel(ctx, a.ID)
	if err != nil || closed.State != "closed" {
		t.Fatalf("cancel: %+v %v", closed, err)
	}
	counter, err := r.eng.Charge(ctx, checkout.ChargeRequest{Provider: payments.Eftpay, MethodCode: "PAYME", Amount: payments.Money{Minor: 500, Currency: "HKD"}})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = r.c.CreateCharge(ctx, "b", ChargeRequest{Amount: "11.00", Currency: "HKD", Method: "eftpay:ALIPAYHK"})
	if e := apiErr(t, err, 409, CodeSaleInProgress); e.ChargeID != counter.Order.OutTradeNo {
		t.Fatalf("409 names %q, want the counter's %q", e.ChargeID, counter.Order.OutTradeNo)
	}
	counter.Cancel()
	counter.Wait(ctx)
	if b := mustCharge(t, r.c, "b", ChargeRequest{Amount: "11.00", Currency: "HKD", Method: "eftpay:ALIPAYHK"}); b.State != "pending" {
		t.Fatalf("b: %+v", b)
	}
}

// TestBadChargeRequests: each is a 4xx with a JSON error that says what is
// wrong, and nothing is written or sent.
func TestBadChargeRequests(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.setProfile(func(p *checkout.Profile) {
		p.Methods = []string{"eftpay:ALIPAYHK", "eftpay:WECHATHK", "qfpay:800101", "qfpay:800008", "qfpay:800208"}
	})
	key := map[string]string{"Idempotency-Key": "bad-1"}
	for _, tc := range []struct {
		name   string
		header map[string]string
		body   string
		status int
		code   string
		field  string
	}{
		{"three decimals", key, `{"amount":"88.505","currency":"HKD","method":"eftpay:ALIPAYHK"}`, 422, CodeAmountInvalid, "amount"},
		{"negative", key, `{"amount":"-1","currency":"HKD","method":"eftpay:ALIPAYHK"}`, 422, CodeAmountInvalid, "amount"},
		{"exponent", key, `{"amount":"1e3","currency":"HKD","method":"eftpay:ALIPAYHK"}`, 422, CodeAmountInvalid, "amount"},
		{"zero", key, `{"amount":"0.00","currency":"HKD","method":"eftpay:ALIPAYHK"}`, 422, CodeAmountInvalid, "amount"},
		{"separator", key, `{"amount":"1,000.00","currency":"HKD","method":"eftpay:ALIPAYHK"}`, 422, CodeAmountInvalid, "amount"},
		{"a float", key, `{"amount":88.5,"currency":"HKD","method":"eftpay:ALIPAYHK"}`, 400, CodeBadRequest, "amount"},
		{"no amount", key, `{"currency":"HKD","method":"eftpay:ALIPAYHK"}`, 422, CodeAmountInvalid, "amount"},
		{"over eftPay's range", key, `{"amount":"60000.01","currency":"HKD","method":"eftpay:ALIPAYHK"}`, 422, CodeAmountInvalid, "amount"},
		{"wrong currency", key, `{"amount":"10.00","currency":"USD","method":"eftpay:ALIPAYHK"}`, 422, CodeCurrencyInvalid, "currency"},
		{"no currency", key, `{"amount":"10.00","method":"eftpay:ALIPAYHK"}`, 422, CodeCurrencyInvalid, "currency"},
		{"unknown currency", key, `{"amount":"10.00","currency":"XYZ","method":"eftpay:ALIPAYHK"}`, 422, CodeCurrencyInvalid, "currency"},
		{"unknown method", key, `{"amount":"10.00","currency":"HKD","method":"eftpay:NOPE"}`, 422, CodeMethodUnknown, "method"},
		{"unknown wallet", key, `{"amount":"10.00","currency":"HKD","method":"bitcoin"}`, 422, CodeMethodUnknown, "method"},
		{"not offered", key, `{"amount":"10.00","currency":"HKD","method":"eftpay:PAYME"}`, 422, CodeMethodNotOffered, "method"},
		{"wallet not offered", key, `{"amount":"10.00","currency":"HKD","method":"payme"}`, 422, CodeMethodNotOffered, "method"},
		{"no method", key, `{"amount":"10.00","currency":"HKD"}`, 422, CodeMethodRequired, "method"},
		{"CPM without code", key, `{"amount":"10.00","currency":"HKD","method":"qfpay:800008"}`, 422, CodeAuthCodeRequired, "auth_code"},
		{"any without code", key, `{"amount":"10.00","currency":"HKD","method":"any"}`, 422, CodeAuthCodeRequired, "auth_code"},
		{"MPM with a code", key, `{"amount":"10.00","currency":"HKD","method":"eftpay:ALIPAYHK","auth_code":"134567890123456789"}`, 422, CodeAuthCodeNotForQR, "auth_code"},
		{"code with a space", key, `{"amount":"10.00","currency":"HKD","method":"qfpay:800008","auth_code":"1345 67"}`, 422, CodeFieldInvalid, "auth_code"},
		{"long reference", key, `{"amount":"10.00","currency":"HKD","method":"eftpay:ALIPAYHK","reference":"` + strings.Repeat("x", 65) + `"}`, 422, CodeFieldInvalid, "reference"},
		{"unknown field", key, `{"amount":"10.00","currency":"HKD","method":"eftpay:ALIPAYHK","tip":"1.00"}`, 400, CodeBadRequest, "tip"},
		{"not JSON", key, `amount=10.00`, 400, CodeBadRequest, ""},
		{"an array", key, `[{"amount":"10.00"}]`, 400, CodeBadRequest, ""},
		{"two objects", key, `{"amount":"10.00","currency":"HKD","method":"eftpay:ALIPAYHK"}{}`, 400, CodeBadRequest, ""},
		{"empty body", key, ``, 400, CodeBadRequest, ""},
		{"no key", nil, `{"amount":"10.00","currency":"HKD","method":"eftpay:ALIPAYHK"}`, 400, CodeKeyRequired, ""},
		{"key with a space", map[string]string{"Idempotency-Key": "a b"}, `{"amount":"10.00","currency":"HKD","method":"eftpay:ALIPAYHK"}`, 400, CodeKeyInvalid, ""},
	} {
		status, _, body := r.raw("POST", "/v1/charges", tc.header, tc.body)
		msg, _ := body["message"].(string)
		if status != tc.status || body["error"] != tc.code || msg == "" || (tc.field != "" && body["field"] != tc.field) {
			t.Errorf("%s: %d %v; want %d %s (%s)", tc.name, status, body, tc.status, tc.code, tc.field)
		}
	}
	if n, p := len(r.orders()), len(r.sb.Requests()); n != 0 || p != 0 {
		t.Fatalf("bad requests wrote %d orders and sent %d requests", n, p)
	}
	if _, err := r.j.IdempotentCharge(context.Background(), "bad-1"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a bad request's key was kept: %v", err)
	}
	// A wallet name with a customer code goes to that wallet's CPM method.
	c := mustCharge(t, r.c, "cpm-1", ChargeRequest{Amount: "10.00", Currency: "HKD", Method: "wechat", AuthCode: "134567890123456700"})
	if c.Method != "qfpay:800208" || c.State != "paid" || c.AuthCode == "" || strings.Contains(c.AuthCode, "1345678901234") {
		t.Fatalf("wechat CPM: %+v", c)
	}
	c = mustCharge(t, r.c, "cpm-2", ChargeRequest{Amount: "10.00", Currency: "HKD", Method: "any", AuthCode: "987654321000"})
	if c.Method != "qfpay:800008" || c.State != "paid" {
		t.Fatalf("any CPM: %+v", c)
	}
}

func TestCancelCharge(t *testing.T) {
	r := newRig(t, rigOptions{})
	ctx := ctxT(t)
	c := mustCharge(t, r.c, "c-1", ChargeRequest{Amount: "30.00", Currency: "HKD", Method: "qfpay:800101", Reference: "t-1"})
	got, err := r.c.Cancel(ctx, c.ID)
	if err != nil || got.State != "closed" || !got.Settled || got.ID != c.ID {
		t.Fatalf("cancel: %+v %v", got, err)
	}
	if v, ok := r.sb.Order(c.ID); !ok || v.Paid {
		t.Fatalf("sandbox: %+v", v)
	}
	_, err = r.c.Cancel(ctx, c.ID)
	if e := apiErr(t, err, 409, CodeNotCancellable); e.ChargeID != c.ID {
		t.Fatalf("second cancel: %+v", e)
	}
	_, err = r.c.Cancel(ctx, "T001NOSUCHORDER")
	apiErr(t, err, 404, CodeNotFound)
	_, err = r.c.Charge(ctx, "T001NOSUCHORDER", 0)
	apiErr(t, err, 404, CodeNotFound)
}

// waitSent waits until the provider has the order (the payment request
// went out and its answer is journalled).
func waitSent(t *testing.T, r *rig, no string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		o, err := r.j.Order(context.Background(), no)
		if _, ok := r.sb.Order(no); ok && err == nil && o.State != payments.Created {
			return
		}
	}
	t.Fatalf("order %s never reached the provider", no)
}
