package payments

import (
	"strings"
	"testing"
	"time"
)

// withRegistry runs f with a registry holding only infos, and puts the
// registry back afterwards (the package's external tests register the
// real providers in the same test binary).
func withRegistry(t *testing.T, f func(), infos ...ProviderInfo) {
	t.Helper()
	registry.Lock()
	list, methods := registry.list, registry.methods
	registry.list, registry.methods = nil, nil
	registry.Unlock()
	defer func() {
		registry.Lock()
		registry.list, registry.methods = list, methods
		registry.Unlock()
	}()
	for _, info := range infos {
		RegisterProvider(info)
	}
	f()
}

func fakeProvider(name Provider, r Range, codes ...string) ProviderInfo {
	info := ProviderInfo{Name: name, Title: strings.ToUpper(string(name)), Range: r,
		Settings: []Setting{{Key: "url", Label: "URL", Required: true}, {Key: "key", Label: "Key", Secret: true, Required: true}, {Key: "mode", Label: "Mode"}},
		New:      func(Settings, GatewayEnv) (Gateway, error) { return nil, nil }}
	for _, c := range codes {
		info.Methods = append(info.Methods, Method{Provider: name, Code: c, Wallet: Wallet(c), Name: c, Mode: MPM})
	}
	return info
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s did not panic", what)
		}
	}()
	f()
}

func TestRegistry(t *testing.T) {
	a := fakeProvider("apay", Range{Min: 10, Max: 1000}, "A1", "A2")
	b := fakeProvider("bpay", Range{Min: 1}, "B1")
	withRegistry(t, func() {
		if got := ProviderNames(); len(got) != 2 || got[0] != "apay" || got[1] != "bpay" {
			t.Fatalf("ProviderNames = %v", got)
		}
		if ms := Methods(); len(ms) != 3 || ms[0].ID() != "apay:A1" || ms[2].ID() != "bpay:B1" {
			t.Fatalf("Methods = %v", ms)
		}
		if m, err := LookupMethod("bpay", "B1"); err != nil || m.Range() != (Range{Min: 1}) {
			t.Fatalf("LookupMethod = %v, %v", m, err)
		}
		if _, err := LookupMethod("apay", "B1"); err == nil {
			t.Fatal("cross-provider lookup succeeded")
		}
		if p, err := ParseProvider("bpay"); err != nil || p != "bpay" || p.Title() != "BPAY" {
			t.Fatalf("ParseProvider = %v, %v", p, err)
		}
		if _, err := ParseProvider("cpay"); err == nil || !strings.Contains(err.Error(), "use apay or bpay") {
			t.Fatalf("ParseProvider(cpay) = %v", err)
		}
		if RangeOf("apay") != (Range{Min: 10, Max: 1000}) || WidestRange() != (Range{Min: 1}) {
			t.Fatalf("RangeOf %v, WidestRange %v", RangeOf("apay"), WidestRange())
		}
		info, _ := LookupProvider("apay")
		if info.Configured(Settings{"url": "u"}) || !info.Configured(Settings{"url": "u", "key": "k"}) {
			t.Fatal("Configured ignores Required")
		}
		if m := info.Missing(Settings{"url": "u"}); len(m) != 1 || m[0] != "Key" {
			t.Fatalf("Missing = %v", m)
		}
		if err := info.Check(Settings{"url": "u", "typo": "x"}); err == nil || !strings.Contains(err.Error(), `apay has no setting "typo" (known: url, key, mode)`) {
			t.Fatalf("Check = %v", err)
		}
		if info.Value(Settings{}, "mode") != "" || (Method{Provider: "apay", Mode: MPM}).PayableFor(time.Minute) != time.Minute {
			t.Fatal("defaults")
		}
		// The description is copied: changing what Providers returned
		// changes nothing registered.
		Providers()[0].Methods[0].Code = "XX"
		if Methods()[0].Code != "A1" {
			t.Fatal("the registry shares its rows")
		}
		mustPanic(t, "a second apay", func() { RegisterProvider(fakeProvider("apay", Range{})) })
		mustPanic(t, "a foreign method", func() {
			c := fakeProvider("cpay", Range{})
			c.Methods = []Method{{Provider: "apay", Code: "C1"}}
			RegisterProvider(c)
		})
		mustPanic(t, "a method twice", func() { RegisterProvider(fakeProvider("dpay", Range{}, "D1", "D1")) })
		mustPanic(t, "no constructor", func() { RegisterProvider(ProviderInfo{Name: "epay"}) })
		mustPanic(t, "a name with a colon", func() { RegisterProvider(fakeProvider("e:pay", Range{})) })
		if len(ProviderNames()) != 2 {
			t.Fatalf("a refused registration stayed: %v", ProviderNames())
		}
	}, a, b)
}

// TestCPMMethodForOverRegistry: the CPM method for a wallet is the first
// provider's that takes it, else the first that takes any wallet.
func TestCPMMethodForOverRegistry(t *testing.T) {
	a := fakeProvider("apay", Range{Min: 1})
	a.Methods = []Method{{Provider: "apay", Code: "ANY", Wallet: AnyWallet, Mode: CPM}, {Provider: "apay", Code: "WX", Wallet: WeChat, Mode: CPM}}
	a.CPM = func(m Method, w Wallet) bool { return m.Code == "WX" && w == WeChatHK }
	withRegistry(t, func() {
		for w, want := range map[Wallet]string{WeChat: "WX", WeChatHK: "WX", Alipay: "ANY", AnyWallet: "ANY"} {
			if got := CPMMethodFor(w).Code; got != want {
				t.Errorf("CPMMethodFor(%s) = %s, want %s", w, got, want)
			}
		}
	}, a)
	withRegistry(t, func() {
		if m := CPMMethodFor(Alipay); m.Code != "" {
			t.Errorf("no CPM method anywhere, got %v", m)
		}
	})
}
