package eftpay

import (
	"errors"
	"testing"

	"qrpos/payments"
)

// TestOutcomeUnknownEveryCode answers a call with every return_status of
// the table (and two it lacks), signed when >= 00 as eftPay does: exactly
// -1, -99, 09 and the unknown codes leave the outcome unknown; every other
// is a plain, final *payments.ProviderError of its kind.
func TestOutcomeUnknownEveryCode(t *testing.T) {
	unknownOnes := map[string]bool{"-1": true, "-99": true, "09": true, "77": true, "-98": true}
	codes := []string{"77", "-98"}
	for c := range statuses {
		if c != StatusOK {
			codes = append(codes, c)
		}
	}
	c := &Client{cfg: Config{Secret: fuzzSecret}}
	for _, code := range codes {
		f := map[string]string{"return_status": code, "return_char": "eftPay's words"}
		var body []byte
		if code[0] == '-' {
			body = EncodeObject(f) // negative codes come unsigned
		} else {
			f["time"] = "20240101120000"
			body = signedSeed(f)
		}
		_, err := c.parse("pay", "N1", body)
		var pe *payments.ProviderError
		if !errors.As(err, &pe) || pe.Code != code || pe.Message == "" {
			t.Errorf("%s: %v is not a complete *payments.ProviderError", code, err)
			continue
		}
		if kind, _ := DescribeStatus(code); pe.Kind != kind {
			t.Errorf("%s: kind %s, want %s", code, pe.Kind, kind)
		}
		if got := errors.Is(err, payments.ErrOutcomeUnknown); got != unknownOnes[code] {
			t.Errorf("%s (%s): outcome unknown = %v, want %v", code, pe.Kind, got, unknownOnes[code])
		}
		if OutcomeUnknown(code) != unknownOnes[code] {
			t.Errorf("OutcomeUnknown(%s) = %v", code, OutcomeUnknown(code))
		}
	}
	if !OutcomeUnknown("9") || OutcomeUnknown("3") {
		t.Error("codes not normalised (9 is 09, 3 is 03)")
	}
}

// TestRecordAmountAndMethod: a record's amount is what it says, in the
// currency it names (none named: empty, so not compared); its method is
// payment_type, or the one method a paytype names.
func TestRecordAmountAndMethod(t *testing.T) {
	for _, c := range []struct {
		fields map[string]string
		want   payments.Money
		bad    bool
	}{
		{map[string]string{"transaction_amount": "12.30", "currency": "HKD"}, payments.Money{Minor: 1230, Currency: "HKD"}, false},
		{map[string]string{"transaction_amount": "12.30"}, payments.Money{Minor: 1230}, false},
		{map[string]string{"transaction_amount": "12.30", "fee_type": "USD"}, payments.Money{Minor: 1230, Currency: "USD"}, false},
		{map[string]string{"transaction_amount": "12.30", "currency": "XYZ"}, payments.Money{Currency: "XYZ"}, false},
		{map[string]string{"currency": "HKD"}, payments.Money{Currency: "HKD"}, false},
		{map[string]string{}, payments.Money{}, false},
		{map[string]string{"transaction_amount": "12.3.0", "currency": "HKD"}, payments.Money{Currency: "HKD"}, true},
		{map[string]string{"total_fee": "0.10", "transaction_amount": "9"}, payments.Money{Minor: 9 * 100}, false},
	} {
		got, err := recordAmount(c.fields, "transaction_amount", "total_fee")
		if got != c.want || (err != nil) != c.bad {
			t.Errorf("%v: %+v %v, want %+v", c.fields, got, err, c.want)
		}
	}
	for _, c := range []struct {
		fields map[string]string
		want   string
	}{
		{map[string]string{"payment_type": "ALIPAYHK", "paytype": "Alipay"}, "ALIPAYHK"},
		{map[string]string{"paytype": "PAYME"}, "PAYME"},
		{map[string]string{"paytype": "unionpay"}, "UNIONPAY"},
		{map[string]string{"paytype": "Alipay"}, ""}, // ALIPAYCN, ALIPAYHK or ALIPAYBOTH: not said
		{map[string]string{"paytype": "Visa"}, ""},
		{map[string]string{}, ""},
	} {
		if got := methodCode(c.fields); got != c.want {
			t.Errorf("methodCode(%v) = %q, want %q", c.fields, got, c.want)
		}
	}
}
