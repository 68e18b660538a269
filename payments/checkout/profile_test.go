package checkout

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
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
	if !p.Configured(payments.Eftpay) || !p.Configured(payments.QFPay) {
		t.Fatal("providers not configured")
	}
	offered := p.Offered()
	if len(offered) != 2 || offered[0].ID() != "eftpay:ALIPAYHK" || offered[1].ID() != "qfpay:800008" {
		t.Fatalf("offered = %v", offered)
	}
	red := p.Redacted()
	if strings.Contains(red.Setting(payments.Eftpay, "secret"), "testsign") || strings.Contains(red.Setting(payments.QFPay, "client_key"), "CLIENTKEY") || !strings.HasSuffix(red.Setting(payments.QFPay, "client_key"), "2345") {
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
	// A secret pasted without quotes: the error (printed by pos) says where,
	// not what.
	_, err = LoadProfileFile(writeConfig(t, strings.Replace(sampleTOML, `"CLIENTKEY12345"`, "CLIENTKEYABCDEF", 1), 0o600))
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "line 15") || strings.Contains(err.Error(), "CLIENTKEY") {
		t.Errorf("unquoted secret: %v", err)
	}
}

func TestSyncProfileSeedsThenKeepsManagerEdits(t *testing.T) {
	ctx := context.Background()
	j, err := storage.Open(ctx, filepath.Join(privateDir(t), "pos.db"))
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

// The secrets of sampleTOML, and new ones a manager types on the terminal.
const (
	fileEftSecret = "testsignkey1234"
	fileQFKey     = "CLIENTKEY12345"
	newEftSecret  = "NEWSECRET-eft-9876"
	newQFKey      = "NEWKEY-qf-5432"
)

var allSecrets = []string{fileEftSecret, fileQFKey, newEftSecret, newQFKey}

func openTestJournal(t *testing.T) (*storage.Journal, string) {
	t.Helper()
	path := filepath.Join(privateDir(t), "pos.db") // privateDir: rig_test.go
	j, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j, path
}

// storedJSON is the profiles table's row for tid, as stored.
func storedJSON(t *testing.T, j *storage.Journal, tid string) string {
	t.Helper()
	b, _, err := j.Profile(context.Background(), tid)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// assertNoSecrets fails if any of the secrets is in s.
func assertNoSecrets(t *testing.T, where, s string) {
	t.Helper()
	for _, sec := range allSecrets {
		if strings.Contains(s, sec) {
			t.Fatalf("%s holds the secret %q", where, sec)
		}
	}
}

// assertNoSecretsOnDisk greps the journal's files (database, -wal) for the
// secrets.
func assertNoSecretsOnDisk(t *testing.T, journal string) {
	t.Helper()
	for _, f := range []string{journal, journal + "-wal"} {
		b, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		assertNoSecrets(t, f, string(b))
	}
}

// TestProfileSecretNeverInJournal: seeding, a manager's edit of the store
// and of both secrets, a PIN change and a restart: the terminal runs with
// the secrets, the journal (table and files) never holds one, the file does.
func TestProfileSecretNeverInJournal(t *testing.T) {
	ctx := context.Background()
	j, jpath := openTestJournal(t)
	cfg := writeConfig(t, sampleTOML, 0o600)
	file, err := LoadProfileFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p, err := SyncProfile(ctx, j, file)
	if err != nil {
		t.Fatal(err)
	}
	if p.Setting(payments.Eftpay, "secret") != fileEftSecret || p.Setting(payments.QFPay, "client_key") != fileQFKey || !p.Configured(payments.Eftpay) || !p.Configured(payments.QFPay) {
		t.Fatalf("the terminal runs without the file's secrets: %+v", p.Redacted())
	}
	assertNoSecrets(t, "profiles table after seeding", storedJSON(t, j, "T001"))
	if lp, _ := LoadProfile(ctx, j, "T001"); lp.Setting(payments.Eftpay, "secret") != "" || lp.Setting(payments.QFPay, "client_key") != "" || lp.Setting(payments.Eftpay, "user_confirm_key") != "S0000001" {
		t.Fatalf("LoadProfile: %+v", lp)
	}

	// The manager renames the store and types both new secrets (Settings).
	p.StoreName = "New Name"
	p.Set(payments.Eftpay, "secret", newEftSecret)
	p.Set(payments.QFPay, "client_key", newQFKey)
	if err := SaveProfile(ctx, j, p); err != nil {
		t.Fatal(err)
	}
	assertNoSecrets(t, "profiles table after a manager's edit", storedJSON(t, j, "T001"))
	// ... and changes the PIN (the PIN screen saves the profile it runs with).
	p.ManagerPIN = "hash"
	if err := SaveProfile(ctx, j, p); err != nil {
		t.Fatal(err)
	}
	assertNoSecretsOnDisk(t, jpath)

	// The file has the new secrets, still 0600; a restart runs with them
	// and keeps the manager's edits (writing the secrets did not re-seed).
	b, _ := os.ReadFile(cfg)
	if !strings.Contains(string(b), newEftSecret) || !strings.Contains(string(b), newQFKey) || strings.Contains(string(b), fileEftSecret) {
		t.Fatalf("config file:\n%s", b)
	}
	if runtime.GOOS != "windows" {
		if fi, _ := os.Stat(cfg); fi.Mode().Perm() != 0o600 {
			t.Fatalf("config mode %04o", fi.Mode().Perm())
		}
	}
	file2, err := LoadProfileFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if file2.SeedHash != file.SeedHash {
		t.Fatal("writing the secrets back changed the seed hash")
	}
	p2, err := SyncProfile(ctx, j, file2)
	if err != nil {
		t.Fatal(err)
	}
	if p2.StoreName != "New Name" || p2.ManagerPIN != "hash" || p2.Setting(payments.Eftpay, "secret") != newEftSecret || p2.Setting(payments.QFPay, "client_key") != newQFKey {
		t.Fatalf("after a restart: %+v", p2.Redacted())
	}

	// Leaving a secret empty keeps it (the Settings screen never sends an
	// empty one, but a profile read from the journal has none).
	lp, _ := LoadProfile(ctx, j, "T001")
	lp.ConfigPath = cfg
	if err := SaveProfile(ctx, j, lp); err != nil {
		t.Fatal(err)
	}
	if f, _ := LoadProfileFile(cfg); f.Setting(payments.Eftpay, "secret") != newEftSecret || f.Setting(payments.QFPay, "client_key") != newQFKey {
		t.Fatalf("an empty secret erased the file's: %+v", f.Redacted())
	}
	assertNoSecretsOnDisk(t, jpath)
	j.Close()
	assertNoSecretsOnDisk(t, jpath) // checkpointed into the database file on close
}

// TestSyncProfileMigratesLegacySecrets: a journal written before secrets
// left it holds them and a seed hash of every byte of the file. The first
// sync takes them out, writes a secret the manager had changed to the file,
// and does not re-seed over the manager's edits.
func TestSyncProfileMigratesLegacySecrets(t *testing.T) {
	ctx := context.Background()
	j, jpath := openTestJournal(t)
	cfg := writeConfig(t, sampleTOML, 0o600)
	file, err := LoadProfileFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	legacy := file
	legacy.SeedHash = file.legacySeedHash
	legacy.StoreName = "Manager's Name"
	legacy.Set(payments.Eftpay, "secret", newEftSecret) // the manager changed it on the terminal, the file has the old one
	b, _ := json.Marshal(legacy)
	if err := j.SaveProfile(ctx, "T001", b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(storedJSON(t, j, "T001"), newEftSecret) || !strings.Contains(storedJSON(t, j, "T001"), fileQFKey) {
		t.Fatal("the legacy journal has no secrets to migrate")
	}
	p, err := SyncProfile(ctx, j, file)
	if err != nil {
		t.Fatal(err)
	}
	if p.StoreName != "Manager's Name" || p.Setting(payments.Eftpay, "secret") != newEftSecret || p.Setting(payments.QFPay, "client_key") != fileQFKey {
		t.Fatalf("migrated: %+v", p.Redacted())
	}
	raw := storedJSON(t, j, "T001")
	assertNoSecrets(t, "profiles table after the migration", raw)
	// Nor in the file's free pages or its -wal: the journal was scrubbed.
	assertNoSecretsOnDisk(t, jpath)
	if !strings.Contains(raw, file.SeedHash) {
		t.Fatalf("seed hash not brought up to date: %s", raw)
	}
	f2, err := LoadProfileFile(cfg)
	if err != nil || f2.Setting(payments.Eftpay, "secret") != newEftSecret || f2.Setting(payments.QFPay, "client_key") != fileQFKey {
		t.Fatalf("the manager's secret did not reach the file: %+v, %v", f2.Redacted(), err)
	}
	if p, _ := SyncProfile(ctx, j, f2); p.StoreName != "Manager's Name" || p.Setting(payments.Eftpay, "secret") != newEftSecret {
		t.Fatalf("second start: %+v", p.Redacted())
	}

	// A legacy journal seeded from another file: the file wins, secrets go.
	j2, _ := openTestJournal(t)
	legacy.SeedHash = "0000"
	b, _ = json.Marshal(legacy)
	j2.SaveProfile(ctx, "T001", b)
	p, err = SyncProfile(ctx, j2, f2)
	if err != nil || p.StoreName != "陳記茶餐廳" {
		t.Fatalf("re-seed: %+v, %v", p.Redacted(), err)
	}
	assertNoSecrets(t, "profiles table after a re-seed", storedJSON(t, j2, "T001"))
}

// TestProfileFileEditedByITReseedsOnce: IT's change of a setting re-seeds
// the journal once; a change of comments or of a secret alone does not, and
// the new secret is used all the same.
func TestProfileFileEditedByITReseedsOnce(t *testing.T) {
	ctx := context.Background()
	j, _ := openTestJournal(t)
	cfg := writeConfig(t, sampleTOML, 0o600)
	file, _ := LoadProfileFile(cfg)
	p, _ := SyncProfile(ctx, j, file)
	p.StoreName = "Manager's Name"
	p.Set(payments.Eftpay, "secret", newEftSecret)
	if err := SaveProfile(ctx, j, p); err != nil {
		t.Fatal(err)
	}
	restart := func() Profile {
		t.Helper()
		f, err := LoadProfileFile(cfg)
		if err != nil {
			t.Fatal(err)
		}
		p, err := SyncProfile(ctx, j, f)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	edit := func(old, new string) {
		t.Helper()
		b, _ := os.ReadFile(cfg)
		if !strings.Contains(string(b), old) {
			t.Fatalf("%q not in the file", old)
		}
		if err := os.WriteFile(cfg, []byte(strings.Replace(string(b), old, new, 1)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// IT changes a comment and the QFPay key: no re-seed, the new key is used.
	edit("[qfpay]\n", "# QFPay, renewed by IT\n[qfpay]\n")
	edit(fileQFKey, newQFKey)
	if p := restart(); p.StoreName != "Manager's Name" || p.Setting(payments.QFPay, "client_key") != newQFKey || p.Setting(payments.Eftpay, "secret") != newEftSecret {
		t.Fatalf("comment and key change: %+v", p.Redacted())
	}
	// IT changes a setting: the file wins, once.
	edit(`currency = "HKD"`, `currency = "HKD"`+"\nreceipt_footer = \"IT's footer\"")
	if p := restart(); p.StoreName != "陳記茶餐廳" || p.ReceiptFooter != "IT's footer" || p.Setting(payments.Eftpay, "secret") != newEftSecret {
		t.Fatalf("IT's edit: %+v", p.Redacted())
	}
	p = restart()
	p.StoreName = "Manager Again"
	if err := SaveProfile(ctx, j, p); err != nil {
		t.Fatal(err)
	}
	if p := restart(); p.StoreName != "Manager Again" {
		t.Fatalf("re-seeded twice: %q", p.StoreName)
	}
	assertNoSecrets(t, "profiles table", storedJSON(t, j, "T001"))
}

// TestProfileSaveSecretsKeepsTheRestOfTheFile: only the secrets change;
// the file stays 0600, comments and other keys stay byte for byte, and its
// seed hash stays.
func TestProfileSaveSecretsKeepsTheRestOfTheFile(t *testing.T) {
	body := "# terminal T001 — managed by IT\n" + strings.Replace(sampleTOML, `secret = "testsignkey1234"`,
		`secret = "testsignkey1234"   # rotated 2026-01`, 1)
	for name, nl := range map[string]string{"LF": "\n", "CRLF": "\r\n"} {
		t.Run(name, func(t *testing.T) {
			orig := strings.ReplaceAll(body, "\n", nl)
			cfg := writeConfig(t, orig, 0o600)
			before, err := LoadProfileFile(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := SaveSecrets(cfg, map[string]string{"eftpay.secret": `new"se\cret`}); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(cfg)
			want := strings.Replace(orig, `"testsignkey1234"`, `"new\"se\\cret"`, 1)
			if string(b) != want {
				t.Fatalf("file:\n%s\nwant:\n%s", b, want)
			}
			after, err := LoadProfileFile(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if after.Setting(payments.Eftpay, "secret") != `new"se\cret` || after.Setting(payments.QFPay, "client_key") != fileQFKey || after.SeedHash != before.SeedHash {
				t.Fatalf("after: %+v", after.Redacted())
			}
			if runtime.GOOS != "windows" {
				if fi, _ := os.Stat(cfg); fi.Mode().Perm() != 0o600 {
					t.Fatalf("mode %04o", fi.Mode().Perm())
				}
			}
			// The same secrets again: the file is not touched.
			fi1, _ := os.Stat(cfg)
			if err := SaveSecrets(cfg, map[string]string{"eftpay.secret": `new"se\cret`, "qfpay.client_key": fileQFKey}); err != nil {
				t.Fatal(err)
			}
			if fi2, _ := os.Stat(cfg); !os.SameFile(fi1, fi2) {
				t.Fatal("unchanged secrets rewrote the file")
			}
			if ents, _ := os.ReadDir(filepath.Dir(cfg)); len(ents) != 1 {
				t.Fatalf("left behind: %v", ents)
			}
		})
	}
}

// TestProfileSaveSecretsLayouts: keys missing, in inline tables, as dotted
// keys, behind look-alikes in multi-line strings; a file it cannot edit
// safely is left as it was.
func TestProfileSaveSecretsLayouts(t *testing.T) {
	for name, body := range map[string]string{
		"keys missing":     "tid = \"T001\"\n[eftpay]\nbase_url = \"https://e\"\nuser_confirm_key = \"U\"\n\n# devices\n[printer]\nwidth = 42\n",
		"tables missing":   "tid = \"T001\"",
		"no last line end": "tid = \"T001\"\n[eftpay]\nbase_url = \"https://e\"",
		"empty values":     "tid = \"T001\"\n[eftpay]\nsecret = ''\n[qfpay]\nclient_key = \"\" # from QFPay\n",
		"inline table":     "tid = \"T001\"\neftpay = { base_url = \"https://e\", secret = \"old\" }\nqfpay.client_key = 'old'\n",
		"look-alikes": "tid = \"T001\"\nreceipt_footer = \"\"\"\n[qfpay]\nclient_key = \"fake\"\n\"\"\"\nmethods = [\n  \"eftpay:ALIPAYHK\", # [eftpay]\n]\n" +
			"[eftpay]\n\"secret\" = '''old\nsecret'''\n[qfpay]\nclient_key = \"old\\\"\"\n",
	} {
		t.Run(name, func(t *testing.T) {
			cfg := writeConfig(t, body, 0o600)
			before, err := LoadProfileFile(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := SaveSecrets(cfg, map[string]string{"eftpay.secret": newEftSecret, "qfpay.client_key": newQFKey}); err != nil {
				t.Fatal(err)
			}
			after, err := LoadProfileFile(cfg)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(cfg)
			if after.Setting(payments.Eftpay, "secret") != newEftSecret || after.Setting(payments.QFPay, "client_key") != newQFKey || after.SeedHash != before.SeedHash {
				t.Fatalf("after:\n%s", b)
			}
			before.Set(payments.Eftpay, "secret", after.Setting(payments.Eftpay, "secret"))
			before.Set(payments.QFPay, "client_key", after.Setting(payments.QFPay, "client_key"))
			before.legacySeedHash = after.legacySeedHash
			if !reflect.DeepEqual(before, after) {
				t.Fatalf("other settings changed:\n%s", b)
			}
			if strings.Contains(body, "# ") && !strings.Contains(string(b), "# ") {
				t.Fatalf("comments lost:\n%s", b)
			}
		})
	}
	// An inline table for eftpay without a secret: a new [eftpay] table
	// would be a second definition. The file stays as it was.
	// The error reaches the screen and the audit log: it quotes nothing of
	// the file.
	body := "tid = \"T001\"\neftpay = { base_url = \"https://e\" }\n[qfpay]\nclient_key = \"" + fileQFKey + "\"\n"
	cfg := writeConfig(t, body, 0o600)
	var ce *ConfigError
	err := SaveSecrets(cfg, map[string]string{"eftpay.secret": newEftSecret})
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "by hand") {
		t.Fatalf("err = %v", err)
	}
	assertNoSecrets(t, "the error", err.Error())
	if b, _ := os.ReadFile(cfg); string(b) != body {
		t.Fatalf("file changed:\n%s", b)
	}
	// IT broke the file since the start.
	cfg = writeConfig(t, "tid = \"T001\"\n[qfpay]\nclient_key = \""+fileQFKey+"\" \""+fileQFKey+"\"\n", 0o600)
	err = SaveSecrets(cfg, map[string]string{"eftpay.secret": newEftSecret, "qfpay.client_key": newQFKey})
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v", err)
	}
	assertNoSecrets(t, "the error", err.Error())
}

// TestProfileSaveSecretsThroughSymlink rewrites the file a symlink points
// to and keeps the symlink.
func TestProfileSaveSecretsThroughSymlink(t *testing.T) {
	cfg := writeConfig(t, sampleTOML, 0o600)
	link := filepath.Join(t.TempDir(), "terminal.toml")
	if err := os.Symlink(cfg, link); err != nil {
		t.Skip(err)
	}
	if err := SaveSecrets(link, map[string]string{"eftpay.secret": newEftSecret}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the symlink was replaced")
	}
	if f, _ := LoadProfileFile(cfg); f.Setting(payments.Eftpay, "secret") != newEftSecret {
		t.Fatal("the target was not rewritten")
	}
}
