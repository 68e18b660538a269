package qfpay_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"qrpos/payments"
	"qrpos/payments/qfpay"
	"qrpos/payments/sandbox"
)

// inbox is the engine's side of the notification handler: what was
// delivered, and the raw requests as they came, to replay and forge.
type inbox struct {
	mu        sync.Mutex
	delivered []payments.Notification
	calls     map[string]int // deliver calls by out_trade_no or refund number
	failFirst map[string]int // how many times to refuse a number first
	raw       []capturedRequest
}

type capturedRequest struct {
	body   []byte
	header http.Header
}

func (b *inbox) deliver(_ context.Context, n payments.Notification) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	id := n.OutTradeNo
	if n.Refund {
		id = n.RefundNo
	}
	b.calls[id]++
	if b.failFirst[id] > 0 {
		b.failFirst[id]--
		return errors.New("journal busy")
	}
	b.delivered = append(b.delivered, n)
	return nil
}

func (b *inbox) find(id string) (payments.Notification, int, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, n := range b.delivered {
		if n.OutTradeNo == id || n.RefundNo == id {
			return n, b.calls[id], true
		}
	}
	return payments.Notification{}, b.calls[id], false
}

// serveNotifications runs the gateway's handler on loopback, keeping a copy
// of every request.
func serveNotifications(t *testing.T, e *env) (*inbox, string) {
	b := &inbox{calls: map[string]int{}, failFirst: map[string]int{}}
	h := e.gw.NotificationHandler(b.deliver)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		b.mu.Lock()
		b.raw = append(b.raw, capturedRequest{body: body, header: r.Header.Clone()})
		b.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return b, srv.URL + "/notify/qfpay"
}

// signed is a notification's headers: X-QF-SIGN, and X-QF-SIGNTYPE when
// signType is not empty.
func signed(sign, signType string) http.Header {
	h := http.Header{}
	h.Set(qfpay.HeaderSign, sign)
	if signType != "" {
		h.Set(qfpay.HeaderSignType, signType)
	}
	return h
}

func post(t *testing.T, url string, body []byte, header http.Header) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header = header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestNotifications(t *testing.T) {
	e := newEnv(t, sandbox.Config{}, qfpay.Config{})
	box, notifyURL := serveNotifications(t, e)

	// MPM paid by the customer: the sandbox notifies, the handler verifies
	// and delivers once.
	no := orderNo()
	if _, err := e.gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: no, Method: method(t, "801501"), Amount: hkd(2500), NotifyURL: notifyURL}); err != nil {
		t.Fatal(err)
	}
	if err := e.sb.Pay(no, "success"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "payment notification", func() bool { _, _, ok := box.find(no); return ok })
	n, _, _ := box.find(no)
	if n.State != payments.Paid || n.Amount != hkd(2500) || n.ProviderRef == "" || n.Provider != payments.QFPay || len(n.Raw) == 0 {
		t.Errorf("delivered: %+v", n)
	}
	eventually(t, "sandbox sees the acknowledgement", func() bool { o, _ := e.sb.Order(no); return o.Notified })

	// The same notification again: answered SUCCESS, not delivered twice.
	box.mu.Lock()
	first := box.raw[0]
	box.mu.Unlock()
	if status, body := post(t, notifyURL, first.body, first.header); status != http.StatusOK || body != "SUCCESS" {
		t.Errorf("repeat answered %d %q", status, body)
	}
	if _, calls, _ := box.find(no); calls != 1 {
		t.Errorf("delivered %d times", calls)
	}

	// Forgeries: changed body, no signature, another key, and a body signed
	// with SHA-256 (saying so in X-QF-SIGNTYPE) when the merchant's profile
	// says MD5: the profile chooses the hash, never the sender.
	forged := bytes.Replace(first.body, []byte(`"txamt":"2500"`), []byte(`"txamt":"1"`), 1)
	if bytes.Equal(forged, first.body) || first.header.Get(qfpay.HeaderSign) == "" {
		t.Fatalf("test cannot forge %s", first.body)
	}
	otherKey := signed(qfpay.SignBody(forged, "not-the-key", qfpay.SignMD5), "")
	for name, c := range map[string]struct {
		body   []byte
		header http.Header
	}{
		"changed body":         {forged, first.header},
		"no signature":         {first.body, http.Header{}},
		"other key":            {forged, otherKey},
		"SHA-256 for MD5":      {forged, signed(qfpay.SignBody(forged, e.key, qfpay.SignSHA256), "SHA256")},
		"SHA-256 unannounced":  {forged, signed(qfpay.SignBody(forged, e.key, qfpay.SignSHA256), "")},
		"MD5 sign, RSA header": {forged, signed(first.header.Get(qfpay.HeaderSign), "RSA")},
	} {
		if status, _ := post(t, notifyURL, c.body, c.header); status != http.StatusUnauthorized {
			t.Errorf("%s: answered %d", name, status)
		}
	}
	if _, calls, _ := box.find(no); calls != 1 {
		t.Errorf("a forgery was delivered (%d calls)", calls)
	}

	// The profile's MD5 verifies whatever X-QF-SIGNTYPE claims, lower-case
	// hex accepted.
	body := []byte(`{"notify_type":"payment","out_trade_no":"MD5B","syssn":"S9","respcd":"0000","txamt":"5","txcurrcd":"HKD","cancel":"0"}`)
	h := signed(strings.ToLower(qfpay.SignBody(body, e.key, qfpay.SignMD5)), "SHA256")
	if status, _ := post(t, notifyURL, body, h); status != http.StatusOK {
		t.Errorf("MD5 notification claiming SHA256 answered %d", status)
	}
	if _, _, ok := box.find("MD5B"); !ok {
		t.Error("MD5 notification not delivered")
	}
	// Verified but not JSON: 400.
	bad := []byte("not json")
	if status, _ := post(t, notifyURL, bad, signed(qfpay.SignBody(bad, e.key, qfpay.SignMD5), "")); status != http.StatusBadRequest {
		t.Errorf("verified garbage answered %d", status)
	}

	// A refund notification goes to the sale's notify_url.
	p, _ := e.gw.Query(ctx(t), payments.QueryRequest{OutTradeNo: no})
	rno := orderNo()
	if _, err := e.gw.Refund(ctx(t), payments.RefundRequest{OutTradeNo: no, RefundNo: rno, Method: method(t, "801501"),
		Amount: hkd(500), ProviderRef: p.ProviderRef}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "refund notification", func() bool { _, _, ok := box.find(rno); return ok })
	if n, _, _ := box.find(rno); !n.Refund || n.RefundState != payments.RefundDone || n.Amount != hkd(500) {
		t.Errorf("refund notification: %+v", n)
	}
}

// TestNotificationRetried: while the engine cannot take a notification the
// handler answers 500, the sandbox sends it again, and it is delivered once.
func TestNotificationRetried(t *testing.T) {
	e := newEnv(t, sandbox.Config{}, qfpay.Config{})
	box, notifyURL := serveNotifications(t, e)
	no := orderNo()
	box.failFirst[no] = 2
	res, err := e.gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: no, Method: method(t, "800208"), Amount: hkd(300),
		AuthCode: "134567890123456710", NotifyURL: notifyURL})
	if err != nil || res.State != payments.Paid {
		t.Fatal(res, err)
	}
	eventually(t, "delivered after two refusals", func() bool { _, _, ok := box.find(no); return ok })
	if _, calls, _ := box.find(no); calls != 3 {
		t.Errorf("deliver called %d times, want 3", calls)
	}
	eventually(t, "sandbox sees the acknowledgement", func() bool { o, _ := e.sb.Order(no); return o.Notified })
	box.mu.Lock()
	tries := len(box.raw)
	box.mu.Unlock()
	if tries != 3 {
		t.Errorf("the sandbox sent %d times, want 3", tries)
	}
}

// TestNotificationsSHA256Profile: a merchant whose profile says SHA-256
// gets the sandbox's notifications signed so and delivered; an MD5
// signature is refused, even announced as MD5.
func TestNotificationsSHA256Profile(t *testing.T) {
	e := newEnv(t, sandbox.Config{}, qfpay.Config{SignType: "sha256"})
	box, notifyURL := serveNotifications(t, e)
	no := orderNo()
	if _, err := e.gw.Pay(ctx(t), payments.PayRequest{OutTradeNo: no, Method: method(t, "800201"), Amount: hkd(880), NotifyURL: notifyURL}); err != nil {
		t.Fatal(err)
	}
	if err := e.sb.Pay(no, "success"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "SHA-256 notification delivered", func() bool { _, _, ok := box.find(no); return ok })
	body := []byte(`{"notify_type":"payment","out_trade_no":"M1","syssn":"S1","respcd":"0000","txamt":"5","txcurrcd":"HKD"}`)
	for name, h := range map[string]http.Header{
		"MD5, announced":   signed(qfpay.SignBody(body, e.key, qfpay.SignMD5), "MD5"),
		"MD5, unannounced": signed(qfpay.SignBody(body, e.key, qfpay.SignMD5), ""),
	} {
		if status, _ := post(t, notifyURL, body, h); status != http.StatusUnauthorized {
			t.Errorf("%s to a SHA-256 profile: answered %d", name, status)
		}
	}
	if status, _ := post(t, notifyURL, body, signed(qfpay.SignBody(body, e.key, qfpay.SignSHA256), "")); status != http.StatusOK {
		t.Errorf("SHA-256 without X-QF-SIGNTYPE: answered %d", status)
	}
	if _, calls, _ := box.find("M1"); calls != 1 {
		t.Errorf("delivered %d times", calls)
	}
}

// TestNotificationHandlerLimits: only POST, bodies up to 64 KiB.
func TestNotificationHandlerLimits(t *testing.T) {
	e := newEnv(t, sandbox.Config{}, qfpay.Config{})
	box, notifyURL := serveNotifications(t, e)
	resp, err := http.Get(notifyURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != http.MethodPost {
		t.Errorf("GET answered %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
	pad := strings.Repeat("x", 64<<10)
	big := []byte(`{"notify_type":"payment","out_trade_no":"BIG","syssn":"S","respcd":"0000","txamt":"5","txcurrcd":"HKD","pad":"` + pad + `"}`)
	if status, _ := post(t, notifyURL, big, signed(qfpay.SignBody(big, e.key, qfpay.SignMD5), "")); status != http.StatusRequestEntityTooLarge {
		t.Errorf("a signed body over 64 KiB answered %d", status)
	}
	fits := []byte(`{"notify_type":"payment","out_trade_no":"FITS","syssn":"S","respcd":"0000","txamt":"5","txcurrcd":"HKD","pad":"` +
		pad[:60<<10] + `"}`)
	if status, _ := post(t, notifyURL, fits, signed(qfpay.SignBody(fits, e.key, qfpay.SignMD5), "")); status != http.StatusOK {
		t.Errorf("a signed body of 60 KiB answered %d", status)
	}
	if _, calls, _ := box.find("BIG"); calls != 0 {
		t.Error("the oversized notification was delivered")
	}
}
