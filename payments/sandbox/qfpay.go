package sandbox

// The QFPay half: /trade/v1/payment, query, refund, close and reversal
// (each only for the pay types QFPay's Reversal API guide assigns to it),
// with QFPay's request signature, app code, required fields, duplicate
// numbers, rate limit (HTTP 429), order states, refund balances, mainland
// wallets' CNY amounts and signed notifications.
//
// QFPay signs requests and notifications but not its answers, so the
// bad_signature fault cannot spoil a signature here: it processes the call
// and answers a truncated, unparsable body instead, which a client must
// treat as an unknown outcome, like a wrong signature.

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"qrpos/payments"
	"qrpos/payments/qfpay"
)

func init() {
	registerHalf(func(s *Server) half { return newQFPayHalf(s) })
	registerDemo(qfpay.Name, func(baseURL string) payments.Settings {
		return payments.Settings{qfpay.SettingBaseURL: baseURL,
			qfpay.SettingAppCode: DemoQFPayAppCode, qfpay.SettingClientKey: DemoQFPayKey}
	})
}

// QFPayOrderExpiry is an MPM QR's lifetime when the payment names no
// expired_time (QFPay's default, 30 minutes).
const QFPayOrderExpiry = 30 * time.Minute

// qfpayHalf holds every QFPay transaction of the sandbox: sales and refunds
// share the out_trade_no space, as at QFPay.
type qfpayHalf struct {
	s    *Server
	rate qfRate

	mu        sync.Mutex
	byNo      map[string]*qfTxn // sales and refunds by out_trade_no
	bySyssn   map[string]*qfTxn
	all       []*qfTxn // in creation order
	usedCodes map[string]bool
	seq       uint64
	// cancels counts the calls of /trade/v1/reversal and /trade/v1/close
	// by the pay_type of the order they name ("" for an order not found).
	cancels map[string]map[string]int
}

func newQFPayHalf(s *Server) *qfpayHalf {
	return &qfpayHalf{s: s, byNo: map[string]*qfTxn{}, bySyssn: map[string]*qfTxn{}, usedCodes: map[string]bool{},
		seq: uint64(time.Now().UnixMilli()) * 1000, cancels: map[string]map[string]int{}}
}

// QFPayCancels counts the cancel calls the QFPay half received: endpoint
// (/trade/v1/reversal, /trade/v1/close) -> pay_type of the order named (""
// when no order was found) -> calls, refused ones included. A test asserts
// with it that no call reached an endpoint QFPay's guide does not assign to
// the pay type.
func (s *Server) QFPayCancels() map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, h := range s.halves {
		q, ok := h.(*qfpayHalf)
		if !ok {
			continue
		}
		q.mu.Lock()
		for path, byType := range q.cancels {
			out[path] = maps.Clone(byType)
		}
		q.mu.Unlock()
	}
	return out
}

func (h *qfpayHalf) now() time.Time { return h.s.cfg.Now() }

func (h *qfpayHalf) routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /trade/v1/payment", h.serve(h.payment))
	mux.HandleFunc("POST /trade/v1/query", h.serve(h.query))
	mux.HandleFunc("POST /trade/v1/refund", h.serve(h.refund))
	// QFPay's pages disagree on GET or POST for these two: take both.
	for _, m := range []string{"GET", "POST"} {
		mux.HandleFunc(m+" "+qfpay.PathClose, h.serve(h.cancel(qfpay.PathClose)))
		mux.HandleFunc(m+" "+qfpay.PathReversal, h.serve(h.cancel(qfpay.PathReversal)))
	}
}

// qfAnswer is an answer body; notes are notifications to send once the
// state lock is released.
type qfAnswer struct {
	fields map[string]any
	notes  []qfNote
}

// qfRefuse is QFPay's answer to a refused call: the code, its text from
// QFPay's table and, in respmsg, what exactly was wrong.
func qfRefuse(code, detail string) qfAnswer {
	return qfAnswer{fields: map[string]any{"respcd": code, "resperr": qfpay.Message(code), "respmsg": detail}}
}

// serve wraps an endpoint with the steps every call shares: the fault, the
// rate limit, the form, the app code and the signature; then the answer,
// dropped or garbled as the fault says.
func (h *qfpayHalf) serve(op func(c qfCall) qfAnswer) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f := h.s.takeFault("qfpay")
		if f.before(w) {
			return
		}
		if wait, ok := h.rate.allow(time.Now(), h.s.cfg.QFPayRatePerSecond, h.s.cfg.QFPayRatePerMinute); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
			return
		}
		var ans qfAnswer
		if c, code, detail := h.authenticate(w, r); code != "" {
			ans = qfRefuse(code, detail)
		} else {
			c.now = h.now()
			ans = op(c)
		}
		for _, n := range ans.notes {
			h.send(n)
		}
		body, err := json.Marshal(ans.fields)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		switch f.Kind {
		case FaultDrop:
			dropConnection(w)
			return
		case FaultBadSignature:
			body = body[:len(body)/2]
		}
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		w.Write(body)
	}
}

// qfCall is one authenticated call: its parameters, the sign type it was
// signed with (the merchant's: notifications about its orders are signed
// the same way) and the sandbox's time.
type qfCall struct {
	p        url.Values
	signType qfpay.SignType
	now      time.Time
}

// authenticate reads the form (body and, for GET, the URL) and checks the
// app code (1106) and X-QF-SIGN over every parameter (1108).
func (h *qfpayHalf) authenticate(w http.ResponseWriter, r *http.Request) (qfCall, string, string) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return qfCall{}, "1103", "form: " + err.Error()
	}
	if r.Header.Get(qfpay.HeaderAppCode) != h.s.cfg.QFPayAppCode {
		return qfCall{}, "1106", "unknown X-QF-APPCODE"
	}
	st, err := qfpay.ParseSignType(r.Header.Get(qfpay.HeaderSignType))
	if err != nil {
		return qfCall{}, qfpay.CodeBadSignature, err.Error()
	}
	if !qfpay.VerifyRequest(r.Form, h.s.cfg.QFPayKey, st, r.Header.Get(qfpay.HeaderSign)) {
		return qfCall{}, qfpay.CodeBadSignature, "X-QF-SIGN does not match the parameters"
	}
	return qfCall{p: r.Form, signType: st}, "", ""
}

// qfRate counts accepted calls in the last second and the last minute (of
// the wall clock, whatever Config.Now says); calls refused with 429 do not
// count.
type qfRate struct {
	mu       sync.Mutex
	sec, min []time.Time
}

// allow records a call at now, or says how long until one fits.
func (q *qfRate) allow(now time.Time, perSec, perMin int) (time.Duration, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.sec = qfDropBefore(q.sec, now.Add(-time.Second))
	q.min = qfDropBefore(q.min, now.Add(-time.Minute))
	if len(q.sec) >= perSec {
		return q.sec[0].Add(time.Second).Sub(now), false
	}
	if len(q.min) >= perMin {
		return q.min[0].Add(time.Minute).Sub(now), false
	}
	q.sec = append(q.sec, now)
	q.min = append(q.min, now)
	return 0, true
}

func qfDropBefore(ts []time.Time, cut time.Time) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(cut) {
		i++
	}
	return append(ts[:0], ts[i:]...)
}

// nextSyssn makes a QFPay-shaped serial number: the Hong Kong date and 18
// digits, unique for the sandbox's life and across restarts.
func (h *qfpayHalf) nextSyssn(now time.Time) string {
	h.seq++
	d := qfpay.WireTime(now) // YYYY-MM-DD hh:mm:ss
	return d[0:4] + d[5:7] + d[8:10] + fmt.Sprintf("%018d", h.seq%1e18)
}
