package checkout

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/eftpay"
	"qrpos/payments/qfpay"
	"qrpos/payments/sandbox"
	"qrpos/storage"
)

// wireClock wraps the sandbox and notes when each request arrived and when
// its answer was written.
type wireClock struct {
	h            http.Handler
	mu           sync.Mutex
	arrived, out time.Time
}

func (w *wireClock) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	t := time.Now()
	w.h.ServeHTTP(rw, r)
	done := time.Now()
	w.mu.Lock()
	w.arrived, w.out = t, done
	w.mu.Unlock()
}

func percentiles(ds []time.Duration) (p50, p99 time.Duration) {
	slices.Sort(ds)
	return ds[len(ds)/2], ds[min(len(ds)-1, len(ds)*99/100)]
}

// BenchmarkMPMTerminalOverhead: the terminal's own time from "charge" to
// the PreOrder request on the wire, and from the answer to the QR event,
// the durable journal writes included (eftPay on loopback, no latency).
func BenchmarkMPMTerminalOverhead(b *testing.B) {
	sb := sandbox.New(sandbox.Config{Logger: quiet})
	wc := &wireClock{h: sb.Handler()}
	srv := httptest.NewServer(wc)
	defer srv.Close()
	defer sb.Close()
	j, err := storage.Open(context.Background(), filepath.Join(privateDir(b), "pos.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	eft, _ := eftpay.NewGateway(eftpay.Config{BaseURL: srv.URL + "/VMP", UserConfirmKey: sandbox.DemoEftpayUser, Secret: sandbox.DemoEftpaySecret, Logger: quiet})
	e, _ := New(j, Config{TID: "B001", Logger: quiet, Poll: PollSchedule{First: time.Hour, Fast: time.Hour, FastFor: time.Hour, Slow: time.Hour}}, eft)
	defer e.Close()
	updates, stop := e.Subscribe(1024)
	defer stop()
	var toWire, toQR []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		s, err := e.Charge(context.Background(), ChargeRequest{Provider: payments.Eftpay, MethodCode: "ALIPAYHK", Amount: hkd(1000)})
		if err != nil {
			b.Fatal(err)
		}
		for u := range updates {
			if u.Kind == UpdateQR && u.Order.OutTradeNo == s.Order.OutTradeNo {
				qrAt := time.Now()
				wc.mu.Lock()
				toWire = append(toWire, wc.arrived.Sub(start))
				toQR = append(toQR, qrAt.Sub(wc.out))
				wc.mu.Unlock()
				break
			}
		}
		s.Cancel()
		b.StopTimer()
		s.Wait(context.Background())
		b.StartTimer()
	}
	p50, p99 := percentiles(toWire)
	b.ReportMetric(float64(p50.Microseconds()), "charge-to-wire-p50-µs")
	b.ReportMetric(float64(p99.Microseconds()), "charge-to-wire-p99-µs")
	p50, p99 = percentiles(toQR)
	b.ReportMetric(float64(p50.Microseconds()), "answer-to-qr-p50-µs")
	b.ReportMetric(float64(p99.Microseconds()), "answer-to-qr-p99-µs")
}

// benchPaidLatency: from the sandbox marking an order paid to the engine
// reporting it paid.
func benchPaidLatency(b *testing.B, notify bool, poll PollSchedule) {
	sb := sandbox.New(sandbox.Config{Logger: quiet, NotifyRetry: []time.Duration{10 * time.Millisecond}})
	srv := httptest.NewServer(sb.Handler())
	defer srv.Close()
	defer sb.Close()
	j, err := storage.Open(context.Background(), filepath.Join(privateDir(b), "pos.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	eft, _ := eftpay.NewGateway(eftpay.Config{BaseURL: srv.URL + "/VMP", UserConfirmKey: sandbox.DemoEftpayUser, Secret: sandbox.DemoEftpaySecret, Logger: quiet})
	cfg := Config{TID: "B001", Logger: quiet, Poll: poll}
	var e *Engine
	if notify {
		nsrv := httptest.NewServer(eft.NotificationHandler(func(ctx context.Context, n payments.Notification) error { return e.HandleNotification(ctx, n) }))
		defer nsrv.Close()
		cfg.NotifyURL = nsrv.URL + "/n" // the handler answers on any path
	}
	e, _ = New(j, cfg, eft)
	defer e.Close()
	updates, stop := e.Subscribe(1024)
	defer stop()
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := e.Charge(context.Background(), ChargeRequest{Provider: payments.Eftpay, MethodCode: "WECHATHK", Amount: hkd(1000)})
		if err != nil {
			b.Fatal(err)
		}
		no := s.Order.OutTradeNo
		var paidAt time.Time
		for u := range updates {
			if u.Order.OutTradeNo != no {
				continue
			}
			if u.Kind == UpdateQR {
				paidAt = time.Now()
				if err := sb.Pay(no, "success"); err != nil {
					b.Fatal(err)
				}
			}
			if u.Kind == UpdateState && u.Order.State == payments.Paid {
				lat = append(lat, time.Since(paidAt))
				break
			}
		}
		s.Wait(context.Background())
	}
	p50, p99 := percentiles(lat)
	b.ReportMetric(float64(p50.Milliseconds()), "paid-to-reported-p50-ms")
	b.ReportMetric(float64(p99.Milliseconds()), "paid-to-reported-p99-ms")
}

// BenchmarkPaidByNotification: polling slowed to an hour, so only the
// notification can report the payment.
func BenchmarkPaidByNotification(b *testing.B) {
	benchPaidLatency(b, true, PollSchedule{First: time.Hour, Fast: time.Hour, FastFor: time.Hour, Slow: time.Hour})
}

// BenchmarkPaidByPolling: no notification, the default schedule (2 s).
func BenchmarkPaidByPolling(b *testing.B) {
	benchPaidLatency(b, false, DefaultPoll)
}

// BenchmarkTenTerminalsOneMerchant: 10 terminals, each with its own
// journal and engine, sharing one QFPay credential, taking CPM payments
// that succeed at once. The provider's own limit (400 requests a minute
// per merchant, enforced by the shared limiter) is raised here to measure
// the terminals themselves.
func BenchmarkTenTerminalsOneMerchant(b *testing.B) {
	const terminals = 10
	sb := sandbox.New(sandbox.Config{Logger: quiet, QFPayRatePerSecond: 10000, QFPayRatePerMinute: 600000})
	srv := httptest.NewServer(sb.Handler())
	defer srv.Close()
	defer sb.Close()
	var engines []*Engine
	for i := 0; i < terminals; i++ {
		j, err := storage.Open(context.Background(), filepath.Join(privateDir(b), fmt.Sprintf("pos%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		defer j.Close()
		tid := fmt.Sprintf("T%02d", i)
		qf, err := qfpay.New(qfpay.Config{BaseURL: srv.URL, AppCode: sandbox.DemoQFPayAppCode, ClientKey: sandbox.DemoQFPayKey,
			TID: tid, Logger: quiet, RatePerSecond: 10000, RatePerMinute: 600000})
		if err != nil {
			b.Fatal(err)
		}
		e, _ := New(j, Config{TID: tid, Logger: quiet}, qf)
		defer e.Close()
		engines = append(engines, e)
	}
	var next atomic.Int64
	b.ResetTimer()
	var wg sync.WaitGroup
	for _, e := range engines {
		wg.Add(1)
		go func(e *Engine) {
			defer wg.Done()
			for {
				n := next.Add(1)
				if n > int64(b.N) {
					return
				}
				s, err := e.Charge(context.Background(), ChargeRequest{Provider: payments.QFPay, MethodCode: "800208",
					Amount: hkd(1000), AuthCode: fmt.Sprintf("13%014d00", n)})
				if err != nil {
					b.Error(err)
					return
				}
				if o, _ := s.Wait(context.Background()); o.State != payments.Paid {
					b.Errorf("checkout %d: %s", n, o.State)
					return
				}
			}
		}(e)
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checkouts/s")
}
