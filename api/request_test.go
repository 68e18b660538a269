package api

import (
	"encoding/json"
	"strings"
	"testing"

	"qrpos/payments"
	"qrpos/payments/checkout"
)

// FuzzParseChargeRequest: the charge parser never panics; what it accepts
// is a positive amount with at most the currency's decimals whose decimal
// form reads back to the same money, fields within their limits, and a
// request that, encoded again, parses to the same request and hash.
func FuzzParseChargeRequest(f *testing.F) {
	for _, s := range []string{
		`{"amount":"88.50","currency":"HKD","method":"eftpay:ALIPAYHK","reference":"till-4711"}`,
		`{"amount":"12","currency":"JPY","method":"qfpay:800008","auth_code":"134567890123456789"}`,
		`{"amount":88.5,"currency":"HKD"}`, `{"amount":"1e3","currency":"HKD"}`, `{"amount":"0.001","currency":"HKD"}`,
		`{"amount":"00012.30","currency":"HKD","method":"any"}`, `{"amount":null}`, `[]`, `null`, ``, `{"a":1}`,
		`{"amount":"1.00","currency":"HKD","reference":"\u0000"}`, `{"amount":"1.00","currency":"HKD","amount":"2.00"}`,
		`{"amount":"999999999999999","currency":"HKD"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, e := parseChargeRequest(body)
		if e != nil {
			if e.Status/100 != 4 || e.Code == "" || e.Message == "" {
				t.Fatalf("error %+v", e)
			}
			return
		}
		m := in.amount
		if m.Minor <= 0 || !m.Currency.Valid() || string(m.Currency) != in.req.Currency {
			t.Fatalf("accepted %+v from %q", in, body)
		}
		if back, err := payments.ParseMoney(m.Decimal(), m.Currency, payments.Range{Min: 1}); err != nil || back != m {
			t.Fatalf("%s reads back as %v, %v", m.Decimal(), back, err)
		}
		if len(in.req.Reference) > maxReference || len(in.req.AuthCode) > maxAuthCode || len(in.req.Method) > maxMethod ||
			!printable(in.req.Reference) || strings.ContainsAny(in.req.AuthCode, " \t\r\n") {
			t.Fatalf("accepted fields %+v", in.req)
		}
		again, err := json.Marshal(in.req)
		if err != nil {
			t.Fatal(err)
		}
		in2, e := parseChargeRequest(again)
		if e != nil || in2.req != in.req || in2.amount != in.amount || in2.hash() != in.hash() {
			t.Fatalf("%q parsed to %+v; encoded again %s: %+v %v", body, in, again, in2, e)
		}
		// Resolving against a terminal never panics either.
		p := checkout.Profile{TID: "T001", Currency: "HKD", Providers: map[payments.Provider]payments.Settings{
			payments.Eftpay: {"base_url": "x", "user_confirm_key": "u", "secret": "s"},
			payments.QFPay:  {"base_url": "x", "app_code": "a", "client_key": "k"}}}
		if pl, e := checkCharge(p, in, false); e == nil && (pl.ask || (pl.method.Mode == payments.CPM) != (in.req.AuthCode != "")) {
			t.Fatalf("%+v chosen for auth_code %q with no counter", pl, in.req.AuthCode)
		}
		// With a counter, a charge the cashier answers names no method or
		// "any" without a code.
		if pl, e := checkCharge(p, in, true); e == nil && pl.ask {
			name := strings.TrimSpace(in.req.Method)
			if !(name == "" || strings.EqualFold(name, "any") && in.req.AuthCode == "") || pl.anyWallet != (name != "") {
				t.Fatalf("%q with code %q left to the cashier: %+v", in.req.Method, in.req.AuthCode, pl)
			}
		}
	})
}

// TestChargeHash: the same sale hashes the same however it is written;
// every field that makes another sale changes it.
func TestChargeHash(t *testing.T) {
	parse := func(s string) chargeInput {
		t.Helper()
		in, e := parseChargeRequest([]byte(s))
		if e != nil {
			t.Fatal(e)
		}
		return in
	}
	base := parse(`{"amount":"88.50","currency":"HKD","method":"eftpay:ALIPAYHK","reference":"r"}`)
	if h := parse(`{"reference":"r","method":"eftpay:ALIPAYHK","currency":"HKD","amount":"088.5"}`).hash(); h != base.hash() {
		t.Fatal("the same sale hashed differently")
	}
	for _, s := range []string{
		`{"amount":"88.51","currency":"HKD","method":"eftpay:ALIPAYHK","reference":"r"}`,
		`{"amount":"88.50","currency":"CNY","method":"eftpay:ALIPAYHK","reference":"r"}`,
		`{"amount":"88.50","currency":"HKD","method":"eftpay:ALIPAYCN","reference":"r"}`,
		`{"amount":"88.50","currency":"HKD","method":"eftpay:ALIPAYHK","reference":"s"}`,
		`{"amount":"88.50","currency":"HKD","method":"eftpay:ALIPAYHK","reference":"r","auth_code":"1"}`,
		`{"amount":"88.50","currency":"HKD","method":"eftpay:ALIPAYHK"}`,
	} {
		if parse(s).hash() == base.hash() {
			t.Errorf("%s hashes like the base", s)
		}
	}
}

// TestVerifyPIN: the hash the terminal's screen stores (ui.HashPIN) is
// checked here the same way; weakened or unreadable hashes never pass.
func TestVerifyPIN(t *testing.T) {
	if ok, err := checkout.VerifyPIN(pinVector, "1234"); !ok || err != nil {
		t.Fatalf("right PIN: %v %v", ok, err)
	}
	if ok, err := checkout.VerifyPIN(pinVector, "1235"); ok || err != nil {
		t.Fatalf("wrong PIN: %v %v", ok, err)
	}
	weak := strings.Replace(pinVector, "$600000$", "$1000$", 1)
	for _, h := range []string{weak, "", "plain", "pbkdf2-sha256$x$y$z", strings.Replace(pinVector, "pbkdf2-sha256", "md5", 1)} {
		if ok, err := checkout.VerifyPIN(h, "1234"); ok || err == nil {
			t.Errorf("hash %q: %v %v", h, ok, err)
		}
	}
}
