package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/sandbox"
	"qrpos/storage"
)

var (
	posOnce sync.Once
	posBin  string
	posErr  error
)

// posBinary builds cmd/pos once for the tests that run it as a process.
func posBinary(t *testing.T) string {
	t.Helper()
	posOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pos-bin-")
		if err != nil {
			posErr = err
			return
		}
		posBin = filepath.Join(dir, "pos")
		out, err := exec.Command("go", "build", "-o", posBin, ".").CombinedOutput()
		if err != nil {
			posErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if posErr != nil {
		t.Fatal(posErr)
	}
	return posBin
}

// writeSandboxConfig writes a 0600 profile pointing both providers at url.
func writeSandboxConfig(t *testing.T, dir, url string) string {
	t.Helper()
	cfg := fmt.Sprintf(`tid = "K001"
store_name = "Kill Test"
journal = "pos.db"
[eftpay]
base_url = %q
user_confirm_key = %q
secret = %q
[qfpay]
base_url = %q
app_code = %q
client_key = %q
`, url+"/VMP", sandbox.DemoEftpayUser, sandbox.DemoEftpaySecret, url, sandbox.DemoQFPayAppCode, sandbox.DemoQFPayKey)
	path := filepath.Join(dir, "terminal.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestChargeKilledThenReconciled kills `pos charge` with SIGKILL at random
// moments, runs `pos reconcile` after each kill, and checks that the journal
// and the sandbox agree on every order: none lost, none charged twice, none
// left unknown once the sandbox knows it.
func TestChargeKilledThenReconciled(t *testing.T) {
	const runs = 50
	bin := posBinary(t)
	sb := sandbox.New(sandbox.Config{NotifyRetry: []time.Duration{}})
	srv := httptest.NewServer(sb.Handler())
	defer srv.Close()
	defer sb.Close()
	dir := t.TempDir()
	config := writeSandboxConfig(t, dir, srv.URL)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 2))
	t.Logf("seed %d", seed)
	counts := map[string]int{}
	for run := 0; run < runs; run++ {
		var args []string
		switch rng.IntN(4) {
		case 0:
			args = []string{"--provider", "eftpay", "--method", "ALIPAYHK"}
		case 1:
			args = []string{"--provider", "qfpay", "--method", "800101"}
		default:
			ending := []string{"00", "43", "45", "46"}[rng.IntN(4)]
			args = []string{"--provider", "qfpay", "--method", "800208", "--auth-code", fmt.Sprintf("13%014d%s", run, ending)}
		}
		args = append([]string{"charge", "--config", config, "--json", "--amount", fmt.Sprintf("%d.%02d", 1+rng.IntN(90), rng.IntN(100))}, args...)
		before := len(sb.Orders())
		cmd := exec.Command(bin, args...)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		payAfterQR := rng.IntN(2) == 0
		killAfter := time.Duration(20+rng.IntN(900)) * time.Millisecond
		events := make(chan map[string]string, 16)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				var ev map[string]string
				if json.Unmarshal(sc.Bytes(), &ev) == nil {
					events <- ev
				}
			}
			close(events)
		}()
		timer := time.NewTimer(killAfter)
	wait:
		for {
			select {
			case ev, ok := <-events:
				if !ok {
					break wait
				}
				if ev["event"] == "qr" && payAfterQR {
					sb.Pay(ev["out_trade_no"], "success")
				}
			case <-timer.C:
				cmd.Process.Kill()
				break wait
			}
		}
		for range events {
		}
		cmd.Wait()
		if cmd.ProcessState.ExitCode() == -1 {
			counts["killed"]++
		} else {
			counts["finished"]++
		}
		out, err := exec.Command(bin, "reconcile", "--config", config, "--json").CombinedOutput()
		if err != nil {
			t.Fatalf("run %d: pos reconcile: %v\n%s", run, err, out)
		}
		agree(t, run, filepath.Join(dir, "pos.db"), sb)
		if n := len(sb.Orders()) - before; n > 1 {
			t.Fatalf("run %d: one charge made %d orders at the provider", run, n)
		}
	}
	t.Logf("%d runs: %v", runs, counts)
	if counts["killed"] < runs/3 {
		t.Fatalf("only %d of %d runs were killed mid-way: the test did not exercise crashes", counts["killed"], runs)
	}
}

// agree checks the journal against the sandbox after reconcile.
func agree(t *testing.T, run int, journal string, sb *sandbox.Server) {
	t.Helper()
	ctx := context.Background()
	j, err := storage.Open(ctx, journal)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	orders, err := j.Orders(ctx, storage.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	mine := map[string]payments.Order{}
	for _, o := range orders {
		mine[o.OutTradeNo] = o
		v, known := sb.Order(o.OutTradeNo)
		if !o.State.Settled() {
			t.Fatalf("run %d: %s still %s after reconcile (sandbox knows it: %v)", run, o.OutTradeNo, o.State, known)
		}
		if o.State.MoneyMoved() != (known && v.Paid) {
			t.Fatalf("run %d: %s journal %s, sandbox %+v", run, o.OutTradeNo, o.State, v)
		}
	}
	for _, v := range sb.Orders() {
		if _, ok := mine[v.OutTradeNo]; !ok && strings.HasPrefix(v.OutTradeNo, "K001") {
			t.Fatalf("run %d: the sandbox has %s and the journal lost it", run, v.OutTradeNo)
		}
	}
}
