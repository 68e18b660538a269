package eftpay

import (
	"encoding/json"
	"maps"
	"os"
	"strings"
	"testing"
)

type vector struct {
	Name    string          `json:"name"`
	Secret  string          `json:"secret"`
	Message json.RawMessage `json:"message"`
	Base    string          `json:"base"`
	Sign    string          `json:"sign"`
}

func loadVectors(t testing.TB) []vector {
	data, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(data, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) != 4 {
		t.Fatalf("want the 4 vectors of providers.md, have %d", len(vs))
	}
	return vs
}

// The four vectors of providers.md 1.1: the base string, the signature, and
// verification of the message as received.
func TestVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			fields, err := DecodeObject(v.Message)
			if err != nil {
				t.Fatal(err)
			}
			base := string(appendSignBase(nil, v.Secret, fields))
			if base != v.Secret+v.Base {
				t.Errorf("base string\n got %q\nwant %q", strings.TrimPrefix(base, v.Secret), v.Base)
			}
			if got := Sign(v.Secret, fields); got != v.Sign {
				t.Errorf("Sign = %s, want %s", got, v.Sign)
			}
			fields["sign"] = v.Sign
			if !Verify(v.Secret, fields) {
				t.Error("Verify refuses the vector")
			}
			if got := Sign(v.Secret, fields); got != v.Sign {
				t.Error("the sign field took part in its own signature")
			}
		})
	}
}

func TestVerifyRefuses(t *testing.T) {
	v := loadVectors(t)[2] // the answer with empty values
	good, err := DecodeObject(v.Message)
	if err != nil {
		t.Fatal(err)
	}
	good["sign"] = v.Sign
	tests := []struct {
		name   string
		secret string
		edit   func(map[string]string)
		want   bool
	}{
		{"as received", v.Secret, func(map[string]string) {}, true},
		{"upper-case hex", v.Secret, func(f map[string]string) { f["sign"] = strings.ToUpper(f["sign"]) }, true},
		{"other secret", "testsignkey1235", func(map[string]string) {}, false},
		{"value changed", v.Secret, func(f map[string]string) { f["trade_status"] = "TRADE_CLOSED" }, false},
		{"empty value dropped", v.Secret, func(f map[string]string) { delete(f, "buyer_id") }, false},
		{"field added", v.Secret, func(f map[string]string) { f["extra"] = "" }, false},
		{"no sign", v.Secret, func(f map[string]string) { delete(f, "sign") }, false},
		{"short sign", v.Secret, func(f map[string]string) { f["sign"] = f["sign"][:63] }, false},
		{"not hex", v.Secret, func(f map[string]string) { f["sign"] = strings.Repeat("z", 64) }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := maps.Clone(good)
			tc.edit(f)
			if got := Verify(tc.secret, f); got != tc.want {
				t.Fatalf("Verify = %v, want %v", got, tc.want)
			}
		})
	}
}

// Keys sort by bytes, so upper case first: the Apple Pay service's
// camel-case keys come before their snake-case neighbours.
func TestSignBaseByteOrder(t *testing.T) {
	f := map[string]string{"payment_type": "d", "pay_scene": "c", "payType": "b", "buyerType": "a", "sign": "x"}
	got := string(appendSignBase(nil, "", f))
	if want := "buyerType=a&payType=b&pay_scene=c&payment_type=d"; got != want {
		t.Fatalf("base = %q, want %q", got, want)
	}
}
