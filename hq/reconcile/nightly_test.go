package reconcile_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"qrpos/hq/internal/hqtest"
	"qrpos/hq/reconcile"
	"qrpos/hq/store"
	"qrpos/payments/sandbox"
)

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// Two head-office processes (each its own connections to one PostgreSQL)
// starting the night's run at the same moment make it once; starting it
// again makes nothing.
func TestNightlyOnceForTwoHeadOffices(t *testing.T) {
	r := newRig(t)
	t1 := r.terminal(t, "T001", "Central")
	cpmSale(t, t1, 1000)
	r.synced(t)
	ms := merchantsOf(t, r.merchantsFile(sandbox.DemoQFPayKey, "", sandbox.DemoEftpaySecret, ""))
	due := time.Now().In(hqtest.HKT).AddDate(0, 0, 1) // the night after today: today's run
	var nights []*reconcile.Nightly
	for range 2 {
		db, err := store.Open(context.Background(), r.hq.DBURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		run := &reconcile.Runner{DB: db, Merchants: ms, Location: hqtest.HKT, Log: quiet}
		nights = append(nights, &reconcile.Nightly{Runner: run, Hour: 3, Minute: 30})
	}
	ran := make([]bool, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, n := range nights {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ran[i], errs[i] = n.Tick(ctxOf(t), due)
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil || ran[0] == ran[1] {
		t.Fatalf("two head offices: ran %v, errors %v", ran, errs)
	}
	if res, again, err := nights[0].Tick(ctxOf(t), due.Add(time.Hour)); again || err != nil {
		t.Fatalf("the night's run made again: %+v %v", res.Run, err)
	}
	runs, err := r.hq.DB.ReconcileRuns(ctxOf(t), today())
	if err != nil || len(runs) != 1 || !runs[0].Nightly || runs[0].By != "nightly" || runs[0].FinishedAt == nil || len(runs[0].Merchants) != 2 {
		t.Fatalf("runs of the day: %+v %v", runs, err)
	}
	// A person may still run the day again.
	if _, err := nights[1].Runner.Run(ctxOf(t), today(), "alice"); err != nil {
		t.Fatal(err)
	}
}

// Nightly.Run: started after the night's time, it makes the run the night
// missed at once, then waits for the next night's time and makes that
// one: each for the day before.
func TestNightlyRunsEachNight(t *testing.T) {
	r := newRig(t)
	ms := merchantsOf(t, r.merchantsFile(sandbox.DemoQFPayKey, "", sandbox.DemoEftpaySecret, ""))
	c := &clock{now: time.Date(2026, 3, 5, 10, 0, 0, 0, hqtest.HKT)}
	waits := make(chan time.Duration)
	fire := make(chan time.Time)
	n := &reconcile.Nightly{Runner: &reconcile.Runner{DB: r.hq.DB, Merchants: ms, Location: hqtest.HKT, Log: quiet, Now: c.Now},
		Hour: 3, Minute: 30, After: func(d time.Duration) <-chan time.Time { waits <- d; return fire }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { n.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	if d := <-waits; d != 17*time.Hour+30*time.Minute {
		t.Fatalf("after the catch-up it waits %v, want until 03:30 tomorrow", d)
	}
	nightly := func(day string) int {
		runs, err := r.hq.DB.ReconcileRuns(ctxOf(t), day)
		if err != nil {
			t.Fatal(err)
		}
		k := 0
		for _, run := range runs {
			if run.Nightly && run.FinishedAt != nil && run.Error == "" {
				k++
			}
		}
		return k
	}
	if nightly("2026-03-04") != 1 || nightly("2026-03-05") != 0 {
		t.Fatalf("after the catch-up: %d, %d", nightly("2026-03-04"), nightly("2026-03-05"))
	}
	c.set(time.Date(2026, 3, 6, 3, 30, 0, 0, hqtest.HKT))
	fire <- c.Now()
	if d := <-waits; d != 24*time.Hour {
		t.Fatalf("then it waits %v", d)
	}
	if nightly("2026-03-04") != 1 || nightly("2026-03-05") != 1 {
		t.Fatalf("after the next night: %d, %d", nightly("2026-03-04"), nightly("2026-03-05"))
	}
}

// Started before the night's time, Nightly.Run makes the night before's
// run (of the day before yesterday) and waits for tonight's.
func TestNightlyStartedBeforeItsTime(t *testing.T) {
	r := newRig(t)
	ms := merchantsOf(t, r.merchantsFile(sandbox.DemoQFPayKey, "", sandbox.DemoEftpaySecret, ""))
	c := &clock{now: time.Date(2026, 3, 5, 2, 0, 0, 0, hqtest.HKT)}
	waits := make(chan time.Duration)
	n := &reconcile.Nightly{Runner: &reconcile.Runner{DB: r.hq.DB, Merchants: ms, Location: hqtest.HKT, Log: quiet, Now: c.Now},
		Hour: 3, Minute: 30, After: func(d time.Duration) <-chan time.Time { waits <- d; return nil }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { n.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	if d := <-waits; d != 90*time.Minute {
		t.Fatalf("it waits %v, want until 03:30", d)
	}
	for day, want := range map[string]int{"2026-03-03": 1, "2026-03-04": 0} {
		if runs, err := r.hq.DB.ReconcileRuns(ctxOf(t), day); err != nil || len(runs) != want {
			t.Errorf("runs of %s: %+v %v", day, runs, err)
		}
	}
}

func TestParseAt(t *testing.T) {
	for s, want := range map[string][3]int{"03:30": {3, 30, 1}, "00:00": {0, 0, 1}, "23:59": {23, 59, 1}, "off": {0, 0, 0}} {
		h, m, on, err := reconcile.ParseAt(s)
		if err != nil || h != want[0] || m != want[1] || on != (want[2] == 1) {
			t.Errorf("ParseAt(%q) = %d %d %v %v", s, h, m, on, err)
		}
	}
	for _, s := range []string{"", "3:30", "24:00", "12:60", "12-30", "ab:cd", "03:30:00", "Off", "-1:30"} {
		if _, _, _, err := reconcile.ParseAt(s); err == nil {
			t.Errorf("ParseAt(%q) read", s)
		}
	}
}

// FuzzParseAt: whatever --reconcile-at says, it is read as a time of day
// that formats back to itself, "off", or refused.
func FuzzParseAt(f *testing.F) {
	for _, s := range []string{"03:30", "off", "24:00", "1:2", "+1:30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, m, on, err := reconcile.ParseAt(s)
		switch {
		case err != nil:
		case !on:
			if s != "off" {
				t.Fatalf("%q read as off", s)
			}
		case time.Date(2026, 1, 1, h, m, 0, 0, time.UTC).Format("15:04") != s:
			t.Fatalf("%q read as %d:%d", s, h, m)
		}
	})
}
