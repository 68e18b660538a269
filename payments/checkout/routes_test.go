package checkout

import (
	"strings"
	"testing"

	"qrpos/payments"
)

func bothProviders() Profile {
	return Profile{TID: "T001", Currency: "HKD", Providers: map[payments.Provider]payments.Settings{
		payments.Eftpay: {"base_url": "x", "user_confirm_key": "u", "secret": "s"},
		payments.QFPay:  {"base_url": "x", "app_code": "a", "client_key": "k"}}}
}

func ids(ms []payments.Method) string {
	var s []string
	for _, m := range ms {
		s = append(s, m.ID())
	}
	return strings.Join(s, " ")
}

// TestRoutes: each wallet once per mode; the profile's methods order picks
// the provider that serves a wallet two providers offer.
func TestRoutes(t *testing.T) {
	p := bothProviders()
	all := p.Routes()
	seen := map[string]bool{}
	for _, m := range all {
		k := string(m.Wallet) + "/" + string(m.Mode)
		if seen[k] {
			t.Fatalf("%s twice in %s", k, ids(all))
		}
		seen[k] = true
	}
	if m, ok := p.Route(payments.Alipay, payments.MPM); !ok || m.ID() != "eftpay:ALIPAYCN" {
		t.Fatalf("no list: Alipay goes to %s, want the catalogue's first", m.ID())
	}
	if len(all) >= len(p.Offered()) {
		t.Fatalf("%d routes for %d methods: nothing merged", len(all), len(p.Offered()))
	}

	p.Methods = []string{"qfpay:800101", "eftpay:ALIPAYCN", "eftpay:ALIPAYHK", "qfpay:800008", "qfpay:800208", "eftpay:NOSUCH"}
	if got := ids(p.Routes()); got != "qfpay:800101 eftpay:ALIPAYHK qfpay:800008 qfpay:800208" {
		t.Fatalf("routes %s", got)
	}
	if m, ok := p.Route(payments.Alipay, payments.MPM); !ok || m.Provider != payments.QFPay {
		t.Fatalf("Alipay routed to %s, the profile says qfpay", m.ID())
	}
	if _, ok := p.Route(payments.PayMe, payments.MPM); ok {
		t.Fatal("a wallet the profile does not offer has a route")
	}
}

// TestRouteCode: a scanned code goes to its wallet's route, else to the
// method that takes any wallet; none without a customer-code method.
func TestRouteCode(t *testing.T) {
	p := bothProviders()
	p.Methods = []string{"qfpay:800008", "qfpay:800208", "qfpay:800108"}
	for code, want := range map[string]string{
		"134567890123456712":   "qfpay:800208", // WeChat's shape
		"280012345678901234":   "qfpay:800108", // Alipay's
		"6212345678901234567":  "qfpay:800008", // UnionPay's: not routed here, any wallet
		"not-a-wallet-code-xx": "qfpay:800008",
	} {
		if m, ok := p.RouteCode(code); !ok || m.ID() != want {
			t.Errorf("%s went to %s, want %s", code, m.ID(), want)
		}
	}
	p.Methods = []string{"qfpay:800208"}
	if m, ok := p.RouteCode("280012345678901234"); !ok || m.ID() != "qfpay:800208" {
		t.Fatalf("the only customer-code method: %s %v", m.ID(), ok)
	}
	p.Methods = []string{"eftpay:ALIPAYHK"}
	if _, ok := p.RouteCode("280012345678901234"); ok {
		t.Fatal("a code routed with no customer-code method")
	}
}
