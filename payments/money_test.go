package payments

import (
	"errors"
	"testing"
)

// eftpayRange is eftPay's range (payments/eftpay.Range), written out: the
// parser's bounds are tested here without the provider packages.
var eftpayRange = Range{Min: 2, Max: 6_000_000}

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in    string
		cur   Currency
		r     Range
		want  int64
		wrong bool
	}{
		{"12.34", "HKD", eftpayRange, 1234, false},
		{"12.3", "HKD", eftpayRange, 1230, false},
		{"12", "HKD", eftpayRange, 1200, false},
		{"0.02", "HKD", eftpayRange, 2, false},
		{"60000", "HKD", eftpayRange, 6_000_000, false},
		{"60000.00", "HKD", eftpayRange, 6_000_000, false},
		{"007.50", "HKD", eftpayRange, 750, false},
		{"500", "JPY", Range{Min: 1}, 500, false},
		{"0.01", "HKD", eftpayRange, 0, true},     // below eftPay minimum
		{"60000.01", "HKD", eftpayRange, 0, true}, // above eftPay maximum
		{"12.345", "HKD", eftpayRange, 0, true},   // too many decimals
		{"5.0", "JPY", Range{}, 0, true},          // JPY has none
		{"", "HKD", eftpayRange, 0, true},
		{"-1", "HKD", eftpayRange, 0, true},
		{"+1", "HKD", eftpayRange, 0, true},
		{"1e3", "HKD", eftpayRange, 0, true},
		{"1,000", "HKD", eftpayRange, 0, true},
		{" 1", "HKD", eftpayRange, 0, true},
		{".5", "HKD", eftpayRange, 0, true},
		{"5.", "HKD", eftpayRange, 0, true},
		{"1.2.3", "HKD", eftpayRange, 0, true},
		{"１２", "HKD", eftpayRange, 0, true}, // full-width digits
		{"99999999999999999999", "HKD", Range{}, 0, true},
		{"12", "XXX", Range{}, 0, true},
	}
	for _, tt := range tests {
		m, err := ParseMoney(tt.in, tt.cur, tt.r)
		if tt.wrong {
			var ae *AmountError
			if !errors.As(err, &ae) {
				t.Errorf("ParseMoney(%q) = %v, %v; want *AmountError", tt.in, m, err)
			}
			continue
		}
		if err != nil || m.Minor != tt.want || m.Currency != tt.cur {
			t.Errorf("ParseMoney(%q) = %+v, %v; want %d %s", tt.in, m, err, tt.want, tt.cur)
		}
	}
}

func TestMoneyFormats(t *testing.T) {
	tests := []struct {
		m                     Money
		decimal, minor, human string
	}{
		{Money{1230, "HKD"}, "12.30", "1230", "HK$12.30"},
		{Money{2, "HKD"}, "0.02", "2", "HK$0.02"},
		{Money{0, "HKD"}, "0.00", "0", "HK$0.00"},
		{Money{123456789, "HKD"}, "1234567.89", "123456789", "HK$1,234,567.89"},
		{Money{500, "JPY"}, "500", "500", "JP¥500"},
		{Money{-150, "USD"}, "-1.50", "-150", "-US$1.50"},
	}
	for _, tt := range tests {
		if got := tt.m.Decimal(); got != tt.decimal {
			t.Errorf("%v.Decimal() = %q, want %q", tt.m, got, tt.decimal)
		}
		if got := tt.m.MinorString(); got != tt.minor {
			t.Errorf("%v.MinorString() = %q, want %q", tt.m, got, tt.minor)
		}
		if got := tt.m.String(); got != tt.human {
			t.Errorf("%v.String() = %q, want %q", tt.m, got, tt.human)
		}
	}
}

func TestWireAmounts(t *testing.T) {
	if m, err := ParseWireDecimal("0.1", "HKD"); err != nil || m.Minor != 10 {
		t.Errorf("ParseWireDecimal(0.1) = %v, %v", m, err)
	}
	if m, err := ParseWireMinor("1230", "HKD"); err != nil || m.Minor != 1230 {
		t.Errorf("ParseWireMinor(1230) = %v, %v", m, err)
	}
	for _, bad := range []string{"", "-5", "1.5", "abc"} {
		if _, err := ParseWireMinor(bad, "HKD"); err == nil {
			t.Errorf("ParseWireMinor(%q) accepted", bad)
		}
	}
}

func TestCurrencies(t *testing.T) {
	if len(Currencies()) != 13 {
		t.Fatalf("want the 13 currencies of the QFPay seed, got %d", len(Currencies()))
	}
	for _, c := range Currencies() {
		if !c.Valid() {
			t.Errorf("%s listed but not valid", c)
		}
	}
	if c, err := ParseCurrency("hkd"); err != nil || c != "HKD" {
		t.Errorf("ParseCurrency(hkd) = %v, %v", c, err)
	}
	if _, err := ParseCurrency("BTC"); err == nil {
		t.Error("BTC accepted")
	}
}

// FuzzParseMoney: whatever the cashier types, the parser either refuses it or
// returns an amount that formats back to an equivalent input.
func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"12.34", "0.02", "", "-1", "1e3", "60000.00", "00.10", "5."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMoney(s, "HKD", eftpayRange)
		if err != nil {
			return
		}
		if m.Minor < eftpayRange.Min || m.Minor > eftpayRange.Max {
			t.Fatalf("%q parsed out of range: %d", s, m.Minor)
		}
		back, err := ParseMoney(m.Decimal(), "HKD", eftpayRange)
		if err != nil || back != m {
			t.Fatalf("%q -> %v -> %q -> %v, %v", s, m, m.Decimal(), back, err)
		}
	})
}

// TestAmountProblems: each refusal says what kind of problem it is, so a
// screen can say it in the shop's words; a range names the bound crossed.
func TestAmountProblems(t *testing.T) {
	r := Range{Min: 10, Max: 500000}
	for in, want := range map[string]AmountProblem{
		"": AmountEmpty, "12a.3x": AmountNotANumber, ".5": AmountNotANumber, "1.": AmountNotANumber, "1.234": AmountDecimals,
		"9999999999999999": AmountTooLarge, "0.05": AmountBelowMin, "5000.01": AmountAboveMax,
	} {
		_, err := ParseMoney(in, DefaultCurrency, r)
		var ae *AmountError
		if !errors.As(err, &ae) || ae.Kind != want {
			t.Errorf("%q: %v (kind %v), want kind %v", in, err, ae, want)
		}
	}
	_, err := ParseMoney("0.05", DefaultCurrency, r)
	if ae := err.(*AmountError); ae.Limit != (Money{Minor: 10, Currency: DefaultCurrency}) {
		t.Fatalf("limit %v", ae.Limit)
	}
	if OutOfRange("x", Money{Minor: 20, Currency: DefaultCurrency}, r) != nil {
		t.Fatal("an amount inside the range was refused")
	}
}
