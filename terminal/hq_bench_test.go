package terminal

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/storage"
)

// BenchmarkSaleWhileUploading measures a sale's durable writes (the
// journal's CreateOrderDurable: a new order and its write-ahead request
// event) on a terminal whose link to head office runs against a slow head
// office (every answer 200 ms late, new entries always waiting), paired
// with the same writes on a journal without a link: each iteration writes
// one order to each, so the machine's other load weighs on both alike.
func BenchmarkSaleWhileUploading(b *testing.B) {
	r := newHQRig(b)
	r.hq.onPost = func(int) { time.Sleep(200 * time.Millisecond) }
	c := r.open(b)
	cfg := fastHQ()
	c.startHQ(context.Background(), "bench", cfg)
	alone, err := storage.Open(context.Background(), privateDirB(b)+"/alone.db")
	if err != nil {
		b.Fatal(err)
	}
	defer alone.Close()
	ctx := context.Background()
	write := func(j *storage.Journal) time.Duration {
		start := time.Now()
		o, err := j.CreateOrder(ctx, storage.NewOrder{TID: "HQ01", Provider: payments.QFPay, MethodCode: "800101", Mode: payments.MPM,
			Amount: payments.Money{Minor: 100, Currency: "HKD"}})
		if err == nil {
			err = j.Append(ctx, o.OutTradeNo, storage.Event{Kind: storage.EventRequest, Detail: "preorder"})
		}
		if err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	var linked, single []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			linked = append(linked, write(c.Journal()))
			single = append(single, write(alone))
		} else {
			single = append(single, write(alone))
			linked = append(linked, write(c.Journal()))
		}
	}
	b.StopTimer()
	report(b, "uploading", linked)
	report(b, "alone", single)
	if posts, _, _, _ := r.hq.counts(); b.N > 100 && posts == 0 {
		b.Fatal("the link never posted")
	}
}

// report adds the mean and the 99th percentile of ds, in microseconds.
func report(b *testing.B, name string, ds []time.Duration) {
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	b.ReportMetric(float64(sum.Microseconds())/float64(len(ds)), "µs-mean-"+name)
	b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds()), "µs-p99-"+name)
}

func privateDirB(b *testing.B) string {
	dir := b.TempDir()
	if err := chmod700(dir); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkPaidToHQ measures, with the link's shipped settings (a look at
// the outbox every second), the time from a sale's paid state being
// journalled to head office holding it: p50 and p99 in milliseconds.
func BenchmarkPaidToHQ(b *testing.B) {
	r := newHQRig(b)
	c := r.open(b)
	c.startHQ(context.Background(), "bench", defaultHQConfig())
	ctx := context.Background()
	j := c.Journal()
	var lat []time.Duration
	for i := 0; i < b.N; i++ {
		o, err := j.CreateOrder(ctx, storage.NewOrder{TID: "HQ01", Provider: payments.QFPay, MethodCode: "800101", Mode: payments.MPM,
			Amount: payments.Money{Minor: 100, Currency: "HKD"}})
		if err == nil {
			_, err = j.Transition(ctx, o.OutTradeNo, payments.Pending, storage.Change{QRCode: "qr"})
		}
		if err != nil {
			b.Fatal(err)
		}
		time.Sleep(time.Duration(i%7) * 130 * time.Millisecond) // not in step with the link's polls
		start := time.Now()
		if _, err := j.Transition(ctx, o.OutTradeNo, payments.Paid, storage.Change{ProviderRef: "REF"}); err != nil {
			b.Fatal(err)
		}
		cur, _ := j.UploadCursor(ctx)
		n, _, _ := j.OutboxBacklog(ctx)
		last := cur + n
		for {
			r.hq.mu.Lock()
			held := r.hq.contiguous(j.ID())
			r.hq.mu.Unlock()
			if held >= last {
				break
			}
			time.Sleep(time.Millisecond)
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "ms-p50")
	b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "ms-p99")
	b.ReportMetric(float64(lat[len(lat)-1].Milliseconds()), "ms-max")
}

func chmod700(dir string) error { return os.Chmod(dir, 0o700) }
