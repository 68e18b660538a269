package relay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"qrpos/hq"
	"qrpos/hq/internal/hqtest"
	"qrpos/hq/merchants"
	"qrpos/hq/pgtest"
	"qrpos/hq/store"
	"qrpos/hq/wire"
	"qrpos/payments/eftpay"
	"qrpos/payments/qfpay"
	"qrpos/payments/sandbox"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// testMerchants: one merchant, "central", with both providers' sandbox
// credentials under one notify_name.
const testMerchants = `
[merchant.central]
provider = "qfpay"
base_url = "http://127.0.0.1:1"
app_code = "` + sandbox.DemoQFPayAppCode + `"
client_key = "` + sandbox.DemoQFPayKey + `"

[merchant.central-eftpay]
provider = "eftpay"
notify_name = "central"
base_url = "http://127.0.0.1:1/VMP"
user_confirm_key = "` + sandbox.DemoEftpayUser + `"
secret = "` + sandbox.DemoEftpaySecret + `"
`

// office is a real head office (pos hq's handler, the hqtest rig's
// PostgreSQL) on a loopback port it keeps across a stop and a start: a
// head office going down and coming back.
type office struct {
	t    testing.TB
	rig  *hqtest.Rig
	h    http.Handler
	addr string

	mu       sync.Mutex
	srv      *http.Server
	inflight sync.WaitGroup
	blocked  bool                     // streams refused (blockStreams)
	streams  map[*http.Request]func() // the streams open, to cut them
}

func newOffice(t testing.TB) *office {
	t.Helper()
	ms, err := merchants.Parse([]byte(testMerchants))
	if err != nil {
		t.Fatal(err)
	}
	rig := hqtest.New(t)
	o := &office{t: t, rig: rig, h: hq.New(hq.Config{DB: rig.DB, Location: hqtest.HKT, Auth: rig.Auth, Logger: quiet, Merchants: ms})}
	o.start()
	t.Cleanup(o.stop) // before the rig's: no stream outlives the database
	return o
}

func (o *office) URL() string { return "http://" + o.addr }

func (o *office) DB() *store.DB { return o.rig.DB }

// start serves (again, on the same port after stop).
func (o *office) start() {
	addr := o.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		o.t.Fatal(err)
	}
	o.addr = ln.Addr().String()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.inflight.Add(1)
		defer o.inflight.Done()
		if r.URL.Path == wire.RelayStreamPath {
			var ok bool
			if r, ok = o.streamStarts(r); !ok {
				http.Error(w, "the terminal's link is down", http.StatusServiceUnavailable)
				return
			}
			defer o.streamEnds(r)
		}
		o.h.ServeHTTP(w, r)
	})}
	o.mu.Lock()
	o.srv = srv
	o.mu.Unlock()
	go srv.Serve(ln)
}

// stop is head office going down: connections cut, refused until start.
func (o *office) stop() {
	o.mu.Lock()
	srv := o.srv
	o.srv = nil
	o.mu.Unlock()
	if srv != nil {
		srv.Close()
		o.inflight.Wait()
	}
}

// blockStreams cuts the terminals' streams and refuses new ones (on), or
// lets them in again: a terminal's link down while the providers still
// reach head office.
func (o *office) blockStreams(on bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.blocked = on
	if on {
		for _, cut := range o.streams {
			cut()
		}
	}
}

func (o *office) streamStarts(r *http.Request) (*http.Request, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.blocked {
		return r, false
	}
	ctx, cancel := context.WithCancel(r.Context())
	r = r.WithContext(ctx)
	if o.streams == nil {
		o.streams = map[*http.Request]func(){}
	}
	o.streams[r] = cancel
	return r, true
}

func (o *office) streamEnds(r *http.Request) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.streams[r]()
	delete(o.streams, r)
}

// post sends a provider's notification to the office.
func (o *office) post(path string, body []byte, header http.Header) (int, string) {
	o.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, o.URL()+path, bytes.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		o.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// kept is every notification head office holds.
func (o *office) kept() []store.Notification {
	o.t.Helper()
	list, err := o.DB().Notifications(context.Background(), "", 1000)
	if err != nil {
		o.t.Fatal(err)
	}
	return list
}

// qfNote is a QFPay payment notification of order no, signed with key.
func qfNote(no, key string) ([]byte, http.Header) {
	body, _ := json.Marshal(map[string]string{"status": "1", "notify_type": "payment", "pay_type": "800101", "syssn": "2026030200" + fmt.Sprint(len(no)) + no,
		"out_trade_no": no, "txamt": "1288", "txcurrcd": "HKD", "txdtm": "2026-03-02 10:00:00", "sysdtm": "2026-03-02 10:00:01",
		"paydtm": "2026-03-02 10:00:05", "cancel": "0", "respcd": "0000"})
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(qfpay.HeaderSign, qfpay.SignBody(body, key, qfpay.SignMD5))
	h.Set("X-Forwarded-For", "203.0.113.9") // a proxy's: never kept
	return body, h
}

// eftNote is an eftPay payment notification of order no, signed with secret.
func eftNote(no, secret string) ([]byte, http.Header) {
	f := map[string]string{"out_trade_no": no, "eftpay_trade_no": "0852" + no, "payment_type": "ALIPAYHK",
		"trade_status": "TRADE_SUCCESS", "total_fee": "12.88", "fee_type": "HKD", "time": eftpay.FormatTime(time.Now())}
	f["sign"] = eftpay.Sign(secret, f)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return eftpay.EncodeObject(f), h
}
