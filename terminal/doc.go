// Package terminal is the one core of the QR payment terminal: everything a
// terminal is, whichever face drives it. It opens the profile and the
// journal, wires the providers' gateways and the engine, serves the
// providers' notifications and the local API for a till, supervises the
// printer and the scanner, swaps the profile a manager edits, checks the
// manager's PIN (lockout and audit), probes the providers' health, renders
// the virtual printer's preview, uploads the journal's outbox to head
// office and applies the profiles made there (hq.go), and offers each sale
// as a value (a snapshot plus a stream of updates).
//
// Faces (the Fyne window in ui/, the command line in cmd/pos and cli/, the
// local API) call it and render what it publishes; they keep no truth.
// This package must not import fyne.io/... or qrpos/ui (a test checks), and
// provider-specific code lives only in providers.go.
package terminal
