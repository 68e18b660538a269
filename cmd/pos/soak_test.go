//go:build soak

package main

// The crash soak, `make soak` (not part of `make test`): 1,000 kills of
// `pos charge`, `pos refund` and `pos reconcile` at random moments and at
// the chosen points, a batch of wallets that cannot be closed (QFPay's
// PayMe QR lives 5 minutes), and 10,000 checkouts and refunds mixed, driven
// in process under a stream of random provider faults; after every kill
// and every batch, journal and provider must agree (crashtest.World).
// It prints the totals as "N passed, N failed" and fails if any failed.

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"qrpos/internal/crashtest"
)

// soakCount reads a count from the environment (SOAK_KILLS, SOAK_OPS) so a
// shorter soak can be tried; def otherwise.
func soakCount(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

func TestSoak(t *testing.T) {
	kills := soakCount("SOAK_KILLS", 1000)
	ops := soakCount("SOAK_OPS", 10000)
	seed := crashtest.Seed(t)
	start := time.Now()
	type tally struct{ passed, failed atomic.Int64 }
	var killed, unclosable, engine tally
	t.Run("all", func(t *testing.T) {
		t.Run("kills", func(t *testing.T) {
			t.Parallel()
			const workers = 4
			var wg sync.WaitGroup
			var next atomic.Int64
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(seed, uint64(100+w)))
					r := crashtest.NewRig(t, crashtest.Options{})
					for {
						i := next.Add(1)
						if i > int64(kills) {
							return
						}
						var what string
						ok := t.Run(fmt.Sprintf("kill%04d", i), func(st *testing.T) {
							r.T = st
							if i%2 == 0 {
								what = "random: " + r.RandomKill(rng)
							} else {
								what = "chosen: " + r.ChosenKill(rng)
							}
						})
						r.T = t
						if ok {
							killed.passed.Add(1)
							continue
						}
						killed.failed.Add(1)
						t.Logf("kill %d failed (%s): a fresh terminal goes on", i, what)
						r = crashtest.NewRig(t, crashtest.Options{})
					}
				}()
			}
			wg.Wait()
		})
		t.Run("unclosable", func(t *testing.T) {
			t.Parallel()
			const n = 12
			r := crashtest.NewRig(t, crashtest.Options{ReconcileFor: 8 * time.Minute})
			if t.Run("batch", func(st *testing.T) {
				r.T = st
				r.UnclosableBatch(rand.New(rand.NewPCG(seed, 3)), n, crashtest.Unclosable)
			}) {
				unclosable.passed.Add(n)
			} else {
				unclosable.failed.Add(n)
			}
		})
		t.Run("engine", func(t *testing.T) {
			t.Parallel()
			const perRound, batch, workers = 1000, 100, 8
			rng := rand.New(rand.NewPCG(seed, 200))
			for round := 0; round*perRound < ops; round++ {
				er := crashtest.NewEngineRound(t, round%2 == 1)
				for done := 0; done < perRound && round*perRound+done < ops; done += batch {
					n := min(batch, ops-round*perRound-done)
					p, f, problems := er.Batch(rng, n, workers)
					engine.passed.Add(int64(p))
					engine.failed.Add(int64(f))
					if f > 0 {
						t.Errorf("round %d, batch at %d: %d of %d failed:\n  %s", round, done, f, n, strings.Join(problems, "\n  "))
						er = crashtest.NewEngineRound(t, round%2 == 1)
					}
				}
			}
		})
	})
	p := killed.passed.Load() + unclosable.passed.Load() + engine.passed.Load()
	f := killed.failed.Load() + unclosable.failed.Load() + engine.failed.Load()
	fmt.Printf("kills of pos charge/refund/reconcile: %d passed, %d failed\n", killed.passed.Load(), killed.failed.Load())
	fmt.Printf("wallets that cannot be closed: %d passed, %d failed\n", unclosable.passed.Load(), unclosable.failed.Load())
	fmt.Printf("in-process checkouts and refunds under faults: %d passed, %d failed\n", engine.passed.Load(), engine.failed.Load())
	fmt.Printf("soak took %v (seed %d)\n", time.Since(start).Round(time.Second), seed)
	fmt.Printf("%d passed, %d failed\n", p, f)
	if f > 0 {
		t.Fail()
	}
}
