package merchants

import (
	"strings"
	"testing"

	"qrpos/payments"
)

// qf is a QFPay merchant table with extra lines.
func qf(name, extra string) string {
	return "[merchant." + name + "]\nprovider = \"qfpay\"\nbase_url = \"https://x\"\napp_code = \"A\"\nclient_key = \"SECRETKEY-" + name + "\"\n" + extra
}

func TestParseServed(t *testing.T) {
	file := qf("central", "stores = [\"Central\", \"Mong Kok\"]\n") + qf("tst", "tids = [\"T009\"]\n") + qf("rest", "") +
		"[merchant.eft]\nprovider = \"eftpay\"\nbase_url = \"https://x\"\nuser_confirm_key = \"U\"\nsecret = \"SECRETKEY-e\"\ntids = [\"T001\"]\n"
	list, err := Parse([]byte(file))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Merchant{}
	for _, m := range list {
		byName[m.Name] = m
	}
	if c := byName["central"]; strings.Join(c.Stores, "|") != "Central|Mong Kok" || c.TIDs != nil || c.ServesAll() {
		t.Fatalf("central: %+v", c)
	}
	if r := byName["rest"]; !r.ServesAll() || r.Settings["stores"] != "" {
		t.Fatalf("rest: %+v", r)
	}
	for _, c := range []struct {
		p          payments.Provider
		tid, store string
		want       string
	}{
		{payments.QFPay, "T001", "Central", "central"},
		{payments.QFPay, "T009", "Central", "tst"}, // its tid before its store
		{payments.QFPay, "T002", "Kowloon", "rest"},
		{payments.Eftpay, "T001", "Central", "eft"},
		{payments.Eftpay, "T002", "Central", ""}, // no eftPay merchant serves it
	} {
		m, ok := Serving(list, c.p, c.tid, c.store)
		if m.Name != c.want || ok != (c.want != "") {
			t.Errorf("Serving(%s, %s, %s) = %q %v, want %q", c.p, c.tid, c.store, m.Name, ok, c.want)
		}
	}
}

// TestParseServedRefuses: each mistake in stores and tids is refused,
// naming the merchant and what is wrong, never a secret.
func TestParseServedRefuses(t *testing.T) {
	for _, c := range []struct{ name, file, want string }{
		{"not a list", qf("a", "stores = \"Central\"\n"), `merchant.a.stores: want a list of store names`},
		{"empty", qf("a", "tids = []\n"), "merchant.a.tids: the list is empty"},
		{"not strings", qf("a", "tids = [1]\n"), "merchant.a.tids: item 1 is not a string"},
		{"blank", qf("a", "stores = [\"Central\", \"\"]\n"), "merchant.a.stores: item 2: 1 to 64 characters"},
		{"control", qf("a", "stores = [\"Cen\\ntral\"]\n"), "merchant.a.stores: item 1"},
		{"too long", qf("a", "tids = [\""+strings.Repeat("T", 65)+"\"]\n"), "merchant.a.tids: item 1"},
		{"twice", qf("a", "tids = [\"T001\", \"T001\"]\n"), `merchant.a.tids: "T001" is listed twice`},
		{"a store in two", qf("a", "stores = [\"Central\"]\n") + qf("b", "stores = [\"Central\"]\nnotify_name = \"b\"\n"),
			`merchant.a and merchant.b: both name store "Central" for qfpay`},
		{"a tid in two", qf("a", "tids = [\"T1\"]\n") + qf("b", "tids = [\"T2\", \"T1\"]\n"), `merchant.a and merchant.b: both name terminal "T1" for qfpay`},
		{"two of every terminal", qf("a", "") + qf("b", ""), "merchant.a and merchant.b: both serve every terminal's qfpay sales"},
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
	// Merchants of different providers may serve the same terminals.
	both := qf("a", "stores = [\"Central\"]\n") + "[merchant.b]\nprovider = \"eftpay\"\nbase_url = \"https://x\"\nuser_confirm_key = \"U\"\nsecret = \"S\"\nstores = [\"Central\"]\n"
	if _, err := Parse([]byte(both)); err != nil {
		t.Fatalf("a QFPay and an eftPay merchant of one store: %v", err)
	}
}

// FuzzParseServed: whatever file is read, each terminal a merchant names
// is served by that merchant alone.
func FuzzParseServed(f *testing.F) {
	f.Add([]byte(qf("a", "stores = [\"Central\"]\ntids = [\"T1\"]\n") + qf("b", "tids = [\"T2\"]\n") + qf("c", "")))
	f.Add([]byte(qf("a", "tids = [\"T1\", \"T1\"]\n")))
	f.Add([]byte(qf("a", "stores = [[\"x\"]]\n")))
	f.Fuzz(func(t *testing.T, b []byte) {
		list, err := Parse(b)
		if err != nil {
			return
		}
		for _, m := range list {
			for _, tid := range m.TIDs {
				if got, ok := Serving(list, m.Provider, tid, "no such store"); !ok || got.Name != m.Name {
					t.Fatalf("terminal %q of %s is served by %q", tid, m.Name, got.Name)
				}
			}
			for _, s := range m.Stores {
				if got, ok := Serving(list, m.Provider, "\x00not a tid", s); !ok || got.Name != m.Name {
					t.Fatalf("store %q of %s is served by %q", s, m.Name, got.Name)
				}
			}
		}
	})
}
