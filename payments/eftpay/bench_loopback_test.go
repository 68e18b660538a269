package eftpay_test

import (
	"testing"

	"qrpos/payments"
)

// BenchmarkPreOrderLoopback is one whole pre-order: sign, HTTP POST on
// loopback, the sandbox's checks and answer, verification.
func BenchmarkPreOrderLoopback(b *testing.B) {
	r := newRig(b)
	r.recordOff = true
	m := method(b, "ALIPAYHK")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.gw.Pay(ctx, payments.PayRequest{OutTradeNo: r.no(), Method: m, Amount: hkd(1230), Subject: "Noodles"}); err != nil {
			b.Fatal(err)
		}
	}
}
