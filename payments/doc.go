// Package payments owns the provider-neutral words of the terminal: Money and
// its strict parsing, the catalogue of payment methods at both gateways, the
// Order and its legal state transitions, and the order-number rule.
//
// It imports nothing of this project and nothing that draws, sends or stores:
// no Fyne, no HTTP, no SQL. Every other package may import it; the gateways
// (payments/eftpay, payments/qfpay), the journal (storage) and the engine
// (payments/checkout) all speak in its terms.
package payments
