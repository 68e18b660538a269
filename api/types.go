package api

import (
	"fmt"
	"time"
)

// ChargeRequest is the body of POST /v1/charges. Amounts are decimal
// strings in the currency's units ("88.50"), never JSON numbers.
type ChargeRequest struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
	// Method is a provider-qualified code as in the profile's methods
	// ("eftpay:ALIPAYHK", "qfpay:800008") or a wallet name the terminal
	// routes to the first method it offers for it ("alipayhk", "wechat";
	// "any" with an auth_code).
	Method string `json:"method,omitempty"`
	// Reference is the till's own reference (its receipt number).
	Reference string `json:"reference,omitempty"`
	// AuthCode is the customer's wallet code, read by a scanner on the
	// till: required for a customer-code (CPM) method, refused otherwise.
	AuthCode string `json:"auth_code,omitempty"`
}

// Charge is one sale as the API shows it.
type Charge struct {
	// ID is the order number the charge started under; it never changes.
	ID string `json:"id"`
	// OutTradeNo is the number it runs under now: ID, or a fresh number
	// when the provider already had ID as another sale's.
	OutTradeNo string `json:"out_trade_no"`
	State      string `json:"state"`
	// Settled: the state is final as far as the sale goes (paid, failed,
	// closed, expired, partly_refunded, refunded).
	Settled     bool   `json:"settled"`
	Amount      string `json:"amount"`
	Currency    string `json:"currency"`
	Method      string `json:"method"` // provider:code
	Provider    string `json:"provider"`
	Mode        string `json:"mode"` // MPM, CPM
	Wallet      string `json:"wallet"`
	ProviderRef string `json:"provider_ref"`
	QRCode      string `json:"qr_code"` // MPM: what the customer scans
	Reference   string `json:"reference"`
	Reason      string `json:"reason,omitempty"`    // why it failed or closed, for people
	AuthCode    string `json:"auth_code,omitempty"` // CPM: masked
	Refunded    string `json:"refunded"`
	// NeedsAttention: no final word from the provider for too long; the
	// terminal is still checking it.
	NeedsAttention bool       `json:"needs_attention,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	ExpiresAt      *time.Time `json:"expires_at,omitempty"`
	Refunds        []Refund   `json:"refunds,omitempty"`
}

// RefundRequest is the body of POST /v1/refunds.
type RefundRequest struct {
	// OutTradeNo names the sale: a charge's id or its out_trade_no.
	OutTradeNo string `json:"out_trade_no"`
	// Amount to refund; empty: all that is left.
	Amount string `json:"amount,omitempty"`
	// PIN is the manager PIN; not needed when the profile sets
	// api_refunds = true.
	PIN string `json:"pin,omitempty"`
}

// Refund is one refund of a sale.
type Refund struct {
	RefundNo    string    `json:"refund_no"`
	OutTradeNo  string    `json:"out_trade_no"`
	State       string    `json:"state"` // created, pending, unknown, done, failed
	Amount      string    `json:"amount"`
	Currency    string    `json:"currency"`
	ProviderRef string    `json:"provider_ref"`
	Reason      string    `json:"reason,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// OrderList is the answer of GET /v1/orders.
type OrderList struct {
	Date   string   `json:"date"`
	Orders []Charge `json:"orders"` // newest first
}

// ReportLine is one method's figures of a day.
type ReportLine struct {
	Provider    string `json:"provider,omitempty"`
	Method      string `json:"method,omitempty"`
	Name        string `json:"name"`
	Sales       int    `json:"sales"`
	Gross       string `json:"gross"`
	Refunds     int    `json:"refunds"`
	RefundTotal string `json:"refund_total"`
	Net         string `json:"net"`
}

// Report is the end-of-day report (GET /v1/report).
type Report struct {
	TID         string       `json:"tid"`
	Date        string       `json:"date"`
	Currency    string       `json:"currency"`
	Lines       []ReportLine `json:"lines"`
	Total       ReportLine   `json:"total"`
	Unpaid      int          `json:"unpaid"`
	Open        int          `json:"open"`
	Attention   []string     `json:"attention"`
	GeneratedAt time.Time    `json:"generated_at"`
}

// MethodInfo is one method the terminal offers.
type MethodInfo struct {
	ID     string `json:"id"` // provider:code, for ChargeRequest.Method
	Wallet string `json:"wallet"`
	Name   string `json:"name"`
	Mode   string `json:"mode"`
}

// Status is the terminal as a till sees it (GET /v1/status).
type Status struct {
	TID       string    `json:"tid"`
	StoreName string    `json:"store_name"`
	Currency  string    `json:"currency"`
	Version   string    `json:"version"`
	Time      time.Time `json:"time"`
	// SaleInProgress is the sale the terminal is taking now (the till's
	// or the cashier's); a new charge is refused until it ends.
	SaleInProgress *Charge       `json:"sale_in_progress"`
	OpenOrders     int           `json:"open_orders"`
	Methods        []MethodInfo  `json:"methods"`
	Providers      []string      `json:"providers"`
	Refunds        RefundsPolicy `json:"refunds"`
	// Client is how this request came in: "socket" or "token".
	Client string `json:"client"`
}

// RefundsPolicy says what an API refund needs.
type RefundsPolicy struct {
	PINRequired bool `json:"pin_required"`
}

// Event is one server-sent event of GET /v1/events: every update the
// engine publishes, its kind as the SSE event name.
type Event struct {
	Kind     string  `json:"kind"` // created, qr, state, working, refund, recovered, receipt, renumbered, attention
	Charge   *Charge `json:"charge,omitempty"`
	Refund   *Refund `json:"refund,omitempty"`
	Message  string  `json:"message,omitempty"`
	Previous string  `json:"previous,omitempty"` // renumbered: the former number
	Origin   string  `json:"origin,omitempty"`   // created: "till" for the API's
}

// Error is every error answer: Code is stable for programs, Message says
// what is wrong for people.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"error"`
	Message string `json:"message"`
	// Field names the request field that is wrong, when one is.
	Field string `json:"field,omitempty"`
	// ChargeID: the charge in progress (sale_in_progress) or concerned.
	ChargeID string `json:"charge_id,omitempty"`
	// TriesLeft: wrong manager PINs left before the lock (pin_wrong).
	TriesLeft *int `json:"tries_left,omitempty"`
	// RetryAfter: seconds until the PIN lock ends (pin_locked).
	RetryAfter int `json:"retry_after,omitempty"`
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%d %s (%s): %s", e.Status, e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}

// Error codes.
const (
	CodeBadRequest       = "bad_request" // 400: not JSON, unknown field, wrong type
	CodeKeyRequired      = "idempotency_key_required"
	CodeKeyInvalid       = "idempotency_key_invalid"
	CodeKeyReused        = "idempotency_key_reused" // 422: same key, different request
	CodeAmountInvalid    = "amount_invalid"         // 422
	CodeCurrencyInvalid  = "currency_invalid"       // 422
	CodeMethodRequired   = "method_required"        // 422
	CodeMethodUnknown    = "method_unknown"         // 422
	CodeMethodNotOffered = "method_not_offered"     // 422
	CodeAuthCodeRequired = "auth_code_required"     // 422
	CodeAuthCodeNotForQR = "auth_code_not_allowed"  // 422
	CodeFieldInvalid     = "field_invalid"          // 422: reference, auth_code, pin, out_trade_no
	CodeSaleInProgress   = "sale_in_progress"       // 409 with charge_id
	CodeKeyAmbiguous     = "idempotency_key_ambiguous"
	CodeNotCancellable   = "not_cancellable"    // 409
	CodeUnauthorized     = "unauthorized"       // 401
	CodeRefundNotAllowed = "refund_not_allowed" // 403: no PIN and no api_refunds
	CodePINWrong         = "pin_wrong"          // 403
	CodePINLocked        = "pin_locked"         // 403
	CodePINNotSet        = "pin_not_set"        // 403
	CodePINClearLimit    = "pin_clear_limit"    // 409: cleared too often without a right PIN
	CodeRefundRefused    = "refund_refused"     // 422: the journal refuses it
	CodeNotFound         = "not_found"          // 404
	CodeMethodNotAllowed = "method_not_allowed" // 405
	CodeQueryInvalid     = "query_invalid"      // 400: wait, date
	CodeChargeRefused    = "charge_refused"     // 422: the engine refused it
	CodeInternal         = "internal"           // 500
)
