package qfpay_test

import (
	"testing"

	"qrpos/payments"
	"qrpos/payments/qfpay"
	"qrpos/payments/sandbox"
)

// BenchmarkPayRoundTrip: one MPM payment, signed, sent over loopback HTTP
// to the sandbox, checked and answered, read and interpreted.
func BenchmarkPayRoundTrip(b *testing.B) {
	e := newEnv(b, sandbox.Config{}, qfpay.Config{})
	m := method(b, "800201")
	b.ReportAllocs()
	for b.Loop() {
		res, err := e.gw.Pay(b.Context(), payments.PayRequest{OutTradeNo: orderNo(), Method: m, Amount: hkd(1230), Subject: "Milk tea"})
		if err != nil || res.State != payments.Pending {
			b.Fatal(res, err)
		}
	}
}
