package relay_test

import (
	"slices"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/checkout"
)

// BenchmarkNotificationThroughHeadOffice: from the sandbox (the provider)
// marking a sale paid, which sends its notification to head office, to
// the terminal's engine reporting the sale paid: head office verifies,
// keeps it in PostgreSQL and relays it on the terminal's stream; the
// terminal verifies it again and journals it. Loopback, polling an hour
// away; p50 and p99 in milliseconds. eftPay's Alipay QR: QFPay's 400
// requests a minute (the terminal's own limiter) would pace the sales.
func BenchmarkNotificationThroughHeadOffice(b *testing.B) {
	o := newOffice(b)
	s := newShop(b, o, "BN01", hour, hour)
	s.connected(b)
	updates, stop := s.term.Engine().Subscribe(1024)
	defer stop()
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		no := s.sale(b, payments.Eftpay, "ALIPAYHK", int64(1000+i))
		start := time.Now()
		if err := s.sb.Pay(no, "success"); err != nil {
			b.Fatal(err)
		}
		for u := range updates {
			if u.Kind == checkout.UpdateState && u.Order.OutTradeNo == no && u.Order.State == payments.Paid {
				lat = append(lat, time.Since(start))
				break
			}
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat[len(lat)/2]), "ms-p50")
	b.ReportMetric(ms(lat[min(len(lat)-1, len(lat)*99/100)]), "ms-p99")
}
