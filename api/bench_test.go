package api

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"qrpos/payments/checkout"
)

// BenchmarkAPIChargeToWire: from the till's POST /v1/charges over the Unix
// socket to the payment request reaching the provider (the sandbox on
// loopback): the API's checks, the key's reservation, the order and its
// "about to send" event, each a durable journal write, and the request on
// the wire.
func BenchmarkAPIChargeToWire(b *testing.B) {
	hour := checkout.PollSchedule{First: time.Hour, Fast: time.Hour, FastFor: time.Hour, Slow: time.Hour}
	r := newRig(b, rigOptions{poll: hour})
	ctx := context.Background()
	req := ChargeRequest{Amount: "12.30", Currency: "HKD", Method: "qfpay:800101", Reference: "bench"}
	mustCharge(b, r.c, "warm-up", req) // connections, statements, caches
	drain := func() {
		for {
			select {
			case <-r.wire.pays:
			default:
				return
			}
		}
	}
	cancelLive := func() {
		for _, s := range r.eng.Sales() {
			s.Cancel()
			s.Wait(ctx)
		}
	}
	cancelLive()
	drain()
	var spans []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		c, _, err := r.c.CreateCharge(ctx, fmt.Sprintf("bench-%d", i), req)
		if err != nil {
			b.Fatal(err)
		}
		select {
		case at := <-r.wire.pays:
			spans = append(spans, at.Sub(start))
		case <-time.After(5 * time.Second):
			b.Fatalf("no payment request for %s", c.ID)
		}
		b.StopTimer()
		if _, err := r.c.Cancel(ctx, c.ID); err != nil {
			b.Fatal(err)
		}
		drain()
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(spans)
	p50, p99 := spans[len(spans)/2], spans[min(len(spans)-1, len(spans)*99/100)]
	b.ReportMetric(float64(p50.Microseconds()), "to-wire-p50-µs")
	b.ReportMetric(float64(p99.Microseconds()), "to-wire-p99-µs")
}
