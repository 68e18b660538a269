package hqtest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"qrpos/payments/checkout"
	"qrpos/payments/sandbox"
	"qrpos/terminal"
)

// Terminal is a real terminal (its journal, engine and uploader) for a
// head-office test: its providers at a sandbox, its head office at HQ.
type Terminal struct {
	TID, Store string
	Sandbox    string // the sandbox's base URL
	AppCode    string // QFPay's app code (default the sandbox's demo one)
	Eftpay     bool   // eftPay too, not only QFPay
	NotifyURL  string // the profile's notify_url, if any
	HQ, Token  string // head office's URL and the terminal's token ("": none)
	Tune       func(*checkout.Config)
	// Dir holds the profile and the journal (default: a new private
	// directory). The same Dir again opens the same journal.
	Dir string
}

// OpenTerminal writes tm's profile (mode 0600, in a private directory of
// the test's) and opens the terminal, closed when the test ends. Starting
// its link to head office is the test's: StartHQ or StartRelay.
func OpenTerminal(t testing.TB, tm Terminal) *terminal.Terminal {
	t.Helper()
	if tm.AppCode == "" {
		tm.AppCode = sandbox.DemoQFPayAppCode
	}
	dir := tm.Dir
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf("tid = %q\nstore_name = %q\njournal = \"pos.db\"\nnotify_url = %q\n"+
		"[qfpay]\nbase_url = %q\napp_code = %q\nclient_key = %q\n",
		tm.TID, tm.Store, tm.NotifyURL, tm.Sandbox, tm.AppCode, sandbox.DemoQFPayKey)
	if tm.Eftpay {
		cfg += fmt.Sprintf("[eftpay]\nbase_url = %q\nuser_confirm_key = %q\nsecret = %q\n",
			tm.Sandbox+"/VMP", sandbox.DemoEftpayUser, sandbox.DemoEftpaySecret)
	}
	if tm.HQ != "" {
		cfg += fmt.Sprintf("[hq]\nurl = %q\ntoken = %q\n", tm.HQ, tm.Token)
	}
	path := filepath.Join(dir, "terminal.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := terminal.Open(context.Background(), terminal.Options{ConfigPath: path,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Tune: tm.Tune})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}
