package eftpay

import (
	"errors"
	"strings"
	"testing"
	"time"

	"qrpos/payments"
)

func TestDecodeObject(t *testing.T) {
	tests := []struct {
		in      string
		want    map[string]string
		wantErr bool
	}{
		{in: `{"a":"x","b":""}`, want: map[string]string{"a": "x", "b": ""}},
		// Numbers keep the exact text they were sent with.
		{in: `{"transaction_amount": 0.1}`, want: map[string]string{"transaction_amount": "0.1"}},
		{in: `{"transaction_amount": 0.10}`, want: map[string]string{"transaction_amount": "0.10"}},
		{in: `{"return_status": 0, "n": -22, "e": 1e2}`, want: map[string]string{"return_status": "0", "n": "-22", "e": "1e2"}},
		{in: `{"ok": true, "no": false, "nil": null}`, want: map[string]string{"ok": "true", "no": "false", "nil": ""}},
		{in: `{"s": "caf\u00e9 \"q\" \n"}`, want: map[string]string{"s": "café \"q\" \n"}},
		{in: `{"obj": {"k": [1, 2]}}`, want: map[string]string{"obj": `{"k": [1, 2]}`}},
		{in: " {\n\"a\" :\t\"b\" } \n", want: map[string]string{"a": "b"}},
		{in: `{}`, want: map[string]string{}},
		{in: `null`, wantErr: true},
		{in: `[]`, wantErr: true},
		{in: `"str"`, wantErr: true},
		{in: `{"a":"b"} {}`, wantErr: true},
		{in: `{"a":`, wantErr: true},
		{in: ``, wantErr: true},
		{in: `<html>502</html>`, wantErr: true},
	}
	for _, tc := range tests {
		got, err := DecodeObject([]byte(tc.in))
		if tc.wantErr {
			if err == nil {
				t.Errorf("%q: no error, got %v", tc.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("%q: got %v, want %v", tc.in, got, tc.want)
		}
		for k, v := range tc.want {
			if got[k] != v {
				t.Errorf("%q: %s = %q, want %q", tc.in, k, got[k], v)
			}
		}
	}
}

// A sender that signed "0.1" and sent it as the number 0.1 verifies; the
// same signature over a number that renders differently does not.
func TestVerifyNumbersByReceivedText(t *testing.T) {
	const secret = "k"
	f := map[string]string{"return_status": "00", "transaction_amount": "0.1", "time": "20240101120000"}
	sign := Sign(secret, f)
	asNumber := `{"return_status":"00","transaction_amount":0.1,"time":"20240101120000","sign":"` + sign + `"}`
	if _, err := ParseResponse(secret, []byte(asNumber)); err != nil {
		t.Fatalf("number 0.1 signed as \"0.1\": %v", err)
	}
	rendered := strings.Replace(asNumber, "0.1,", "0.10,", 1)
	var ue *UnverifiedError
	if _, err := ParseResponse(secret, []byte(rendered)); !errors.As(err, &ue) {
		t.Fatalf("number 0.10 against a signature over \"0.1\": err = %v, want *UnverifiedError", err)
	}
}

func TestParseResponse(t *testing.T) {
	const secret = "testsignkey1234"
	signed := func(f map[string]string) string {
		f["sign"] = Sign(secret, f)
		return string(EncodeObject(f))
	}
	tests := []struct {
		name     string
		body     string
		status   string
		unverify bool
		noStatus bool
		badJSON  bool
	}{
		{name: "signed 00", body: signed(map[string]string{"return_status": "00", "return_char": "", "time": "20240101120000"}), status: "00"},
		{name: "signed 03", body: signed(map[string]string{"return_status": "03", "return_char": "dup", "time": "20240101120000"}), status: "03"},
		{name: "number status 0", body: signed(map[string]string{"return_status": "0", "time": "20240101120000"}), status: "00"},
		{name: "unsigned negative", body: `{"return_status":"-22","return_char":"amount"}`, status: "-22"},
		{name: "unsigned 00", body: `{"return_status":"00","trade_status":"TRADE_SUCCESS"}`, unverify: true},
		{name: "unsigned 10", body: `{"return_status":"10"}`, unverify: true},
		{name: "negative with a wrong sign", body: `{"return_status":"-1","sign":"00"}`, unverify: true},
		{name: "no status", body: signed(map[string]string{"time": "20240101120000"}), noStatus: true},
		{name: "text status", body: `{"return_status":"OK"}`, noStatus: true},
		{name: "html", body: `<html>bad gateway</html>`, badJSON: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := ParseResponse(secret, []byte(tc.body))
			var ue *UnverifiedError
			switch {
			case tc.unverify:
				if !errors.As(err, &ue) || !errors.Is(err, payments.ErrOutcomeUnknown) {
					t.Fatalf("err = %v, want *UnverifiedError wrapping ErrOutcomeUnknown", err)
				}
			case tc.noStatus:
				if !errors.Is(err, ErrNoStatus) {
					t.Fatalf("err = %v, want ErrNoStatus", err)
				}
			case tc.badJSON:
				if err == nil {
					t.Fatal("no error")
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if resp.Status != tc.status {
					t.Fatalf("status = %q, want %q", resp.Status, tc.status)
				}
			}
		})
	}
}

func TestWireTime(t *testing.T) {
	at := time.Date(2024, 1, 1, 4, 0, 0, 0, time.UTC)
	if got := FormatTime(at); got != "20240101120000" {
		t.Fatalf("FormatTime = %s, want Hong Kong 20240101120000", got)
	}
	back, err := ParseTime("20240101120000")
	if err != nil || !back.Equal(at) {
		t.Fatalf("ParseTime = %v, %v", back, err)
	}
	if _, err := ParseTime("2024-01-01 12:00:00"); err == nil {
		t.Fatal("ParseTime accepted another layout")
	}
}

func TestEncodeObjectKeepsAmpersands(t *testing.T) {
	got := string(EncodeObject(map[string]string{"notify_url": "https://x/n?a=1&b=<2>"}))
	if want := `{"notify_url":"https://x/n?a=1&b=<2>"}`; got != want {
		t.Fatalf("EncodeObject = %s, want %s", got, want)
	}
}
