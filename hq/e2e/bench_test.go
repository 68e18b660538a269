package e2e_test

import (
	"context"
	"slices"
	"testing"
	"time"
)

// BenchmarkPaidVisibleAtHeadOffice measures, with the uploader's shipped
// settings (a look at the outbox every second), the time from a sale's
// paid state being journalled on a real terminal to head office's
// PostgreSQL answering an order lookup with it paid: p50, p99 and the
// slowest, in milliseconds. Sales come at irregular moments, not in step
// with the uploader.
func BenchmarkPaidVisibleAtHeadOffice(b *testing.B) {
	r := newRig(b, "E2EB1")
	ctx := context.Background()
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		time.Sleep(time.Duration(i%7) * 130 * time.Millisecond)
		o := r.sale(b, int64(100+i))
		for {
			d, err := r.hq.DB.Order(ctx, r.tid, o.OutTradeNo)
			if err == nil && d.State == "paid" {
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		lat = append(lat, time.Since(o.UpdatedAt))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "ms-p50")
	b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "ms-p99")
	b.ReportMetric(float64(lat[len(lat)-1].Milliseconds()), "ms-max")
}
