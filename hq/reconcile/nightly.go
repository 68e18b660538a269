package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"qrpos/hq/store"
)

// DefaultAt is when the nightly run starts, in the chain's time: late
// enough that the day's last sales are uploaded and settled, early enough
// to be read in the morning.
const DefaultAt = "03:30"

// Nightly reconciles yesterday once a day at Hour:Minute, chain time.
// However many head-office processes run it, a day has one nightly run
// (store.StartReconcileRun claims the day under its advisory lock).
type Nightly struct {
	Runner       *Runner
	Hour, Minute int
	// After waits (nil: time.After); tests give their own.
	After func(time.Duration) <-chan time.Time
}

// ParseAt reads --reconcile-at: HH:MM (24-hour), or "off" (on false).
func ParseAt(s string) (hour, minute int, on bool, err error) {
	if s == "off" {
		return 0, 0, false, nil
	}
	h, m, ok := strings.Cut(s, ":")
	hour, herr := strconv.Atoi(h)
	minute, merr := strconv.Atoi(m)
	digits := func(s string) bool { return len(s) == 2 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' }
	if !ok || !digits(h) || !digits(m) || herr != nil || merr != nil || hour > 23 || minute > 59 {
		return 0, 0, false, fmt.Errorf("%q: want HH:MM (00:00 to 23:59) or off", s)
	}
	return hour, minute, true, nil
}

// Run runs the nightly reconciliation until ctx ends: first the night's
// run whose time today has passed (one a stopped head office missed is
// made now; one already made is not made again), then each day at its
// time.
func (n *Nightly) Run(ctx context.Context) {
	after := n.After
	if after == nil {
		after = time.After
	}
	for {
		due := n.due(n.Runner.now())
		n.Tick(ctx, due)
		next := n.at(due.AddDate(0, 0, 1))
		select {
		case <-ctx.Done():
			return
		case <-after(next.Sub(n.Runner.now())):
		}
	}
}

// Tick makes the nightly run due at due: the run of the day before due's.
// ran is false when another head-office process has made it (or is
// making it).
func (n *Nightly) Tick(ctx context.Context, due time.Time) (res Result, ran bool, err error) {
	day := n.Runner.Yesterday(due)
	log := n.Runner.log().With("day", day)
	run, err := n.Runner.begin(ctx, day, "nightly", true)
	var busy *store.RunInProgressError
	switch {
	case errors.Is(err, store.ErrNightlyDone):
		log.Info("nightly reconciliation already made")
		return res, false, nil
	case errors.As(err, &busy):
		log.Info("nightly reconciliation not started: a run of the day is under way", "run", busy.Run.ID, "by", busy.Run.By)
		return res, false, nil
	case err != nil:
		log.Error("nightly reconciliation not started", "err", err)
		return res, false, err
	}
	log.Info("nightly reconciliation started", "run", run.ID)
	res, err = n.Runner.finish(ctx, run)
	if err != nil {
		log.Error("nightly reconciliation failed", "run", run.ID, "err", err)
	}
	return res, true, err
}

// at is Hour:Minute on t's day, chain time.
func (n *Nightly) at(t time.Time) time.Time {
	t = t.In(n.Runner.loc())
	return time.Date(t.Year(), t.Month(), t.Day(), n.Hour, n.Minute, 0, 0, n.Runner.loc())
}

// due is the latest Hour:Minute at or before now.
func (n *Nightly) due(now time.Time) time.Time {
	if d := n.at(now); !d.After(now) {
		return d
	}
	return n.at(now.In(n.Runner.loc()).AddDate(0, 0, -1))
}
