package payments

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Gateway is what the checkout engine needs of a provider. Each provider
// package (payments/eftpay, payments/qfpay) offers one. A gateway turns one
// call into one request and one verified answer: it keeps no state and never
// retries a payment; deciding what to do next is the engine's job.
//
// Errors: a call whose outcome is not known (timeout, reset connection, HTTP
// 5xx, an answer that does not verify or does not parse) returns an error
// that wraps ErrOutcomeUnknown; a call the provider understood and refused
// returns a *ProviderError.
type Gateway interface {
	Provider() Provider
	// Pay sends an MPM pre-order (the result carries the QR code) or a CPM
	// payment with the customer's auth code.
	Pay(ctx context.Context, r PayRequest) (PayResult, error)
	// Query asks where a sale (RefundNo empty) or a refund stands.
	Query(ctx context.Context, r QueryRequest) (QueryResult, error)
	// Close ends an unpaid order the way the catalogue says for its method
	// (Method.Cancel: close or reversal). Methods that cannot be cancelled
	// return a *ProviderError of kind KindUnsupported without sending.
	Close(ctx context.Context, r CloseRequest) (CloseResult, error)
	// Refund asks for a refund of a paid sale under a new refund number.
	Refund(ctx context.Context, r RefundRequest) (RefundResult, error)
}

// PayRequest is one sale to send.
type PayRequest struct {
	OutTradeNo string
	TID        string
	Method     Method
	Amount     Money
	Subject    string        // goods name / subject; short, plain
	AuthCode   string        // CPM only: the customer's code, in full
	NotifyURL  string        // empty: no notification asked
	ExpiresIn  time.Duration // MPM: how long the QR stays payable (QFPay expired_time)
	At         time.Time     // the order's time as sent (QFPay txdtm); zero: now
}

// PayResult is the verified answer to Pay.
type PayResult struct {
	// State: Pending (QR created, or CPM 1143/1145), Paid, or Failed.
	State       State
	QRCode      string // MPM: the text to show as a QR code
	ProviderRef string // eftpay_trade_no / syssn, when given
	Code        string // the provider's own status code
	Message     string // for people (from the code tables, never matched on)
}

// QueryRequest names a sale, or one of its refunds when RefundNo is set.
type QueryRequest struct {
	OutTradeNo  string
	RefundNo    string
	Method      Method
	Amount      Money  // the sale's amount (QFPay needs it for some calls)
	ProviderRef string // syssn, when known
}

// QueryResult is where a sale or refund stands at the provider.
type QueryResult struct {
	// State of the sale: Pending while unpaid, Paid, Failed, Closed,
	// Expired, PartlyRefunded or Refunded. Unknown when the provider's word
	// is not final (an unrecognised status is logged once and kept open).
	State State
	// RefundState, for a refund query.
	RefundState RefundState
	ProviderRef string
	Amount      Money // what the provider says was paid or refunded, when it says

	// What the provider's record says it is about, exactly as the record
	// says it (never copied from the request): the engine matches these
	// against the journalled order before it believes the answer. Empty
	// when the provider's answer does not carry the field.
	OutTradeNo string // the sale's number (for a refund query: the refund's number when given)
	MethodCode string // pay_type / payment_type of the record
	TID        string // udid / tid of the record

	// CashAmount is what the customer paid in their own currency when the
	// record says so (QFPay cash_fee and cash_fee_type, or for a refund
	// cash_refund_fee: a mainland wallet paying a Hong Kong merchant), and
	// ExchangeRate the rate as given; zero and empty otherwise.
	CashAmount   Money
	ExchangeRate string

	Code    string
	Message string
}

// CloseRequest ends an unpaid sale.
type CloseRequest struct {
	OutTradeNo  string
	Method      Method
	Amount      Money
	ProviderRef string
	OrderAt     time.Time // the original order's time (QFPay txdtm of the payment)
}

// CloseResult is the verified answer to Close. The engine always follows a
// close with a query: a sale paid meanwhile is paid.
type CloseResult struct {
	State   State  // Closed when the provider confirmed; otherwise what it said
	Ref     string // the close's or reversal's own reference (QFPay syssn), never the sale's
	Code    string
	Message string
}

// RefundRequest refunds part or all of a paid sale.
type RefundRequest struct {
	OutTradeNo  string // the sale's
	RefundNo    string // new and unique
	Method      Method
	Amount      Money // the refund
	SaleAmount  Money
	ProviderRef string // the sale's syssn (QFPay), when known
}

// RefundResult is the verified answer to Refund.
type RefundResult struct {
	State       RefundState // RefundPending until confirmed by query, RefundDone, RefundFailed
	ProviderRef string
	Code        string
	Message     string
}

// Notification is a verified asynchronous message from a provider, handed
// to the engine by the provider's notification handler.
type Notification struct {
	Provider    Provider
	OutTradeNo  string
	RefundNo    string // set for refund notifications (eftPay refund_no)
	Refund      bool
	State       State       // sale state it reports (Paid, Closed, ...)
	RefundState RefundState // for refunds
	ProviderRef string
	Amount      Money
	MethodCode  string // pay_type / payment_type, when the notification carries it
	TID         string // udid / tid, when the notification carries it
	// CashAmount and ExchangeRate as in QueryResult, when the
	// notification carries them.
	CashAmount   Money
	ExchangeRate string
	Raw          []byte // the verified body, for the journal
}

// ErrOutcomeUnknown marks a call whose effect at the provider is not known.
// The engine never resends such a payment: it queries the same number.
var ErrOutcomeUnknown = errors.New("outcome unknown")

// ErrorKind classifies provider refusals the engine branches on.
type ErrorKind string

// Error kinds shared by both providers.
const (
	KindDuplicate     ErrorKind = "duplicate"      // out_trade_no already used
	KindBadSignature  ErrorKind = "bad_signature"  // the provider rejected our signature
	KindAuth          ErrorKind = "auth"           // unknown merchant / key / app code
	KindClock         ErrorKind = "clock"          // our clock is off
	KindAmount        ErrorKind = "amount"         // amount format or range
	KindNotFound      ErrorKind = "not_found"      // trade does not exist
	KindBadRequest    ErrorKind = "bad_request"    // parameters, wallet/type mismatch
	KindPending       ErrorKind = "pending"        // still processing: query again
	KindDeclined      ErrorKind = "declined"       // the payment was refused
	KindBadCode       ErrorKind = "bad_code"       // CPM code wrong or expired
	KindInsufficient  ErrorKind = "insufficient"   // customer balance too low
	KindClosed        ErrorKind = "closed"         // already closed / cancelled / expired
	KindAlreadyPaid   ErrorKind = "already_paid"   // already paid
	KindRefundBalance ErrorKind = "refund_balance" // refund above the refundable amount
	KindRefundRefused ErrorKind = "refund_refused" // refund not allowed now or for this method
	KindBusy          ErrorKind = "busy"           // provider busy: confirm later
	KindRateLimited   ErrorKind = "rate_limited"   // HTTP 429
	KindUnsupported   ErrorKind = "unsupported"    // the method has no such service
	KindSystem        ErrorKind = "system"         // provider-side error
)

// ProviderError is a provider's understood refusal of a call.
type ProviderError struct {
	Provider Provider
	Op       string // "pay", "query", "close", "refund"
	OrderNo  string
	Code     string // return_status / respcd
	Kind     ErrorKind
	Message  string // for people, from the code tables
}

func (e *ProviderError) Error() string {
	return fmt.Sprintf("%s %s %s: %s %s (%s)", e.Provider, e.Op, e.OrderNo, e.Code, e.Message, e.Kind)
}

// IsKind reports whether err is a *ProviderError of kind k.
func IsKind(err error, k ErrorKind) bool {
	var pe *ProviderError
	return errors.As(err, &pe) && pe.Kind == k
}
