package terminal

import (
	"context"
	"os"
	"testing"
	"time"
)

// pruneWatch is a link configuration that prunes everything it may
// (nothing is kept) and reports each daily pruning on the channel.
func pruneWatch() (hqConfig, chan int64) {
	cfg := fastHQ()
	cfg.KeepAcked, cfg.KeepUnsent = 0, 0
	pruned := make(chan int64, 4)
	cfg.afterPrune = func(n int64, err error) {
		if err != nil {
			n = -1
		}
		pruned <- n
	}
	return cfg, pruned
}

// TestStandalonePrunesUnsent: a terminal without head office deletes the
// old outbox entries it never sent. Configured later, it tells head office
// up to where it pruned; head office acks past them, gets the rest once,
// and the backlog and the cursor come right.
func TestStandalonePrunesUnsent(t *testing.T) {
	r := newHQRig(t)
	hqURL := r.hq.URL()
	r.config = writeHQConfig(t, r.base, "")
	c := r.open(t)
	journalSales(t, c.Journal(), "HQ01", 3) // 24 entries and the profile's
	cfg, pruned := pruneWatch()
	ctx, cancel := context.WithCancel(context.Background())
	c.startHQ(ctx, "test", cfg)
	if n := <-pruned; n != 3*8+1 {
		t.Fatalf("the standalone terminal pruned %d entries; want all 25", n)
	}
	if n, _, _ := c.HQStatus(); n != 0 {
		t.Fatalf("backlog %d after pruning", n)
	}
	journalSales(t, c.Journal(), "HQ01", 1) // 26-33, kept: the next pruning is a day away
	journalID := c.Journal().ID()
	cancel()
	c.Close()

	enrolled, err := os.ReadFile(writeHQConfig(t, r.base, hqURL))
	if err == nil {
		err = os.WriteFile(r.config, enrolled, 0o600) // beside the same journal
	}
	if err != nil {
		t.Fatal(err)
	}
	c = r.open(t)
	if c.Journal().ID() != journalID {
		t.Fatal("reopened another journal")
	}
	c.startHQ(context.Background(), "test", fastHQ())
	waitFor(t, "the upload", caughtUp(c))
	r.hq.assertHolds(t, c.Journal())
	r.hq.mu.Lock()
	defer r.hq.mu.Unlock()
	if got, held := r.hq.pruned[c.Journal().ID()], len(r.hq.entries); got != 25 || held != 9 {
		t.Fatalf("head office heard pruned through %d and holds %d entries; want 25, and the last sale's 8 with the new profile's", got, held)
	}
}

// TestHeadOfficeDownKeepsUnsent: a terminal with head office configured
// never prunes what head office has not acknowledged, however old, even
// while head office is unreachable.
func TestHeadOfficeDownKeepsUnsent(t *testing.T) {
	r := newHQRig(t)
	r.hq.stop()
	c := r.open(t)
	journalSales(t, c.Journal(), "HQ01", 2)
	time.Sleep(time.Millisecond) // every entry strictly older than the pruning's now
	cfg, pruned := pruneWatch()
	c.startHQ(context.Background(), "test", cfg)
	if n := <-pruned; n != 0 {
		t.Fatalf("pruned %d unacknowledged entries", n)
	}
	if n, _, _ := c.HQStatus(); n != 2*8+1 {
		t.Fatalf("backlog %d; want all 17 entries kept", n)
	}
	if p, err := c.Journal().PrunedThrough(context.Background()); p != 0 || err != nil {
		t.Fatalf("pruned through %d, %v", p, err)
	}
}

// TestHeadOfficeLostPrunedEntries: a head office restored from a backup
// lacks entries the terminal already pruned (acknowledged long ago). The
// terminal sends what it still has, saying up to where it pruned; head
// office takes the gap as missing and catches up.
func TestHeadOfficeLostPrunedEntries(t *testing.T) {
	r := newHQRig(t)
	c := r.open(t)
	journalSales(t, c.Journal(), "HQ01", 3) // 1-25
	c.startHQ(context.Background(), "test", fastHQ())
	waitFor(t, "the upload", caughtUp(c))
	if n, err := c.Journal().PruneOutbox(context.Background(), 0); err != nil || n != 25 {
		t.Fatalf("pruned %d acknowledged entries, %v", n, err)
	}
	posts := r.hq.forgetAtNextPost()
	journalSales(t, c.Journal(), "HQ01", 1) // 26-33
	waitFor(t, "head office caught up past the gap", func() bool {
		r.hq.mu.Lock()
		defer r.hq.mu.Unlock()
		return r.hq.posts > posts+1 && r.hq.contiguous(c.Journal().ID()) == 33
	})
	waitFor(t, "the cursor", caughtUp(c))
	r.hq.mu.Lock()
	defer r.hq.mu.Unlock()
	if r.hq.pruned[c.Journal().ID()] != 25 || len(r.hq.entries) != 8 {
		t.Fatalf("head office heard pruned through %d and holds %d entries; want 25 and 8", r.hq.pruned[c.Journal().ID()], len(r.hq.entries))
	}
}
