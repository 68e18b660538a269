package storage

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"qrpos/payments"
)

const ownerChildEnv = "STORAGE_OWNER_CHILD_DB"

// ownerChild owns the journal at path and writes orders until it is killed,
// reporting its journal ID first and then each order once it is durable.
func ownerChild(path string) {
	ctx := context.Background()
	j, err := Open(ctx, path)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	fmt.Println("ready", j.ID())
	for i := 0; ; i++ {
		o, err := j.CreateOrder(ctx, NewOrder{TID: "T001", Provider: payments.Eftpay, MethodCode: "ALIPAYHK",
			Mode: payments.MPM, Amount: payments.Money{Minor: int64(100 + i), Currency: "HKD"}})
		if err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		fmt.Println("durable", o.OutTradeNo)
		time.Sleep(2 * time.Millisecond)
	}
}

// filesSum is a digest of every file in dir but the lock file: what a
// refused Open must leave exactly as it was.
func filesSum(t *testing.T, dir string) string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		if !strings.HasSuffix(e.Name(), ".lock") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s %d\n", n, len(b))
		h.Write(b)
	}
	return strings.Join(names, ",") + " " + hex.EncodeToString(h.Sum(nil))
}

// TestSecondOpenRefused: a second Open of a journal this process already
// owns is refused at once with the owner's record, writes nothing, and works
// once the first is closed.
func TestSecondOpenRefused(t *testing.T) {
	ctx := context.Background()
	dir := privateDir(t)
	path := filepath.Join(dir, "pos.db")
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	o := newSale(t, j, "ALIPAYHK", 100)
	before := filesSum(t, dir)
	start := time.Now()
	j2, err := Open(ctx, path)
	var le *LockedError
	if !errors.As(err, &le) {
		if j2 != nil {
			j2.Close()
		}
		j.Close()
		t.Fatalf("second Open = %v, want *LockedError", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("the refusal took %v: Open waited for the lock", time.Since(start))
	}
	if le.Path != path || le.PID != os.Getpid() || le.Command != ownerCommand(os.Args) ||
		time.Since(le.Since) > time.Minute || time.Since(le.Since) < -time.Second {
		t.Errorf("LockedError = %+v, want pid %d, command %q", le, os.Getpid(), ownerCommand(os.Args))
	}
	want := fmt.Sprintf("journal %s is in use by %q (pid %d) since %s: one program at a time writes a journal; stop it first, or use its local API",
		path, le.Command, os.Getpid(), le.Since.Local().Format("15:04:05"))
	if le.Since.Local().Day() == time.Now().Day() && err.Error() != want {
		t.Errorf("message:\n%s\nwant\n%s", err, want)
	}
	if after := filesSum(t, dir); after != before {
		t.Errorf("a refused Open changed the journal:\n%s\n%s", before, after)
	}
	// The owner is untouched by the refusal.
	if _, err := j.Transition(ctx, o.OutTradeNo, payments.Paid, Change{}); err != nil {
		t.Fatalf("the owner after a refused Open: %v", err)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(path + ".lock")
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("lock file: %v, %v; want mode 0600", fi, err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	j, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	defer j.Close()
	if got, err := j.Order(ctx, o.OutTradeNo); err != nil || got.State != payments.Paid {
		t.Fatalf("order after reopening: %+v, %v", got, err)
	}
}

func TestLockedErrorMessage(t *testing.T) {
	now := time.Now()
	since := time.Date(now.Year(), now.Month(), now.Day(), 15, 4, 5, 0, time.Local)
	e := &LockedError{Path: "/path/pos.db", PID: 1234, Command: "pos run", Since: since}
	want := `journal /path/pos.db is in use by "pos run" (pid 1234) since 15:04:05: one program at a time writes a journal; stop it first, or use its local API`
	if e.Error() != want {
		t.Errorf("got  %s\nwant %s", e, want)
	}
	e.Since = since.AddDate(0, 0, -3)
	if !strings.Contains(e.Error(), "since "+e.Since.Format("2006-01-02")+" 15:04:05:") {
		t.Errorf("an owner since another day: %s", e)
	}
	e = &LockedError{Path: "/path/pos.db"}
	if want := "journal /path/pos.db is in use by another program: one program at a time writes a journal; stop it first, or use its local API"; e.Error() != want {
		t.Errorf("unnamed owner: %s", e)
	}
}

func TestOwnerCommand(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"/usr/bin/pos", "run", "--demo"}, "pos run"},
		{[]string{"pos", "orders", "--search", "SECRET"}, "pos orders"},
		{[]string{"/opt/pos", "--config", "/etc/qrpos/terminal.toml", "run"}, "pos"},
		{[]string{"pos", "--pin=1234"}, "pos"},
		{[]string{"pos", "key=value"}, "pos"},
		{[]string{"/x/" + strings.Repeat("p", 300)}, strings.Repeat("p", 200)},
		{nil, "?"},
	} {
		if got := ownerCommand(c.args); got != c.want {
			t.Errorf("ownerCommand(%q) = %q, want %q", c.args, got, c.want)
		}
	}
}

// TestLockHeldByAnotherProcess: while a child process owns the journal and
// writes to it, Open is refused with the child's pid and OpenReadOnly reads
// what the child makes durable; once the child is killed, the OS frees the
// lock and Open succeeds.
func TestLockHeldByAnotherProcess(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(privateDir(t), "pos.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), ownerChildEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	lines := make(chan string, 1<<16)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	first := <-lines
	childID, ok := strings.CutPrefix(first, "ready ")
	if !ok {
		t.Fatalf("child said %q", first)
	}
	durable := map[string]bool{}
	// waitDurable reads the child's lines until n more orders are durable.
	waitDurable := func(n int) {
		t.Helper()
		for got := 0; got < n; {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatal("child stopped")
				}
				kind, no, _ := strings.Cut(l, " ")
				if kind != "durable" {
					t.Fatalf("child: %s", l)
				}
				durable[no] = true
				got++
			case <-time.After(10 * time.Second):
				t.Fatal("child wrote nothing for 10 s")
			}
		}
	}
	waitDurable(3)

	_, err = Open(ctx, path)
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("Open while the child owns the journal = %v, want *LockedError", err)
	}
	if le.PID != cmd.Process.Pid || !strings.HasPrefix(le.Command, filepath.Base(os.Args[0])) || le.Path != path {
		t.Fatalf("LockedError = %+v, want the child's pid %d", le, cmd.Process.Pid)
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("(pid %d)", cmd.Process.Pid)) {
		t.Errorf("message does not name the child: %s", err)
	}

	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatalf("OpenReadOnly while the child writes: %v", err)
	}
	if ro.ID() != childID {
		t.Errorf("read-only ID %q, the owner's %q", ro.ID(), childID)
	}
	for round := 0; round < 3; round++ {
		waitDurable(5)
		all, err := ro.Orders(ctx, Filter{})
		if err != nil {
			t.Fatalf("read while the child writes: %v", err)
		}
		seen := map[string]bool{}
		for _, o := range all {
			seen[o.OutTradeNo] = true
		}
		for no := range durable {
			if !seen[no] {
				t.Fatalf("round %d: order %s the child made durable is not visible read-only (%d seen)", round, no, len(all))
			}
		}
	}
	if _, err := ro.CreateOrder(ctx, NewOrder{TID: "T001", Provider: payments.Eftpay, MethodCode: "ALIPAYHK",
		Mode: payments.MPM, Amount: hkd(1)}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("write on a read-only journal: %v", err)
	}
	ro.Close()

	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no Close, no cleanup
		t.Fatal(err)
	}
	for l := range lines {
		if kind, no, _ := strings.Cut(l, " "); kind == "durable" {
			durable[no] = true
		}
	}
	cmd.Wait()
	killed = true
	j, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open after the owner was killed: %v", err)
	}
	defer j.Close()
	if j.ID() != childID {
		t.Errorf("ID changed from %s to %s", childID, j.ID())
	}
	for no := range durable {
		if _, err := j.Order(ctx, no); err != nil {
			t.Fatalf("order %s: %v", no, err)
		}
	}
	t.Logf("child pid %d wrote %d orders", le.PID, len(durable))
}
