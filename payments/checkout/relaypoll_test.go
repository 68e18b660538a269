package checkout

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/qfpay"
	"qrpos/payments/sandbox"
	"qrpos/storage"
)

// TestRelayedPollWhileNotificationsFlow: while notifications flow the
// engine follows RelayedPoll; when they stop, every awaited sale is
// queried at once (here both schedules wait an hour: only that query can
// find the sale paid) and Poll is followed again.
func TestRelayedPollWhileNotificationsFlow(t *testing.T) {
	hour := PollSchedule{First: time.Hour, Fast: time.Hour, FastFor: time.Hour, Slow: time.Hour}
	r := newRig(t, rigOptions{poll: hour, timeout: time.Hour})
	r.e.cfg.RelayedPoll = PollSchedule{First: 2 * time.Hour, Fast: 2 * time.Hour, Slow: 2 * time.Hour}
	if r.e.pollSchedule() != hour || r.e.NotificationsFlowing() {
		t.Fatalf("a new engine follows %+v", r.e.pollSchedule())
	}
	r.e.SetNotificationsFlowing(true)
	if r.e.pollSchedule() != r.e.cfg.RelayedPoll || !r.e.NotificationsFlowing() {
		t.Fatalf("notifications flowing, the engine follows %+v", r.e.pollSchedule())
	}
	s := r.charge(payments.QFPay, "800101", 1288, "")
	r.waitUpdate(s.Order.OutTradeNo, UpdateQR)
	if err := r.sb.Pay(s.Order.OutTradeNo, "success"); err != nil {
		t.Fatal(err)
	}
	r.e.SetNotificationsFlowing(false)
	if o := r.wait(s); o.State != payments.Paid {
		t.Fatalf("after notifications stopped: %s", o.State)
	}
	if r.e.pollSchedule() != hour {
		t.Fatalf("notifications stopped, the engine follows %+v", r.e.pollSchedule())
	}
	if (Config{}).withDefaults().RelayedPoll != RelayedPoll {
		t.Fatal("RelayedPoll is not the default")
	}
}

// withDefaults is c with its defaults filled in.
func (c Config) withDefaults() Config {
	c.defaults()
	return c
}

// BenchmarkQueriesPerMinute60Counters: 60 counters of one QFPay merchant,
// each with an MPM sale awaiting payment, as QFPay counts them: the query
// requests reaching the sandbox in a minute, relay down (DefaultPoll) and
// relay up (RelayedPoll). Real engines, journals and gateways on
// loopback, with time compressed tenfold: the schedules divided by 10,
// the sales started one virtual second apart, the queries counted over
// the second virtual minute (every counter's sale pending throughout,
// aged 0 to 120 s), reported per virtual minute.
func BenchmarkQueriesPerMinute60Counters(b *testing.B) {
	for _, c := range []struct {
		name    string
		flowing bool
	}{{"relay-down", false}, {"relay-up", true}} {
		b.Run(c.name, func(b *testing.B) {
			var q float64
			for i := 0; i < b.N; i++ {
				q = queriesPerMinute(b, 60, 10, c.flowing)
			}
			b.ReportMetric(q, "queries/min")
			b.ReportMetric(q/400*100, "%-of-QFPay-limit")
		})
	}
}

// queriesPerMinute runs counters engines with time compressed by speed
// and counts the sandbox's queries in the second virtual minute.
func queriesPerMinute(b *testing.B, counters int, speed time.Duration, flowing bool) float64 {
	sb := sandbox.New(sandbox.Config{Logger: quiet, QFPayRatePerSecond: 10000, QFPayRatePerMinute: 100000})
	srv := httptest.NewServer(sb.Handler())
	defer srv.Close()
	defer sb.Close()
	scale := func(p PollSchedule) PollSchedule {
		return PollSchedule{First: p.First / speed, Fast: p.Fast / speed, FastFor: p.FastFor / speed, Slow: p.Slow / speed}
	}
	minute := time.Minute / speed
	var wg sync.WaitGroup
	start := time.Now()
	for i := range counters {
		tid := fmt.Sprintf("C%03d", i)
		j, err := storage.Open(context.Background(), filepath.Join(privateDir(b), "pos.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer j.Close()
		qf, _ := qfpay.New(qfpay.Config{BaseURL: srv.URL, AppCode: sandbox.DemoQFPayAppCode, ClientKey: sandbox.DemoQFPayKey,
			TID: tid, Logger: quiet, RatePerSecond: 10000, RatePerMinute: 100000})
		e, err := New(j, Config{TID: tid, Logger: quiet, Poll: scale(DefaultPoll), RelayedPoll: scale(RelayedPoll),
			OrderTimeout: 10 * minute, PayableFor: func(_ payments.Method, d time.Duration) time.Duration { return d }}, qf)
		if err != nil {
			b.Fatal(err)
		}
		defer e.Close()
		e.SetNotificationsFlowing(flowing)
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Until(start.Add(time.Duration(i) * minute / time.Duration(counters))))
			if _, err := e.Charge(context.Background(), ChargeRequest{Provider: payments.QFPay, MethodCode: "800101", Amount: hkd(1000)}); err != nil {
				b.Error(err)
			}
		}()
	}
	wg.Wait()
	time.Sleep(time.Until(start.Add(2 * minute)))
	from, to := start.Add(minute), start.Add(2*minute)
	n := 0
	for _, r := range sb.Requests() {
		if r.Op == sandbox.OpQuery && !r.At.Before(from) && r.At.Before(to) {
			n++
		}
	}
	return float64(n)
}
