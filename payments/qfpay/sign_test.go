package qfpay

import (
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"
)

type signVectors struct {
	Requests []struct {
		Name   string            `json:"name"`
		Key    string            `json:"key"`
		Params map[string]string `json:"params"`
		Base   string            `json:"base"`
		MD5    string            `json:"md5"`
		SHA256 string            `json:"sha256"`
	} `json:"requests"`
	Notifications []struct {
		Name   string `json:"name"`
		Key    string `json:"key"`
		Body   string `json:"body"`
		MD5    string `json:"md5"`
		SHA256 string `json:"sha256"`
	} `json:"notifications"`
}

func loadVectors(t testing.TB) signVectors {
	b, err := os.ReadFile("testdata/sign_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v signVectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Requests) == 0 || len(v.Notifications) == 0 {
		t.Fatal("no vectors")
	}
	return v
}

func TestSignVectors(t *testing.T) {
	v := loadVectors(t)
	for _, c := range v.Requests {
		t.Run(c.Name, func(t *testing.T) {
			p := url.Values{}
			for k, val := range c.Params {
				p.Set(k, val)
			}
			if got := SignBase(p); got != c.Base {
				t.Errorf("base = %q, want %q", got, c.Base)
			}
			if got := Sign(p, c.Key, SignMD5); got != c.MD5 {
				t.Errorf("MD5 = %s, want %s", got, c.MD5)
			}
			if got := Sign(p, c.Key, ""); got != c.MD5 {
				t.Errorf("default sign type is not MD5: %s", got)
			}
			if got := Sign(p, c.Key, SignSHA256); got != c.SHA256 {
				t.Errorf("SHA256 = %s, want %s", got, c.SHA256)
			}
			if !VerifyRequest(p, c.Key, SignMD5, strings.ToLower(c.MD5)) {
				t.Error("lower-case hex signature refused")
			}
			if VerifyRequest(p, c.Key+"x", SignMD5, c.MD5) || VerifyRequest(p, c.Key, SignSHA256, c.MD5) || VerifyRequest(p, c.Key, SignMD5, "") {
				t.Error("wrong key, wrong type or empty signature accepted")
			}
			p.Set("txamt", "999999")
			if VerifyRequest(p, c.Key, SignMD5, c.MD5) {
				t.Error("changed parameter still verifies")
			}
		})
	}
	for _, c := range v.Notifications {
		if got := SignBody([]byte(c.Body), c.Key, SignMD5); got != c.MD5 {
			t.Errorf("%s: MD5 = %s, want %s", c.Name, got, c.MD5)
		}
		if got := SignBody([]byte(c.Body), c.Key, SignSHA256); got != c.SHA256 {
			t.Errorf("%s: SHA256 = %s, want %s", c.Name, got, c.SHA256)
		}
		if !VerifyBody([]byte(c.Body), c.Key, SignMD5, strings.ToLower(c.MD5)) ||
			VerifyBody([]byte(c.Body+" "), c.Key, SignMD5, c.MD5) {
			t.Errorf("%s: body verification wrong", c.Name)
		}
	}
}

func TestParseSignType(t *testing.T) {
	for in, want := range map[string]SignType{"": SignMD5, "md5": SignMD5, "MD5": SignMD5, "SHA256": SignSHA256, "sha256": SignSHA256} {
		got, err := ParseSignType(in)
		if err != nil || got != want {
			t.Errorf("ParseSignType(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseSignType("RSA"); err == nil {
		t.Error("RSA accepted")
	}
}

func BenchmarkSign(b *testing.B) {
	p := url.Values{}
	for k, v := range map[string]string{"txamt": "1230", "txcurrcd": "HKD", "pay_type": "800108",
		"out_trade_no": "T00124010100000123", "txdtm": "2024-01-01 12:00:00", "auth_code": "280438849930815813",
		"goods_name": "Milk tea", "udid": "T001", "notify_url": "https://pos.example/notify/qfpay"} {
		p.Set(k, v)
	}
	for _, st := range []SignType{SignMD5, SignSHA256} {
		b.Run(string(st), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Sign(p, "0E32A59A8B454940A2FF39DEMOKEY01", st)
			}
		})
	}
}
