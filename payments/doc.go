// Package payments owns the provider-neutral words of the terminal: Money and
// its strict parsing, the registry of providers (each provider package
// registers its description: methods, amount range, settings, gateway
// constructor) and the method catalogue made of their rows, the Order and
// its legal state transitions, and the order-number rule.
//
// It imports nothing of this project and nothing that draws, sends or stores:
// no Fyne, no HTTP, no SQL. Every other package may import it; the gateways
// (payments/eftpay, payments/qfpay, registered through payments/providers),
// the journal (storage) and the engine (payments/checkout) all speak in its
// terms.
package payments
