package checkout

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"qrpos/payments"
	"qrpos/storage"
)

const sampleTOML = `tid = "T001"
store_name = "陳記茶餐廳"
currency = "HKD"
journal = "pos.db"
notify_listen = ""
notify_url = ""
methods = ["eftpay:ALIPAYHK", "qfpay:800008"]
[eftpay]
base_url = "https://vmp.eftpay.com.cn/VMP"
user_confirm_key = "S0000001"
secret = "testsignkey1234"
[qfpay]
base_url = "https://test-openapi-hk.qfapi.com"
app_code = "APPCODE"
client_key = "CLIENTKEY12345"
mchid = ""
[printer]
width = 42
encoding = "big5"
`

func writeConfig(t *testing.T, body string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "terminal.toml")
	if err := os.WriteFile(path, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadProfileFile(t *testing.T) {
	p, err := LoadProfileFile(writeConfig(t, sampleTOML, 0o600))
	if err != nil {
		t.Fatal(err)
	}
	if p.TID != "T001" || p.StoreName != "陳記茶餐廳" || p.OrderTimeout != 120 || p.Printer.Width != 42 || p.SeedHash == "" {
		t.Fatalf("profile = %+v", p)
	}
	if !p.EftpayConfigured() || !p.QFPayConfigured() {
		t.Fatal("providers not configured")
	}
	offered := p.Offered()
	if len(offered) != 2 || offered[0].ID() != "eftpay:ALIPAYHK" || offered[1].ID() != "qfpay:800008" {
		t.Fatalf("offered = %v", offered)
	}
	red := p.Redacted()
	if strings.Contains(red.Eftpay.Secret, "testsign") || strings.Contains(red.QFPay.ClientKey, "CLIENTKEY") || !strings.HasSuffix(red.QFPay.ClientKey, "2345") {
		t.Fatalf("redacted = %+v", red)
	}
}

func TestLoadProfileFileRefusals(t *testing.T) {
	var ce *ConfigError
	_, err := LoadProfileFile(writeConfig(t, sampleTOML, 0o644))
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable config: %v", err)
	}
	for name, body := range map[string]string{
		"unknown key":  sampleTOML + "\nsecret_typo = 1\n",
		"bad tid":      strings.Replace(sampleTOML, `"T001"`, `"T-001"`, 1),
		"bad currency": strings.Replace(sampleTOML, `"HKD"`, `"XYZ"`, 1),
		"bad method":   strings.Replace(sampleTOML, `"qfpay:800008"`, `"qfpay:123"`, 1),
		"bad width":    strings.Replace(sampleTOML, "width = 42", "width = 40", 1),
		"not toml":     "tid = [",
	} {
		if _, err := LoadProfileFile(writeConfig(t, body, 0o600)); !errors.As(err, &ce) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := LoadProfileFile(filepath.Join(t.TempDir(), "missing.toml")); !errors.As(err, &ce) {
		t.Errorf("missing file: %v", err)
	}
}

func TestSyncProfileSeedsThenKeepsManagerEdits(t *testing.T) {
	ctx := context.Background()
	j, err := storage.Open(ctx, filepath.Join(t.TempDir(), "pos.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	path := writeConfig(t, sampleTOML, 0o600)
	file, _ := LoadProfileFile(path)
	p, err := SyncProfile(ctx, j, file)
	if err != nil || p.StoreName != "陳記茶餐廳" {
		t.Fatalf("seed: %+v, %v", p, err)
	}
	// The manager renames the store on the terminal and sets a PIN.
	p.StoreName, p.ManagerPIN = "New Name", "hash"
	if err := SaveProfile(ctx, j, p); err != nil {
		t.Fatal(err)
	}
	p, _ = SyncProfile(ctx, j, file)
	if p.StoreName != "New Name" {
		t.Fatalf("unchanged file overwrote the manager's edit: %q", p.StoreName)
	}
	// IT ships a new file: it wins, the PIN stays.
	os.WriteFile(path, []byte(strings.Replace(sampleTOML, "陳記茶餐廳", "Shop B", 1)), 0o600)
	file2, err := LoadProfileFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, _ = SyncProfile(ctx, j, file2)
	if p.StoreName != "Shop B" || p.ManagerPIN != "hash" {
		t.Fatalf("new file: %+v", p)
	}
	stored, _ := LoadProfile(ctx, j, "T001")
	if stored.StoreName != "Shop B" {
		t.Fatalf("journal has %q", stored.StoreName)
	}
	cfg := p.EngineConfig()
	if cfg.TID != "T001" || cfg.Currency != payments.Currency("HKD") {
		t.Fatalf("engine config = %+v", cfg)
	}
}
