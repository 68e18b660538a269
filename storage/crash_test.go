package storage

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"qrpos/payments"
)

const crashChildEnv = "STORAGE_CRASH_CHILD_DB"

// TestMain turns the test binary into TestCrashRecovery's child, or into
// the owning child of the lock tests, when the child's environment variable
// is set.
func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path)
	}
	if path := os.Getenv(ownerChildEnv); path != "" {
		ownerChild(path)
	}
	os.Exit(m.Run())
}

// crashChild writes orders in a loop and reports each step only after the
// journal call that made it durable has returned, until it is killed.
func crashChild(path string) {
	ctx := context.Background()
	j, err := Open(ctx, path)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	fmt.Println("ready")
	for i := 0; ; i++ {
		o, err := j.CreateOrder(ctx, NewOrder{TID: "T001", Provider: payments.Eftpay, MethodCode: "ALIPAYHK",
			Mode: payments.MPM, Amount: payments.Money{Minor: int64(100 + i), Currency: "HKD"}})
		if err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		fmt.Println("durable", o.OutTradeNo)
		if err := j.Append(ctx, o.OutTradeNo, Event{Kind: EventRequest, Detail: "preorder"}); err != nil {
			os.Exit(3)
		}
		if _, err := j.Transition(ctx, o.OutTradeNo, payments.Pending, Change{QRCode: "qr-" + o.OutTradeNo}); err != nil {
			os.Exit(3)
		}
		fmt.Println("pending", o.OutTradeNo)
		if i%3 == 0 {
			if _, err := j.Transition(ctx, o.OutTradeNo, payments.Paid, Change{ProviderRef: "REF"}); err != nil {
				os.Exit(3)
			}
			fmt.Println("paid", o.OutTradeNo)
		}
	}
}

// TestCrashRecovery kills a writing child with SIGKILL at random moments,
// reopens the journal after each kill and checks that nothing the child
// reported durable was lost and that no order was half written.
func TestCrashRecovery(t *testing.T) {
	const kills = 50
	path := filepath.Join(privateDir(t), "crash.db")
	reported := map[string]payments.State{} // the furthest state the child reported
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	ctx := context.Background()
	totalLines := 0
	for run := 0; run < kills; run++ {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		first, ok := <-lines
		if !ok || first != "ready" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("run %d: child said %q", run, first)
		}
		time.Sleep(time.Duration(rng.IntN(60_000)) * time.Microsecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		for l := range lines {
			totalLines++
			kind, no, _ := strings.Cut(l, " ")
			switch kind {
			case "durable":
				if _, ok := reported[no]; !ok {
					reported[no] = payments.Created
				}
			case "pending":
				reported[no] = payments.Pending
			case "paid":
				reported[no] = payments.Paid
			case "error":
				t.Fatalf("run %d: child: %s", run, l)
			}
		}
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("run %d: child ended by itself: %v", run, err)
		}
		verifyAfterCrash(t, ctx, path, reported)
	}
	t.Logf("%d kills, %d orders reported durable, %d lines", kills, len(reported), totalLines)
	if len(reported) < kills/2 {
		t.Fatalf("only %d orders written in %d runs: the test did not exercise the journal", len(reported), kills)
	}
}

func verifyAfterCrash(t *testing.T, ctx context.Context, path string, reported map[string]payments.State) {
	t.Helper()
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer j.Close()
	if v, err := j.IntegrityCheck(ctx); err != nil || v != "ok" {
		t.Fatalf("integrity_check = %q, %v", v, err)
	}
	var fkProblems int
	if err := j.db.QueryRowContext(ctx, "SELECT count(*) FROM pragma_foreign_key_check").Scan(&fkProblems); err != nil || fkProblems != 0 {
		t.Fatalf("foreign_key_check: %d problems, %v", fkProblems, err)
	}
	rank := map[payments.State]int{payments.Created: 0, payments.Pending: 1, payments.Paid: 2}
	for no, st := range reported {
		o, err := j.Order(ctx, no)
		if err != nil {
			t.Fatalf("order %s reported durable is missing: %v", no, err)
		}
		if rank[o.State] < rank[st] {
			t.Fatalf("order %s went back from %s to %s", no, st, o.State)
		}
	}
	// No half-written order: each has its created event, and its state is the
	// state its log ends in.
	rows, err := j.db.QueryContext(ctx, `SELECT o.out_trade_no, o.state,
		(SELECT count(*) FROM order_events e WHERE e.order_id = o.id AND e.kind = 'created'),
		coalesce((SELECT e.state_to FROM order_events e WHERE e.order_id = o.id AND e.state_to != '' ORDER BY e.id DESC LIMIT 1), ''),
		o.qr_code
		FROM orders o`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var no, state, last, qr string
		var created int
		if err := rows.Scan(&no, &state, &created, &last, &qr); err != nil {
			t.Fatal(err)
		}
		if created != 1 || state != last {
			t.Fatalf("order %s half written: state %s, %d created events, log ends in %q", no, state, created, last)
		}
		if state != string(payments.Created) && qr != "qr-"+no {
			t.Fatalf("order %s is %s without the QR written in the same transaction", no, state)
		}
	}
}
