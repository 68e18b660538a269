// Package providers is the one registration line of the terminal's payment
// providers: it imports each provider package for its side effect (the
// package's init registers its description with payments.RegisterProvider).
// The binaries and the terminal core import it; adding a provider adds one
// line here.
//
// It holds no code, and imports nothing but the provider packages.
package providers

import (
	_ "qrpos/payments/eftpay" // eftPay VMP
	_ "qrpos/payments/qfpay"  // QFPay /trade/v1
)
