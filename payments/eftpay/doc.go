// Package eftpay speaks eftPay VMP's wire protocol (one endpoint,
// {BaseURL}/Servlet/JSAPIService.do): it signs requests and verifies answers
// and notifications (SHA-256 of the secret followed by the sorted k=v pairs),
// sends every service of the method catalogue (pre-order for each wallet,
// query, close, refund, and the Apple Pay token payment), turns return_status
// into typed errors and trade_status into payments states, and receives the
// asynchronous notifications.
//
// It owns the wire only: it keeps no order state and never retries a payment
// (that is the engine's job). It imports payments and the standard library,
// never the engine, the journal, the sandbox or the UI. The sandbox imports it
// to sign and decode exactly as the client does. register.go describes the
// provider to payments' registry: its methods, amount range, settings and
// gateway constructor.
package eftpay
