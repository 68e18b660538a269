package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"qrpos/hq/pgtest"
	"qrpos/hq/wire"
	"qrpos/payments/sandbox"
)

// TestHeadOfficeMerchants: `pos hq --merchants FILE` refuses a file others
// may read and one it cannot use, naming the problem and never a key; with
// a good file it serves the merchant's notification endpoint, which
// refuses a notification the merchant's key does not verify; interrupted,
// it ends the terminals' streams and stops at once.
func TestHeadOfficeMerchants(t *testing.T) {
	db := pgtest.DB(t)
	path := filepath.Join(t.TempDir(), "merchants.toml")
	file := "[merchant.central]\nprovider = \"qfpay\"\nbase_url = \"https://test-openapi-hk.qfapi.com\"\napp_code = \"" +
		sandbox.DemoQFPayAppCode + "\"\nclient_key = \"" + sandbox.DemoQFPayKey + "\"\n"
	run := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := dispatch(context.Background(), append([]string{"hq", "--db", db, "--listen", "127.0.0.1:0"}, args...), &out, &errOut)
		return code, errOut.String()
	}
	os.WriteFile(path, []byte(file), 0o644)
	if code, stderr := run("--merchants", path); code != 2 || !strings.Contains(stderr, "chmod 600") {
		t.Fatalf("a file others read: exit %d, %q", code, stderr)
	}
	os.Chmod(path, 0o600)
	os.WriteFile(path, []byte(strings.Replace(file, "qfpay", "paypal", 1)), 0o600)
	if code, stderr := run("--merchants", path); code != 2 || !strings.Contains(stderr, `provider "paypal" is not known`) || strings.Contains(stderr, sandbox.DemoQFPayKey) {
		t.Fatalf("an unknown provider: exit %d, %q", code, stderr)
	}
	os.WriteFile(path, []byte(file), 0o600)
	ctx, stop := context.WithCancel(context.Background())
	started := &firstLine{line: make(chan string, 1)}
	served := make(chan int)
	go func() {
		served <- dispatch(ctx, []string{"hq", "--db", db, "--listen", "127.0.0.1:0", "--merchants", path, "--reconcile-at", "off"}, started, &bytes.Buffer{})
	}()
	base := strings.TrimPrefix(<-started.line, "head office on ")
	req, _ := http.NewRequest(http.MethodPost, base+"/notify/central/qfpay", strings.NewReader(`{"notify_type":"payment"}`))
	req.Header.Set("X-QF-SIGN", strings.Repeat("0", 32))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a forged notification: %d", resp.StatusCode)
	}
	code, token, _ := runOut(t, "hq", "enrol", "--db", db, "--tid", "T001", "--store", "Central")
	if code != 0 {
		t.Fatalf("enrol: %d", code)
	}
	req, _ = http.NewRequest(http.MethodGet, base+wire.RelayStreamPath, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	stream, err := http.DefaultClient.Do(req)
	if err != nil || stream.StatusCode != http.StatusOK {
		t.Fatalf("a terminal's stream: %v %v", stream, err)
	}
	defer stream.Body.Close()
	stop() // with the stream open: it ends, and pos hq with it
	if code := <-served; code != 0 {
		t.Fatalf("pos hq ended with %d", code)
	}
	if rest, err := io.ReadAll(stream.Body); err != nil || !strings.HasPrefix(string(rest), ": T001") {
		t.Fatalf("the stream ended with %q, %v", rest, err)
	}
	if out := started.buf.String(); !strings.Contains(out, "merchant central (qfpay): its terminals' notify_url is head office's public address + /notify/central") {
		t.Fatalf("pos hq printed %q", out)
	}
}

// runOut runs a command and returns its exit code, stdout (trimmed) and
// stderr.
func runOut(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := dispatch(context.Background(), args, &out, &errOut)
	return code, strings.TrimSpace(out.String()), errOut.String()
}
