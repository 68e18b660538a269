package checkout

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"qrpos/payments"
)

const hqToken = "hqt_Q2hhaW5Ub2tlbkZvclRlcm1pbmFsVDAwMQxyz0123456"

// TestHQProfileSection: [hq] url and token load from the file; the token is
// a secret (never in the journal, masked in Redacted, back from the file
// after a restart); a profile without [hq] loads and is stored as before.
func TestHQProfileSection(t *testing.T) {
	ctx := context.Background()
	j, jpath := openTestJournal(t)
	cfg := writeConfig(t, sampleTOML+"[hq]\nurl = \"https://hq.example.com/chain/\"\ntoken = \""+hqToken+"\"\n", 0o600)
	file, err := LoadProfileFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if file.HQ.URL != "https://hq.example.com/chain/" || file.HQ.Token != hqToken ||
		file.HQIngestURL("/ingest/v1/batch") != "https://hq.example.com/chain/ingest/v1/batch" {
		t.Fatalf("hq %+v", file.Redacted().HQ)
	}
	if r := file.Redacted(); strings.Contains(r.HQ.Token, hqToken[8:]) || r.HQ.Token == "" {
		t.Fatalf("redacted token %q", r.HQ.Token)
	}
	p, err := SyncProfile(ctx, j, file)
	if err != nil || p.HQ.Token != hqToken {
		t.Fatalf("running profile's token %q, %v", p.Redacted().HQ.Token, err)
	}
	stored := storedJSON(t, j, "T001")
	if strings.Contains(stored, hqToken) || !strings.Contains(stored, `"hq":{"url":"https://hq.example.com/chain/","token":""}`) {
		t.Fatalf("journal's profile: %s", stored)
	}
	// A manager's edit is saved; the restart takes the token from the file.
	p.StoreName = "Edited"
	if err := SaveProfile(ctx, j, p); err != nil {
		t.Fatal(err)
	}
	again, err := SyncProfile(ctx, j, file)
	if err != nil || again.StoreName != "Edited" || again.HQ.Token != hqToken {
		t.Fatalf("after a restart: %+v, %v", again.Redacted(), err)
	}
	j.Close()
	for _, f := range []string{jpath, jpath + "-wal"} {
		if b, err := os.ReadFile(f); err == nil && strings.Contains(string(b), hqToken) {
			t.Fatalf("%s holds the hq token", f)
		}
	}

	// A profile from before [hq] existed is stored exactly as before.
	old, err := LoadProfileFile(writeConfig(t, sampleTOML, 0o600))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(old.withoutSecrets())
	if strings.Contains(string(b), `"hq"`) || old.HQ != (HQProfile{}) {
		t.Fatalf("a profile without [hq]: %s", b)
	}
}

// TestHQProfileRefusals: the url must be https, or http to this machine;
// a url needs its token and a token its url; the token is printable.
func TestHQProfileRefusals(t *testing.T) {
	for _, c := range []struct {
		url, token, want string
	}{
		{"https://hq.example.com", hqToken, ""},
		{"https://hq.example.com:8443/x", hqToken, ""},
		{"http://127.0.0.1:8080", hqToken, ""},
		{"http://localhost:8080", hqToken, ""},
		{"http://[::1]:8080", hqToken, ""},
		{"", "", ""},
		{"http://hq.example.com", hqToken, "http:// only to this machine"},
		{"http://10.0.0.5:8080", hqToken, "http:// only to this machine"},
		{"ftp://hq.example.com", hqToken, "use https://"},
		{"https://user:pw@hq.example.com", hqToken, "use https://host"},
		{"https://hq.example.com/?t=1", hqToken, "use https://host"},
		{"hq.example.com", hqToken, "use https://host"},
		{"https://hq.example.com", "", "needs token"},
		{"", hqToken, "needs url"},
		{"https://hq.example.com", "short", "characters"},
		{"https://hq.example.com", strings.Repeat("a", 30) + " b", "printable"},
	} {
		body := sampleTOML + "[hq]\nurl = \"" + c.url + "\"\ntoken = \"" + c.token + "\"\n"
		_, err := LoadProfileFile(writeConfig(t, body, 0o600))
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("url %q token %q: %v, want %q", c.url, c.token, err, c.want)
		}
		if err != nil && c.token != "" && strings.Contains(err.Error(), c.token) {
			t.Errorf("the error shows the token: %v", err)
		}
	}
}

// TestProfileFromHQ: head office's profile (no secrets) keeps the
// terminal's secrets, its [hq] section, journal and PIN; one for another
// terminal or one that does not validate is refused.
func TestProfileFromHQ(t *testing.T) {
	top := "api_listen = \"127.0.0.1:8787\"\napi_token = \"abcdefghijklmnopqrstuvwxyz\"\nmanager_pin_hash = \"pinhash\"\n"
	cur, err := LoadProfileFile(writeConfig(t, top+sampleTOML+"[hq]\nurl = \"https://hq.example.com\"\ntoken = \""+hqToken+"\"\n", 0o600))
	if err != nil {
		t.Fatal(err)
	}
	edited := cur.withoutSecrets()
	edited.StoreName, edited.ReceiptFooter, edited.ManagerPIN = "Head office's name", "Thank you", ""
	edited.HQ = HQProfile{URL: "https://elsewhere.example.com"}
	edited.Journal = "/tmp/other.db"
	b, _ := json.Marshal(edited)
	p, err := ProfileFromHQ(cur, b)
	if err != nil {
		t.Fatal(err)
	}
	if p.StoreName != "Head office's name" || p.ReceiptFooter != "Thank you" || p.HQ != cur.HQ || p.Journal != cur.Journal ||
		p.ManagerPIN != "pinhash" || p.APIToken != cur.APIToken || p.ConfigPath != cur.ConfigPath || p.SeedHash != cur.SeedHash ||
		p.Setting(payments.Eftpay, "secret") != "testsignkey1234" || p.Setting(payments.QFPay, "client_key") != "CLIENTKEY12345" {
		t.Fatalf("from head office: %+v", p.Redacted())
	}
	other := edited
	other.TID = "T002"
	b, _ = json.Marshal(other)
	if _, err := ProfileFromHQ(cur, b); err == nil || !strings.Contains(err.Error(), `"T002"`) {
		t.Fatalf("another terminal's profile: %v", err)
	}
	bad := edited
	bad.OrderTimeout = 5
	b, _ = json.Marshal(bad)
	if _, err := ProfileFromHQ(cur, b); err == nil || !strings.Contains(err.Error(), "order_timeout") {
		t.Fatalf("an invalid profile: %v", err)
	}
	if _, err := ProfileFromHQ(cur, []byte("not json")); err == nil {
		t.Fatal("not JSON accepted")
	}
}
