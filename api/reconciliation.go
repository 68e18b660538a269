package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"qrpos/payments"
	"qrpos/payments/reconcile"
)

// reconcileTimeout bounds one reconciliation (eftPay is asked about each
// sale of the day, within the providers' rate limits).
const reconcileTimeout = 5 * time.Minute

// Reconciliation is one Hong Kong day of the terminal's sales and refunds
// compared with the providers' own records (GET /v1/reconciliation). It
// changes nothing.
type Reconciliation struct {
	TID       string          `json:"tid"`
	Date      string          `json:"date"` // yyyy-mm-dd, Hong Kong time
	Sales     int             `json:"sales"`
	Refunds   int             `json:"refunds"`
	Providers []ProviderCheck `json:"providers"`
	// Differences, this terminal's first, then records of other
	// terminals the providers listed.
	Differences []Difference `json:"differences"`
	// Clean: every provider was asked and none of the differences is
	// this terminal's.
	Clean       bool      `json:"clean"`
	GeneratedAt time.Time `json:"generated_at"`
}

// ProviderCheck is how one provider was asked about the day.
type ProviderCheck struct {
	Provider string `json:"provider"`
	Listed   bool   `json:"listed"`  // it listed its records of the day
	Records  int    `json:"records"` // records it listed
	Queries  int    `json:"queries"` // sales and refunds asked about one by one
	Error    string `json:"error,omitempty"`
}

// Difference is one disagreement between the journal (here) and a
// provider (there).
type Difference struct {
	Kind          string `json:"kind"`
	Title         string `json:"title"`
	Todo          string `json:"todo"`
	Text          string `json:"text"` // the difference on one line, in English
	Provider      string `json:"provider"`
	OutTradeNo    string `json:"out_trade_no,omitempty"`
	RefundNo      string `json:"refund_no,omitempty"`
	ProviderRef   string `json:"provider_ref,omitempty"`
	Method        string `json:"method,omitempty"`
	TID           string `json:"tid,omitempty"`
	HereAmount    string `json:"here_amount,omitempty"`
	HereCurrency  string `json:"here_currency,omitempty"`
	HereState     string `json:"here_state,omitempty"`
	ThereAmount   string `json:"there_amount,omitempty"`
	ThereCurrency string `json:"there_currency,omitempty"`
	ThereState    string `json:"there_state,omitempty"`
	At            string `json:"at,omitempty"` // RFC 3339, Hong Kong time
	Reason        string `json:"reason,omitempty"`
	Ours          bool   `json:"ours"`
	CanTakeIn     bool   `json:"can_take_in"`
}

// Ours counts the differences that are this terminal's to settle.
func (r Reconciliation) Ours() int {
	n := 0
	for _, d := range r.Differences {
		if d.Ours {
			n++
		}
	}
	return n
}

// DifferenceOf renders d, its time in loc.
func DifferenceOf(d reconcile.Difference, loc *time.Location) Difference {
	l := Difference{Kind: string(d.Kind), Title: d.Kind.Title(), Todo: d.Kind.Todo(), Text: d.String(), Provider: string(d.Provider),
		OutTradeNo: d.OutTradeNo, RefundNo: d.RefundNo, ProviderRef: d.ProviderRef, Method: d.MethodCode, TID: d.TID,
		HereState: d.HereState, ThereState: d.ThereState, Reason: d.Reason, Ours: d.Ours(), CanTakeIn: d.CanTakeIn()}
	if d.Here != (payments.Money{}) {
		l.HereAmount, l.HereCurrency = d.Here.Decimal(), string(d.Here.Currency)
	}
	if d.There != (payments.Money{}) {
		l.ThereAmount, l.ThereCurrency = d.There.Decimal(), string(d.There.Currency)
	}
	if !d.At.IsZero() {
		l.At = d.At.In(loc).Format(time.RFC3339)
	}
	return l
}

// reconciliation is GET /v1/reconciliation?date=yyyy-mm-dd (a Hong Kong
// day; default today): the terminal asks the providers with its own
// gateways, inside the rate limits its sales share, and answers when all
// were asked.
func (s *Server) reconciliation(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Reconcile == nil {
		writeError(w, &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "this terminal does not reconcile through its API"})
		return
	}
	var day time.Time
	if q := r.URL.Query().Get("date"); q != "" {
		d, err := time.Parse("2006-01-02", q)
		if err != nil {
			writeError(w, &Error{Status: http.StatusBadRequest, Code: CodeQueryInvalid, Field: "date", Message: fmt.Sprintf("date %q: use yyyy-mm-dd", q)})
			return
		}
		day = d
	}
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(reconcileTimeout + 10*time.Second))
	ctx, cancel := context.WithTimeout(r.Context(), reconcileTimeout)
	defer cancel()
	rec, err := s.cfg.Reconcile(ctx, day)
	if err != nil {
		writeError(w, internalError(err))
		return
	}
	writeJSON(w, http.StatusOK, rec)
}
