package terminal

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"qrpos/payments/checkout"
	"qrpos/payments/sandbox"
)

// lockPIN enters wrong PINs at c's screen until the lock holds.
func lockPIN(t *testing.T, c *Terminal) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < checkout.MaxPINTries; i++ {
		if _, err := c.CheckPIN(ctx, "9999", "settings"); err != nil {
			t.Fatal(err)
		}
	}
	if l, err := c.PINLock(ctx); err != nil || l.Left(time.Now()) == 0 {
		t.Fatalf("not locked: %+v %v", l, err)
	}
}

// newestAudit is c's newest audit entry.
func newestAudit(t *testing.T, c *Terminal) (actor, action, detail string) {
	t.Helper()
	es, err := c.Journal().AuditLog(context.Background(), c.Profile().TID, 1)
	if err != nil || len(es) != 1 {
		t.Fatalf("audit log: %v %v", es, err)
	}
	return es[0].Actor, es[0].Action, es[0].Detail
}

// TestClearPINLock: the till (or the command line) clears the lock, which
// is audited, and the right PIN then works at once. A terminal without an
// api_token offers no clearing at the screen.
func TestClearPINLock(t *testing.T) {
	c, _ := openDemoCore(t)
	ctx := context.Background()
	if c.CanClearPINLockAtScreen() {
		t.Fatal("the demo has no API token, yet the screen may clear the lock")
	}
	lockPIN(t, c)
	if err := c.ClearPINLockWithToken(ctx, ""); !errors.Is(err, ErrNoAPIToken) {
		t.Fatalf("clearing at the screen without a token: %v", err)
	}
	if err := c.ClearPINLock(ctx, "till"); err != nil {
		t.Fatal(err)
	}
	if actor, action, _ := newestAudit(t, c); actor != "till" || action != checkout.AuditPINCleared {
		t.Fatalf("audited %s %s", actor, action)
	}
	if r, err := c.CheckPIN(ctx, DefaultDemoPIN, "settings"); err != nil || !r.OK {
		t.Fatalf("right PIN after clearing: %+v %v", r, err)
	}
}

// TestClearPINLockWithToken: at the screen the lock clears only with the
// terminal's api_token; a wrong token is audited and clears nothing.
func TestClearPINLockWithToken(t *testing.T) {
	sb := sandbox.New(sandbox.Config{Logger: quiet})
	defer sb.Close()
	srv := httptest.NewServer(sb.Handler())
	defer srv.Close()
	config := writeConfig(t, srv.URL)
	const token = "tok-0123456789abcdefghijklmnop"
	b, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(config, append([]byte("api_token = \""+token+"\"\n"), b...), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, err := Open(ctx, Options{ConfigPath: config, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.SetPIN(ctx, "2468"); err != nil {
		t.Fatal(err)
	}
	if !c.CanClearPINLockAtScreen() {
		t.Fatal("a terminal with an API token offers no clearing at the screen")
	}
	lockPIN(t, c)
	if err := c.ClearPINLockWithToken(ctx, token[:len(token)-1]+"X"); !errors.Is(err, ErrWrongAPIToken) {
		t.Fatalf("wrong token: %v", err)
	}
	if _, action, _ := newestAudit(t, c); action != "pin_lock_clear_refused" {
		t.Fatalf("wrong token audited as %q", action)
	}
	if l, _ := c.PINLock(ctx); l.Left(time.Now()) == 0 {
		t.Fatal("a wrong token cleared the lock")
	}
	if err := c.ClearPINLockWithToken(ctx, token); err != nil {
		t.Fatal(err)
	}
	if actor, action, detail := newestAudit(t, c); actor != "manager" || action != checkout.AuditPINCleared || detail == "" {
		t.Fatalf("audited %s %s %q", actor, action, detail)
	}
	if r, err := c.CheckPIN(ctx, "2468", "settings"); err != nil || !r.OK {
		t.Fatalf("right PIN after clearing: %+v %v", r, err)
	}
}
