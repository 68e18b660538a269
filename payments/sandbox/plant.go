package sandbox

// Plantings: the provider's books made to disagree with a terminal's
// journal, for the reconciliation tests and for training. A fault (faults.go)
// spoils a call; a planting changes what the provider holds, as if it had
// happened elsewhere: a sale made by someone else under the merchant, a
// record whose amount or terminal is not what the terminal sent, a refund
// made in the merchant's portal. Nothing is notified: the terminal does not
// learn of it until it reconciles.
//
// POST /sandbox/plant takes a JSON object or a form: kind (unknown_sale,
// amount, paid, refund, tid), provider (unknown_sale only; default qfpay),
// out_trade_no, refund_no, method, amount (decimal), currency (default
// HKD), tid. It answers the planting with the numbers it used. Like
// /sandbox/seed, the route is registered by a control half.

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"qrpos/payments"
	"qrpos/payments/qfpay"
)

// PlantKind is a disagreement the sandbox can plant.
type PlantKind string

// The plantings.
const (
	// PlantUnknownSale: a paid sale under OutTradeNo (empty: a fresh
	// number starting with TID) that no terminal's journal holds, of
	// Method and Amount, made by terminal TID (its udid / tid).
	PlantUnknownSale PlantKind = "unknown_sale"
	// PlantAmount: the provider's record of sale OutTradeNo (or of a QFPay
	// refund under that number) says Amount (and its currency) instead of
	// what was sent.
	PlantAmount PlantKind = "amount"
	// PlantPaid: the customer paid sale OutTradeNo after all (in the
	// instant the terminal closed it, say): the provider's record says
	// paid, whatever it said before.
	PlantPaid PlantKind = "paid"
	// PlantRefund: a refund of Amount of the paid QFPay sale OutTradeNo,
	// made in the merchant's portal under RefundNo (empty: a fresh number)
	// by TID (empty: no terminal). eftPay refunds are not planted: a
	// terminal cannot list them.
	PlantRefund PlantKind = "refund"
	// PlantTID: the provider's record of sale OutTradeNo names terminal
	// TID, another one's.
	PlantTID PlantKind = "tid"
)

// Planting is one disagreement to plant.
type Planting struct {
	Kind       PlantKind         `json:"kind"`
	Provider   payments.Provider `json:"provider,omitempty"`
	OutTradeNo string            `json:"out_trade_no,omitempty"`
	RefundNo   string            `json:"refund_no,omitempty"`
	Method     string            `json:"method,omitempty"`
	Amount     payments.Money    `json:"-"`
	TID        string            `json:"tid,omitempty"`
}

// planter is a half whose books can be planted on.
type planter interface {
	provider() payments.Provider
	// plant changes the record of p.OutTradeNo; known is false when the
	// half has no sale under that number.
	plant(p Planting) (out Planting, known bool, err error)
}

// Plant plants p and returns it with the numbers it used.
func (s *Server) Plant(p Planting) (Planting, error) {
	switch p.Kind {
	case PlantUnknownSale:
		return s.plantUnknownSale(p)
	case PlantAmount, PlantRefund:
		if p.Amount.Minor <= 0 || !p.Amount.Currency.Valid() {
			return p, fmt.Errorf("plant %s: an amount is required", p.Kind)
		}
	case PlantTID:
		if p.TID == "" {
			return p, errors.New("plant tid: a tid is required")
		}
	case PlantPaid:
	default:
		return p, fmt.Errorf("plant: unknown kind %q (use unknown_sale, amount, paid, refund or tid)", p.Kind)
	}
	if p.OutTradeNo == "" {
		return p, fmt.Errorf("plant %s: out_trade_no is required", p.Kind)
	}
	for _, h := range s.halves {
		if pl, ok := h.(planter); ok {
			out, known, err := pl.plant(p)
			if known {
				return out, err
			}
		}
	}
	return p, fmt.Errorf("plant %s: no sale %q in the sandbox", p.Kind, p.OutTradeNo)
}

// plantUnknownSale seeds a paid sale nobody's journal holds.
func (s *Server) plantUnknownSale(p Planting) (Planting, error) {
	if p.Provider == "" {
		p.Provider = payments.QFPay
	}
	if p.OutTradeNo == "" {
		tid := p.TID
		if tid == "" {
			tid = "SBX"
		}
		no, err := payments.NewOrderNumber(tid, s.cfg.Now(), rand.Reader)
		if err != nil {
			return p, fmt.Errorf("plant unknown_sale: %w", err)
		}
		p.OutTradeNo = no
	}
	return p, s.SeedOrder(p.Provider, p.OutTradeNo, p.Method, p.Amount, true, p.TID)
}

func (h *qfpayHalf) plant(p Planting) (Planting, bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	t, ok := h.byNo[p.OutTradeNo]
	if !ok || t.refund && p.Kind != PlantAmount {
		return p, false, nil
	}
	p.Provider = payments.QFPay
	switch p.Kind {
	case PlantAmount:
		t.amount = p.Amount
	case PlantTID:
		t.udid = p.TID
	case PlantPaid:
		now := h.now()
		t.respcd, t.cancel, t.cancelPending, t.pendingQueries, t.final, t.paid = qfpay.CodeOK, 0, 0, 0, "", now
	case PlantRefund:
		return h.plantRefund(t, p)
	}
	return p, true, nil
}

// plantRefund makes a refund of sale t in the merchant's portal; callers
// hold h.mu.
func (h *qfpayHalf) plantRefund(t *qfTxn, p Planting) (Planting, bool, error) {
	now := h.now()
	t.expire(now)
	switch {
	case t.respcd != qfpay.CodeOK || t.cancel == qfpay.CancelReversed || t.cancel == qfpay.CancelClosed:
		return p, true, fmt.Errorf("plant refund: qfpay sale %s is not paid", t.outTradeNo)
	case p.Amount.Currency != t.amount.Currency || p.Amount.Minor > t.amount.Minor-t.refunded:
		return p, true, fmt.Errorf("plant refund: %s is more than the %s left of sale %s", p.Amount,
			payments.Money{Minor: t.amount.Minor - t.refunded, Currency: t.amount.Currency}, t.outTradeNo)
	}
	syssn := h.nextSyssn(now)
	if p.RefundNo == "" {
		p.RefundNo = "PORTAL" + syssn[len(syssn)-16:]
	}
	if _, dup := h.byNo[p.RefundNo]; dup {
		return p, true, fmt.Errorf("plant refund: qfpay out_trade_no %s is already used", p.RefundNo)
	}
	rf := &qfTxn{syssn: syssn, outTradeNo: p.RefundNo, method: t.method, amount: p.Amount, refund: true, sale: t,
		txdtm: qfpay.WireTime(now), udid: p.TID, signType: t.signType, created: now, paid: now, respcd: qfpay.CodeOK}
	t.refunded += p.Amount.Minor
	t.cancel = qfpay.CancelPartlyRefunded
	if t.refunded == t.amount.Minor {
		t.cancel = qfpay.CancelRefunded
	}
	h.byNo[rf.outTradeNo], h.bySyssn[rf.syssn] = rf, rf
	h.all = append(h.all, rf)
	return p, true, nil
}

func (h *eftpayHalf) plant(p Planting) (Planting, bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	o, ok := h.byNo[p.OutTradeNo]
	if !ok {
		return p, false, nil
	}
	p.Provider = payments.Eftpay
	switch p.Kind {
	case PlantAmount:
		o.amount = p.Amount
	case PlantTID:
		o.tid = p.TID
	case PlantPaid:
		h.markPaid(o, h.now())
	case PlantRefund:
		return p, true, errors.New("plant refund: not for eftpay (a terminal cannot list eftPay's refunds)")
	}
	return p, true, nil
}

func init() {
	registerHalf(func(s *Server) half { return plantControl{s} })
}

// plantControl is not a provider: it only adds POST /sandbox/plant.
type plantControl struct{ s *Server }

func (c plantControl) routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /sandbox/plant", c.s.handlePlant)
}
func (plantControl) pay(string, string) (bool, error) { return false, nil }
func (plantControl) orders() []OrderView              { return nil }

func (s *Server) handlePlant(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<16))
	var p Planting
	if err == nil {
		p, err = parsePlanting(r.Header.Get("Content-Type"), body)
	}
	if err == nil {
		p, err = s.Plant(p)
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"kind": p.Kind, "provider": p.Provider, "out_trade_no": p.OutTradeNo,
		"refund_no": p.RefundNo, "method": p.Method, "amount": p.Amount.Decimal(), "currency": p.Amount.Currency, "tid": p.TID})
}

// parsePlanting reads a planting from a JSON object (contentType
// application/json) or a form.
func parsePlanting(contentType string, body []byte) (Planting, error) {
	var f struct {
		Kind, Provider, OutTradeNo, RefundNo, Method, Amount, Currency, TID string
	}
	if strings.HasPrefix(contentType, "application/json") {
		var j struct {
			Kind       string `json:"kind"`
			Provider   string `json:"provider"`
			OutTradeNo string `json:"out_trade_no"`
			RefundNo   string `json:"refund_no"`
			Method     string `json:"method"`
			Amount     string `json:"amount"`
			Currency   string `json:"currency"`
			TID        string `json:"tid"`
		}
		if err := json.Unmarshal(body, &j); err != nil {
			return Planting{}, fmt.Errorf("bad JSON: %w", err)
		}
		f.Kind, f.Provider, f.OutTradeNo, f.RefundNo = j.Kind, j.Provider, j.OutTradeNo, j.RefundNo
		f.Method, f.Amount, f.Currency, f.TID = j.Method, j.Amount, j.Currency, j.TID
	} else {
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return Planting{}, err
		}
		f.Kind, f.Provider, f.OutTradeNo, f.RefundNo = v.Get("kind"), v.Get("provider"), v.Get("out_trade_no"), v.Get("refund_no")
		f.Method, f.Amount, f.Currency, f.TID = v.Get("method"), v.Get("amount"), v.Get("currency"), v.Get("tid")
	}
	p := Planting{Kind: PlantKind(f.Kind), OutTradeNo: f.OutTradeNo, RefundNo: f.RefundNo, Method: f.Method, TID: f.TID}
	if f.Provider != "" {
		prov, err := payments.ParseProvider(f.Provider)
		if err != nil {
			return p, err
		}
		p.Provider = prov
	}
	if f.Amount == "" {
		return p, nil
	}
	cur := payments.DefaultCurrency
	if f.Currency != "" {
		c, err := payments.ParseCurrency(f.Currency)
		if err != nil {
			return p, err
		}
		cur = c
	}
	m, err := payments.ParseMoney(f.Amount, cur, payments.Range{Min: 1})
	if err != nil {
		return p, err
	}
	p.Amount = m
	return p, nil
}
