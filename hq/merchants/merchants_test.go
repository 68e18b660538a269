package merchants

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const goodFile = `
[merchant.central]
provider = "qfpay"
base_url = "https://test-openapi-hk.qfapi.com"
app_code = "D5589D2A1F2E42A9A60C37DEMO00001"
client_key = "SECRETKEY-central-0123456789"
sign_type = "SHA256"

[merchant.kowloon-2]
provider = "eftpay"
notify_name = "central"
base_url = "https://vmp.eftpay.com.cn/VMP"
user_confirm_key = "S0000001"
secret = "SECRETKEY-kowloon-0123456789"
`

func TestParse(t *testing.T) {
	list, err := Parse([]byte(goodFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "central" || list[0].Provider != "qfpay" || list[1].Name != "kowloon-2" || list[1].Provider != "eftpay" {
		t.Fatalf("parsed %v", list)
	}
	if list[0].Settings["sign_type"] != "SHA256" || list[1].Settings["secret"] != "SECRETKEY-kowloon-0123456789" {
		t.Fatalf("settings %v %v", list[0].Settings["sign_type"], list[1].Settings["user_confirm_key"])
	}
	if list[0].NotifyName != "central" || list[1].NotifyName != "central" {
		t.Fatalf("notify names %q %q", list[0].NotifyName, list[1].NotifyName)
	}
	if s := list[0].String(); strings.Contains(s, "SECRET") || s != "central (qfpay)" {
		t.Fatalf("String() = %q", s)
	}
	for _, m := range list {
		if _, err := m.Gateway(envQuiet); err != nil {
			t.Fatalf("%s: %v", m, err)
		}
	}
}

// TestParseRefuses: each mistake is refused with an error that names it
// and never quotes a secret.
func TestParseRefuses(t *testing.T) {
	for _, c := range []struct{ name, file, want string }{
		{"empty", ``, "no merchant"},
		{"other table", "[qfpay]\napp_code = \"x\"\n", `unknown key "qfpay"`},
		{"no provider", "[merchant.a]\nbase_url = \"https://x\"\n", "provider ="},
		{"unknown provider", "[merchant.a]\nprovider = \"paypal\"\n", `provider "paypal" is not known`},
		{"unknown key", "[merchant.a]\nprovider = \"qfpay\"\nbase_url = \"https://x\"\napp_code = \"A\"\nclient_key = \"SECRETKEY-1\"\nkey = \"SECRETKEY-2\"\n", `no setting "key"`},
		{"missing secret", "[merchant.a]\nprovider = \"qfpay\"\nbase_url = \"https://x\"\napp_code = \"A\"\n", "fill in Client key"},
		{"not a string", "[merchant.a]\nprovider = \"eftpay\"\nbase_url = \"https://x\"\nuser_confirm_key = \"U\"\nsecret = 12345678\n", "merchant.a.secret: want a string"},
		{"bad choice", "[merchant.a]\nprovider = \"qfpay\"\nbase_url = \"https://x\"\napp_code = \"A\"\nclient_key = \"SECRETKEY-1\"\nsign_type = \"SHA1\"\n", "qfpay"},
		{"bad name", "[merchant.\"a b\"]\nprovider = \"qfpay\"\n", `merchant "a b"`},
		{"not toml", "[merchant.a]\nclient_key = SECRETKEY-unquoted\n", "not TOML at line 2"},
		{"twice", "[merchant.a]\nprovider = \"qfpay\"\n[merchant.a]\nprovider = \"qfpay\"\n", "not TOML at line 3"},
		{"merchant not a table", "merchant = \"x\"\n", "no merchant"},
		{"bad notify_name", "[merchant.a]\nprovider = \"qfpay\"\nnotify_name = \"a/b\"\n", "merchant.a.notify_name"},
		{"one route twice", goodFile + "[merchant.x]\nprovider = \"qfpay\"\nnotify_name = \"central\"\nbase_url = \"https://x\"\napp_code = \"A\"\nclient_key = \"SECRETKEY-3\"\n",
			"merchant.central and merchant.x: both receive qfpay notifications at central"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.file))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v; want %q", err, c.want)
			}
			if strings.Contains(err.Error(), "SECRETKEY") {
				t.Fatalf("the error quotes a secret: %v", err)
			}
		})
	}
}

func TestLoadRefusesAFileOthersRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "merchants.toml")
	if err := os.WriteFile(path, []byte(goodFile), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if runtime.GOOS != "windows" && (err == nil || !strings.Contains(err.Error(), "chmod 600")) {
		t.Fatalf("a 0644 file: %v", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if list, err := Load(path); err != nil || len(list) != 2 {
		t.Fatalf("a 0600 file: %v %v", list, err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "none.toml")); err == nil {
		t.Fatal("a missing file loaded")
	}
}

func TestValidName(t *testing.T) {
	for name, want := range map[string]bool{"central": true, "K-2_b": true, "": false, "a/b": false, "a.b": false,
		strings.Repeat("a", 64): true, strings.Repeat("a", 65): false, "中": false} {
		if ValidName(name) != want {
			t.Errorf("ValidName(%q) = %v", name, !want)
		}
	}
}

// FuzzParse: any file is read or refused without a panic; what is read
// is valid (a name, a registered provider, complete settings, a gateway
// that takes notifications).
func FuzzParse(f *testing.F) {
	f.Add([]byte(goodFile))
	f.Add([]byte("[merchant.a]\nprovider = \"qfpay\"\n"))
	f.Add([]byte("merchant = 1"))
	f.Add([]byte("[merchant]\n[merchant.x.y]\nz = 1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		list, err := Parse(b)
		if err != nil {
			return
		}
		if len(list) == 0 {
			t.Fatal("no merchants and no error")
		}
		for _, m := range list {
			if !ValidName(m.Name) || !ValidName(m.NotifyName) {
				t.Fatalf("name %q", m.Name)
			}
			if _, err := m.Gateway(envQuiet); err != nil {
				t.Fatalf("%s read but: %v", m, err)
			}
		}
	})
}
