package checkout

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"qrpos/payments"
)

const (
	fileAPIToken = "till-token-FILE-0123456789abcdef"
	newAPIToken  = "till-token-NEW-fedcba9876543210"
)

var apiTOML = strings.Replace(sampleTOML, `notify_url = ""`, `notify_url = ""
api_listen = "0.0.0.0:8787"
api_token = "`+fileAPIToken+`"`, 1)

// TestAPITokenNeverInJournal: the local API's token is a secret like the
// providers': the terminal runs with it, the journal (table and files)
// never holds it, a new one is written back to the file in place, and
// neither changes the seed hash.
func TestAPITokenNeverInJournal(t *testing.T) {
	ctx := context.Background()
	j, jpath := openTestJournal(t)
	cfg := writeConfig(t, apiTOML, 0o600)
	file, err := LoadProfileFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if file.APIListen != "0.0.0.0:8787" || file.APIToken != fileAPIToken {
		t.Fatalf("file: %+v", file.Redacted())
	}
	if red := file.Redacted(); strings.Contains(red.APIToken, "FILE") || red.APIToken == "" {
		t.Fatalf("redacted token %q", red.APIToken)
	}
	p, err := SyncProfile(ctx, j, file)
	if err != nil {
		t.Fatal(err)
	}
	if p.APIToken != fileAPIToken || p.APIListen != "0.0.0.0:8787" {
		t.Fatalf("the terminal runs without the file's token: %+v", p.Redacted())
	}
	noToken := func(where, s string) {
		t.Helper()
		for _, tok := range []string{fileAPIToken, newAPIToken} {
			if strings.Contains(s, tok) {
				t.Fatalf("%s holds the API token %q", where, tok)
			}
		}
	}
	noToken("profiles table after seeding", storedJSON(t, j, "T001"))
	if lp, _ := LoadProfile(ctx, j, "T001"); lp.APIToken != "" || lp.APIListen != "0.0.0.0:8787" {
		t.Fatalf("LoadProfile: %+v", lp.Redacted())
	}

	// A new token (as Settings would save it) goes to the file, in place.
	p.APIToken = newAPIToken
	if err := SaveProfile(ctx, j, p); err != nil {
		t.Fatal(err)
	}
	noToken("profiles table after a save", storedJSON(t, j, "T001"))
	b, _ := os.ReadFile(cfg)
	if want := strings.Replace(apiTOML, fileAPIToken, newAPIToken, 1); string(b) != want {
		t.Fatalf("config file:\n%s\nwant:\n%s", b, want)
	}
	file2, err := LoadProfileFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if file2.SeedHash != file.SeedHash {
		t.Fatal("writing the token back changed the seed hash")
	}
	if p2, _ := SyncProfile(ctx, j, file2); p2.APIToken != newAPIToken {
		t.Fatalf("after a restart: %+v", p2.Redacted())
	}
	for _, f := range []string{jpath, jpath + "-wal"} {
		if b, err := os.ReadFile(f); err == nil {
			noToken(f, string(b))
		}
	}
	j.Close()
	if b, err := os.ReadFile(jpath); err == nil {
		noToken(jpath+" after close", string(b))
	}
}

// TestAPITokenAddedToAFileWithoutOne: the token goes among the top-level
// keys, before the first table, and the file still reads the same.
func TestAPITokenAddedToAFileWithoutOne(t *testing.T) {
	cfg := writeConfig(t, sampleTOML, 0o600)
	before, err := LoadProfileFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := SaveSecrets(cfg, map[string]string{"api_token": newAPIToken}); err != nil {
		t.Fatal(err)
	}
	after, err := LoadProfileFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if after.APIToken != newAPIToken || after.Setting(payments.Eftpay, "secret") != fileEftSecret || after.SeedHash != before.SeedHash {
		t.Fatalf("after: %+v", after.Redacted())
	}
	b, _ := os.ReadFile(cfg)
	if i, k := strings.Index(string(b), "api_token"), strings.Index(string(b), "[eftpay]"); i < 0 || i > k {
		t.Fatalf("token not among the top-level keys:\n%s", b)
	}
	// A file of tables only, and one whose last line has no line end.
	for _, body := range []string{"[printer]\nwidth = 42\n", "tid = \"T001\""} {
		cfg := writeConfig(t, body, 0o600)
		if err := SaveSecrets(cfg, map[string]string{"api_token": newAPIToken}); err != nil {
			t.Fatalf("%q: %v", body, err)
		}
		b, _ := os.ReadFile(cfg)
		if !strings.Contains(string(b), `api_token = "`+newAPIToken+`"`) {
			t.Fatalf("%q became:\n%s", body, b)
		}
	}
}

func TestAPIProfileRefusals(t *testing.T) {
	var ce *ConfigError
	for name, body := range map[string]string{
		"listener without token": strings.Replace(apiTOML, `api_token = "`+fileAPIToken+`"`, "", 1),
		"short token":            strings.Replace(apiTOML, fileAPIToken, "short-token-123", 1),
		"token with a space":     strings.Replace(apiTOML, fileAPIToken, "till token 0123456789abcdef", 1),
		"listen without port":    strings.Replace(apiTOML, "0.0.0.0:8787", "8787", 1),
		"listen port too high":   strings.Replace(apiTOML, "0.0.0.0:8787", "0.0.0.0:99999", 1),
		"listen named port":      strings.Replace(apiTOML, "0.0.0.0:8787", "0.0.0.0:http", 1),
		"api_refunds not bool":   strings.Replace(apiTOML, "api_listen =", "api_refunds = \"yes\"\napi_listen =", 1),
	} {
		_, err := LoadProfileFile(writeConfig(t, body, 0o600))
		if !errors.As(err, &ce) {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if strings.Contains(err.Error(), fileAPIToken) || strings.Contains(err.Error(), "short-token") {
			t.Errorf("%s: the error shows the token: %v", name, err)
		}
	}
	// Socket only: no token needed.
	socketOnly := strings.Replace(strings.Replace(apiTOML, `api_token = "`+fileAPIToken+`"`, "", 1), "0.0.0.0:8787", "", 1)
	if p, err := LoadProfileFile(writeConfig(t, socketOnly, 0o600)); err != nil || p.APIListen != "" {
		t.Fatalf("socket only: %+v, %v", p.Redacted(), err)
	}
	if p, err := LoadProfileFile(writeConfig(t, strings.Replace(apiTOML, "api_listen =", "api_refunds = true\napi_listen =", 1), 0o600)); err != nil || !p.APIRefunds {
		t.Fatalf("api_refunds: %+v, %v", p.Redacted(), err)
	}
}
