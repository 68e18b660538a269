package store_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"qrpos/hq/internal/hqtest"
)

// BenchmarkIngest50Terminals: 50 terminals upload at once, each its own
// journal, over HTTP on loopback into PostgreSQL on this machine, in
// batches of 100 entries (catching up) and of 5 (one sale: online). One
// op is a round of one batch from every terminal; it reports entries
// stored per second.
func BenchmarkIngest50Terminals(b *testing.B) {
	for _, batch := range []int{100, 5} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) { benchIngest(b, 50, batch) })
	}
}

func benchIngest(b *testing.B, terminals, batch int) {
	r := hqtest.New(b)
	r.Server.Client().Transport.(*http.Transport).MaxIdleConnsPerHost = terminals
	tokens := make([]string, terminals)
	journals := make([]*hqtest.Journal, terminals)
	for i := range terminals {
		tid := fmt.Sprintf("T%03d", i)
		tokens[i] = r.Enrol(tid, fmt.Sprintf("Store %d", i%20))
		journals[i] = sales(tid, b.N*batch/5) // 5 entries a sale
	}
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range terminals {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range int64(b.N) {
				from, to := n*int64(batch)+1, (n+1)*int64(batch)
				if _, err := postAck(r, tokens[i], journals[i].Batch(from, to), to); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(terminals*batch*b.N)/time.Since(start).Seconds(), "entries/s")
}
