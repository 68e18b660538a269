//go:build soak

package cli

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
	"sort"
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
	type tally struct {
		passed, failed atomic.Int64
		took           time.Duration
	}
	var killed, unclosable, engine tally
	var chosenMu sync.Mutex
	chosen := map[string][2]int{} // scenario -> reached, tried
	t.Run("all", func(t *testing.T) {
		t.Run("kills", func(t *testing.T) {
			t.Parallel()
			defer func(start time.Time) { killed.took = time.Since(start) }(time.Now())
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
								return
							}
							name := r.ChosenKill(rng)
							what = "chosen: " + name
							key, _, _ := strings.Cut(name, ",")
							key, notReached := strings.CutSuffix(key, " (not reached)")
							chosenMu.Lock()
							c := chosen[key]
							c[1]++
							if !notReached {
								c[0]++
							}
							chosen[key] = c
							chosenMu.Unlock()
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
			defer func(start time.Time) { unclosable.took = time.Since(start) }(time.Now())
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
			defer func(start time.Time) { engine.took = time.Since(start) }(time.Now())
			const perRound, batch, workers = 1000, 100, 16
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
	keys := make([]string, 0, len(chosen))
	for k := range chosen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Println("chosen kill points (reached / tried):")
	for _, k := range keys {
		fmt.Printf("  %-40s %4d / %d\n", k, chosen[k][0], chosen[k][1])
	}
	p := killed.passed.Load() + unclosable.passed.Load() + engine.passed.Load()
	f := killed.failed.Load() + unclosable.failed.Load() + engine.failed.Load()
	for _, part := range []struct {
		name string
		t    *tally
	}{{"kills of pos charge/refund/reconcile", &killed}, {"wallets that cannot be closed", &unclosable},
		{"in-process checkouts and refunds under faults", &engine}} {
		fmt.Printf("%s (%v): %d passed, %d failed\n", part.name, part.t.took.Round(time.Second), part.t.passed.Load(), part.t.failed.Load())
	}
	fmt.Printf("soak took %v (seed %d)\n", time.Since(start).Round(time.Second), seed)
	fmt.Printf("%d passed, %d failed\n", p, f)
	if f > 0 {
		t.Fail()
	}
}
