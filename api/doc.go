// Package api is the terminal's local API for a till (an "ECR" interface):
// a versioned JSON API under /v1/ that lets the shop's till hand its total
// to the terminal instead of the cashier typing it twice. It serves on a
// Unix socket next to the journal (mode 0600: the file mode is the
// authentication) and, when the profile sets api_listen, on TCP for a till
// on the shop's LAN with the profile's bearer token (TLS optional). The
// API is described by the OpenAPI 3 file openapi.json, embedded and served
// at /v1/openapi.json.
//
// It is a face: it translates requests into the engine's intents
// (checkout.Engine: Charge, Sale.Cancel, Refund, DayReport) and renders the
// journal's facts; it keeps no truth of its own except the till's
// Idempotency-Keys (storage.APICharge), which make a repeated request
// return the same charge instead of charging twice, also after a restart.
// It imports payments, payments/checkout, payments/reconcile and storage;
// it must not import ui, devices or a provider package, and never calls a
// provider itself (a reconciliation asks the terminal, which asks them).
//
// The client in client.go speaks the same API from Go (tests, tools).
package api
