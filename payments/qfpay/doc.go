// Package qfpay is the terminal's client of the QFPay /trade/v1 API
// (providers.md section 2): request signing, the in-store payment types of
// both modes (MPM: the customer scans the terminal's QR; CPM: the cashier
// scans the customer's wallet code), query, refund, close and reversal, the
// full respcd table, a per-merchant rate limiter shared by the whole process,
// and the asynchronous notification handler.
//
// Gateway implements payments.Gateway: one call becomes one request and one
// answer. It keeps no order state and never resends a payment; an answer it
// cannot trust wraps payments.ErrOutcomeUnknown, and the engine queries.
//
// It imports payments and the standard library only: never the engine
// (payments/checkout), the journal (storage), the UI or the sandbox (the
// sandbox imports this package for its signing function, not the reverse).
// register.go describes the provider to payments' registry: its methods,
// amount range, settings (sign_type validated here) and gateway constructor.
package qfpay
