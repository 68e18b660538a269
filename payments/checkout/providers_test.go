package checkout

// The engine's tests run with the terminal's providers registered, as the
// binaries do (payments/providers: the one registration line).
import _ "qrpos/payments/providers"
