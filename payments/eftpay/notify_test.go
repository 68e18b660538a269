package eftpay_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/eftpay"
	"qrpos/payments/sandbox"
)

// inbox is the engine's side of the notification handler: it records what
// is delivered, and can refuse the first few deliveries.
type inbox struct {
	mu        sync.Mutex
	calls     int
	refuse    int // refuse this many deliveries first
	delivered []payments.Notification
	posts     map[string]int // HTTP deliveries per out_trade_no, seen on the wire
}

func (in *inbox) deliver(_ context.Context, n payments.Notification) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.calls++
	if in.calls <= in.refuse {
		return errors.New("journal busy")
	}
	in.delivered = append(in.delivered, n)
	return nil
}

func (in *inbox) snapshot() (calls int, delivered []payments.Notification) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.calls, append([]payments.Notification(nil), in.delivered...)
}

func (in *inbox) postsFor(no string) int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.posts[no]
}

// serve puts the handler on a loopback port, counting the POSTs per order;
// wrap may stand between the wire and the handler.
func (in *inbox) serve(t *testing.T, h http.Handler, wrap func(http.ResponseWriter, *http.Request, http.Handler)) string {
	in.posts = map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		if f, err := eftpay.DecodeObject(body); err == nil {
			in.mu.Lock()
			in.posts[f["out_trade_no"]]++
			in.mu.Unlock()
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		if wrap != nil {
			wrap(w, req, h)
			return
		}
		h.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/eftpay/notify"
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (r *rig) notified(no string) func() bool {
	return func() bool { v, ok := r.view(no); return ok && v.Notified }
}

func TestNotificationsFromTheSandbox(t *testing.T) {
	r := newRig(t)
	in := &inbox{}
	url := in.serve(t, r.gw.NotificationHandler(in.deliver), nil)
	wechat := method(t, "WECHATHK")

	no := r.no()
	res, err := r.gw.Pay(ctx, payments.PayRequest{OutTradeNo: no, Method: wechat, Amount: hkd(880), NotifyURL: url})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.sb.Pay(no, "success"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the sale's notification to be acknowledged", r.notified(no))
	_, got := in.snapshot()
	if len(got) != 1 {
		t.Fatalf("deliveries %v", got)
	}
	n := got[0]
	if n.Provider != payments.Eftpay || n.OutTradeNo != no || n.Refund || n.State != payments.Paid ||
		n.Amount != hkd(880) || n.ProviderRef != res.ProviderRef || len(n.Raw) == 0 ||
		n.MethodCode != "WECHATHK" || n.TID != "T001" {
		t.Fatalf("sale notification %+v", n)
	}

	if _, err := r.gw.Refund(ctx, payments.RefundRequest{OutTradeNo: no, RefundNo: no + "R1", Method: wechat, Amount: hkd(200)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the refund's notification", func() bool { _, d := in.snapshot(); return len(d) == 2 })
	_, got = in.snapshot()
	n = got[1]
	if !n.Refund || n.RefundNo != no+"R1" || n.RefundState != payments.RefundDone || n.Amount != hkd(200) || n.OutTradeNo != no {
		t.Fatalf("refund notification %+v", n)
	}

	// The Apple Pay token payment, final in its answer, is notified too.
	ap := r.no()
	if _, err := r.gw.Pay(ctx, payments.PayRequest{OutTradeNo: ap, Method: tokenMethod(t), Amount: hkd(1500), AuthCode: `{"data":"ok"}`, NotifyURL: url}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the Apple Pay notification", r.notified(ap))
	_, got = in.snapshot()
	if n := got[len(got)-1]; n.OutTradeNo != ap || n.State != payments.Paid || n.Amount != hkd(1500) {
		t.Fatalf("Apple Pay notification %+v", n)
	}

	// PayMe and FPS never notify; an Alipay sale paid after them does, and
	// its notification arriving bounds the wait for theirs.
	var silent []string
	for _, code := range []string{"PAYME", "FPS"} {
		no := r.no()
		if _, err := r.gw.Pay(ctx, payments.PayRequest{OutTradeNo: no, Method: method(t, code), Amount: hkd(300), NotifyURL: url}); err != nil {
			t.Fatal(err)
		}
		if err := r.sb.Pay(no, "success"); err != nil {
			t.Fatal(err)
		}
		silent = append(silent, no)
	}
	last := r.no()
	if _, err := r.gw.Pay(ctx, payments.PayRequest{OutTradeNo: last, Method: method(t, "ALIPAYCN"), Amount: hkd(300), NotifyURL: url}); err != nil {
		t.Fatal(err)
	}
	if err := r.sb.Pay(last, "success"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the Alipay notification", r.notified(last))
	time.Sleep(50 * time.Millisecond)
	for _, no := range silent {
		if n := in.postsFor(no); n != 0 {
			t.Errorf("%s was notified %d times; PayMe and FPS never notify", no, n)
		}
	}
}

func TestNotificationRetriedUntilAcknowledged(t *testing.T) {
	r := newRig(t)
	in := &inbox{refuse: 2}
	url := in.serve(t, r.gw.NotificationHandler(in.deliver), nil)
	no := r.no()
	if _, err := r.gw.Pay(ctx, payments.PayRequest{OutTradeNo: no, Method: method(t, "UNIONPAY"), Amount: hkd(4200), NotifyURL: url}); err != nil {
		t.Fatal(err)
	}
	if err := r.sb.Pay(no, "success"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "acknowledgement", r.notified(no))
	calls, got := in.snapshot()
	if calls != 3 || len(got) != 1 || in.postsFor(no) != 3 {
		t.Fatalf("calls %d, delivered %d, posts %d: want 2 refusals then 1 delivery", calls, len(got), in.postsFor(no))
	}
}

// The handler's acknowledgement is lost on the way back: the sandbox sends
// the notification again, and the engine hears of it once.
func TestNotificationDeliveredTwiceCallsBackOnce(t *testing.T) {
	r := newRig(t)
	in := &inbox{}
	var mu sync.Mutex
	lost := false
	loseFirstAnswer := func(w http.ResponseWriter, req *http.Request, h http.Handler) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		mu.Lock()
		drop := !lost
		lost = true
		mu.Unlock()
		if drop {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			conn.Close()
			return
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}
	url := in.serve(t, r.gw.NotificationHandler(in.deliver), loseFirstAnswer)
	no := r.no()
	if _, err := r.gw.Pay(ctx, payments.PayRequest{OutTradeNo: no, Method: method(t, "ATOME"), Amount: hkd(9900), NotifyURL: url}); err != nil {
		t.Fatal(err)
	}
	if err := r.sb.Pay(no, "success"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "acknowledgement", r.notified(no))
	calls, got := in.snapshot()
	if in.postsFor(no) != 2 || calls != 1 || len(got) != 1 {
		t.Fatalf("posts %d, callbacks %d: want 2 posts and 1 callback", in.postsFor(no), calls)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// padded adds a field that brings f's encoding to about n bytes.
func padded(f map[string]string, n int) map[string]string {
	f["pad"] = strings.Repeat("x", n-len(eftpay.EncodeObject(f)))
	return f
}

func signed(secret string, f map[string]string) []byte {
	f["sign"] = eftpay.Sign(secret, f)
	return eftpay.EncodeObject(f)
}

func saleNotice(no string, at time.Time) map[string]string {
	return map[string]string{"paytype": "WeChat", "user_confirm_key": sandbox.DemoEftpayUser, "out_trade_no": no,
		"total_fee": "0.02", "currency": "HKD", "trade_status": "TRADE_SUCCESS", "time": eftpay.FormatTime(at),
		"payment_type": "WECHATCN", "eftpay_trade_no": "08520005269190824021901723"}
}

// post sends a notification body and returns the HTTP status and the
// acknowledgement's return_code, after checking its signature.
func post(t *testing.T, url string, body []byte) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusMethodNotAllowed {
		return resp.StatusCode, ""
	}
	ack, err := eftpay.DecodeObject(raw)
	if err != nil || !eftpay.Verify(sandbox.DemoEftpaySecret, ack) {
		t.Fatalf("acknowledgement %s does not verify (%v)", raw, err)
	}
	return resp.StatusCode, ack["return_code"]
}

func TestNotificationRejects(t *testing.T) {
	r := newRig(t)
	var logs syncBuffer
	gw := r.gateway(func(c *eftpay.Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	in := &inbox{}
	url := in.serve(t, gw.NotificationHandler(in.deliver), nil)
	now := r.clock.Now()

	unsigned := eftpay.EncodeObject(saleNotice("N1", now))
	wrongSign := signed("testsignkey9999", saleNotice("N2", now))
	tampered, _ := eftpay.DecodeObject(signed(sandbox.DemoEftpaySecret, saleNotice("N3", now)))
	tampered["total_fee"] = "2000.00"
	noNumber := saleNotice("", now)
	tests := []struct {
		name   string
		body   []byte
		status int
	}{
		{"unsigned", unsigned, http.StatusUnauthorized},
		{"signed with another secret", wrongSign, http.StatusUnauthorized},
		{"amount changed after signing", eftpay.EncodeObject(tampered), http.StatusUnauthorized},
		{"not JSON", []byte("return_code=success"), http.StatusBadRequest},
		{"a JSON list", []byte(`[1,2]`), http.StatusBadRequest},
		{"signed without out_trade_no", signed(sandbox.DemoEftpaySecret, noNumber), http.StatusBadRequest},
		{"signed, over 64 KiB", signed(sandbox.DemoEftpaySecret, padded(saleNotice("N4", now), eftpay.MaxNotification)),
			http.StatusRequestEntityTooLarge},
	}
	for _, tc := range tests {
		status, code := post(t, url, tc.body)
		if status != tc.status || code != eftpay.AckFalse {
			t.Errorf("%s: HTTP %d %q, want %d false", tc.name, status, code, tc.status)
		}
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: HTTP %d", resp.StatusCode)
	}
	if calls, _ := in.snapshot(); calls != 0 {
		t.Fatalf("an unverified notification reached the engine (%d calls)", calls)
	}
	// Just under the cap is read and delivered.
	if status, code := post(t, url, signed(sandbox.DemoEftpaySecret, padded(saleNotice("N5", now), eftpay.MaxNotification-400))); status != http.StatusOK || code != eftpay.AckSuccess {
		t.Errorf("a signed notification under 64 KiB: HTTP %d %q", status, code)
	}
	out := logs.String()
	if strings.Count(out, "eftpay notification rejected") != len(tests) {
		t.Errorf("want one rejection line per refusal:\n%s", out)
	}
	for _, secret := range []string{sandbox.DemoEftpaySecret, "out_trade_no=N1&"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds a secret or a base string (%q):\n%s", secret, out)
		}
	}
}

// The same news, sent at once from several connections and later re-signed
// with a new time, reaches the engine once; every sender hears success.
func TestNotificationConcurrentDuplicates(t *testing.T) {
	r := newRig(t)
	in := &inbox{}
	url := in.serve(t, r.gw.NotificationHandler(in.deliver), nil)
	body := signed(sandbox.DemoEftpaySecret, saleNotice("N7", r.clock.Now()))
	var wg sync.WaitGroup
	codes := make([]string, 8)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, codes[i] = post(t, url, body)
		}()
	}
	wg.Wait()
	later := signed(sandbox.DemoEftpaySecret, saleNotice("N7", r.clock.Now().Add(10*time.Minute)))
	_, last := post(t, url, later)
	codes = append(codes, last)
	for i, c := range codes {
		if c != eftpay.AckSuccess {
			t.Errorf("delivery %d answered %q", i, c)
		}
	}
	if calls, _ := in.snapshot(); calls != 1 {
		t.Fatalf("%d callbacks for one notification", calls)
	}
	// A different status of the same order is news.
	closed := saleNotice("N7", r.clock.Now())
	closed["trade_status"] = "TRADE_CLOSED"
	post(t, url, signed(sandbox.DemoEftpaySecret, closed))
	if calls, got := in.snapshot(); calls != 2 || got[1].State != payments.Closed {
		t.Fatalf("calls %d, %+v", calls, got)
	}
}
