package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"qrpos/payments"
)

// Seeding: an order the terminal never made, already at the provider under
// a number the terminal is about to use ("a stranger's paid order": another
// terminal with the same tid, a journal restored from a backup). The
// terminal's first payment under that number is refused as a duplicate
// (QFPay 1102, eftPay 03) and a query of the number answers the stranger's
// record, which the engine must recognise as not its own.
//
// POST /sandbox/seed takes a JSON object or a form: provider (eftpay or
// qfpay), out_trade_no, method (the provider's code: 800101, ALIPAYHK),
// amount (decimal, "12.30"), currency (default HKD), paid (true/false) and
// tid (the stranger's terminal, sent as udid / tid).
//
// The route is registered by a control half (seedControl) rather than in
// server.go, whose New is being changed by others: it can move there as one
// line.

// SeedRequest is one stranger's order.
type SeedRequest struct {
	Provider   payments.Provider
	OutTradeNo string
	MethodCode string
	Amount     payments.Money
	Paid       bool
	TID        string
}

// seeder is a half that can seed orders of its provider.
type seeder interface {
	provider() payments.Provider
	seed(r SeedRequest) error
}

func (h *qfpayHalf) provider() payments.Provider  { return payments.QFPay }
func (h *eftpayHalf) provider() payments.Provider { return payments.Eftpay }

// SeedOrder puts a stranger's order at provider p under outTradeNo: its
// method (the provider's code), amount, paid or still waiting, and the
// stranger's terminal id. It fails when the number is already used there.
func (s *Server) SeedOrder(p payments.Provider, outTradeNo, methodCode string, amount payments.Money, paid bool, tid string) error {
	if outTradeNo == "" {
		return fmt.Errorf("seed: out_trade_no is required")
	}
	for _, h := range s.halves {
		if sd, ok := h.(seeder); ok && sd.provider() == p {
			return sd.seed(SeedRequest{Provider: p, OutTradeNo: outTradeNo, MethodCode: methodCode,
				Amount: amount, Paid: paid, TID: tid})
		}
	}
	return fmt.Errorf("seed: no provider %q in the sandbox", p)
}

func init() {
	registerHalf(func(s *Server) half { return seedControl{s} })
}

// seedControl is not a provider: it only adds POST /sandbox/seed.
type seedControl struct{ s *Server }

func (c seedControl) routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /sandbox/seed", c.s.handleSeed)
}
func (seedControl) pay(string, string) (bool, error) { return false, nil }
func (seedControl) orders() []OrderView              { return nil }

func (s *Server) handleSeed(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Provider   string `json:"provider"`
		OutTradeNo string `json:"out_trade_no"`
		Method     string `json:"method"`
		Amount     string `json:"amount"`
		Currency   string `json:"currency"`
		Paid       bool   `json:"paid"`
		TID        string `json:"tid"`
	}
	bad := func(err error) { writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()}) }
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&body); err != nil {
			bad(fmt.Errorf("bad JSON: %w", err))
			return
		}
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
		if err := r.ParseForm(); err != nil {
			bad(err)
			return
		}
		f := r.Form
		body.Provider, body.OutTradeNo, body.Method = f.Get("provider"), f.Get("out_trade_no"), f.Get("method")
		body.Amount, body.Currency, body.TID = f.Get("amount"), f.Get("currency"), f.Get("tid")
		if v := f.Get("paid"); v != "" {
			paid, err := strconv.ParseBool(v)
			if err != nil {
				bad(fmt.Errorf("paid %q: use true or false", v))
				return
			}
			body.Paid = paid
		}
	}
	p, err := payments.ParseProvider(body.Provider)
	if err != nil {
		bad(err)
		return
	}
	cur := payments.DefaultCurrency
	if body.Currency != "" {
		if cur, err = payments.ParseCurrency(body.Currency); err != nil {
			bad(err)
			return
		}
	}
	amount, err := payments.ParseMoney(body.Amount, cur, payments.Range{Min: 1})
	if err != nil {
		bad(err)
		return
	}
	if err := s.SeedOrder(p, body.OutTradeNo, body.Method, amount, body.Paid, body.TID); err != nil {
		bad(err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"provider": p, "out_trade_no": body.OutTradeNo, "method": body.Method,
		"amount": amount.Decimal(), "currency": amount.Currency, "paid": body.Paid, "tid": body.TID})
}
