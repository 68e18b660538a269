package storage

// The journal checks each order's method against the catalogue: its tests
// run with the terminal's providers registered, as the binaries do.
import _ "qrpos/payments/providers"
