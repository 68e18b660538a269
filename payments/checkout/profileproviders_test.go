package checkout

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"qrpos/payments"
)

// legacyJSON is a profile as the journal held it when eftPay and QFPay
// were typed sections of the profile (and before secrets left the
// journal): top-level "eftpay" and "qfpay" objects with every key.
const legacyJSON = `{"tid":"T001","store_name":"陳記茶餐廳","store_address":"","receipt_header":"","receipt_footer":"",` +
	`"currency":"HKD","journal":"pos.db","notify_listen":"","notify_url":"","language":"","order_timeout":120,"cpm_timeout":45,` +
	`"methods":["eftpay:ALIPAYHK","qfpay:800008"],"manager_pin_hash":"hash","api_listen":"","api_token":"","api_refunds":false,` +
	`"eftpay":{"base_url":"https://vmp.eftpay.com.cn/VMP","user_confirm_key":"S0000001","secret":"testsignkey1234"},` +
	`"qfpay":{"base_url":"https://test-openapi-hk.qfapi.com","app_code":"APPCODE","client_key":"CLIENTKEY12345","mchid":"","sign_type":"SHA256"},` +
	`"scanner":{"port":"","baud":0,"suffix":""},"printer":{"port":"","baud":0,"flow":"","width":42,"encoding":"big5"},"seed_hash":"abc"}`

// TestProfileJSONShape: a journal written by the typed profile reads into
// the provider settings, and the profile writes the same shape back: the
// same top-level keys, the providers' objects with the same keys.
func TestProfileJSONShape(t *testing.T) {
	ctx := context.Background()
	j, _ := openTestJournal(t)
	if err := j.SaveProfile(ctx, "T001", []byte(legacyJSON)); err != nil {
		t.Fatal(err)
	}
	p, err := LoadProfile(ctx, j, "T001")
	if err != nil {
		t.Fatal(err)
	}
	if p.Setting(payments.Eftpay, "user_confirm_key") != "S0000001" || p.Setting(payments.QFPay, "sign_type") != "SHA256" ||
		p.Setting(payments.QFPay, "app_code") != "APPCODE" || p.Printer.Width != 42 || p.ManagerPIN != "hash" {
		t.Fatalf("legacy profile read as %+v", p)
	}
	if p.Setting(payments.Eftpay, "secret") != "" || p.Setting(payments.QFPay, "client_key") != "" {
		t.Fatal("LoadProfile kept the legacy journal's secrets")
	}
	stored, err := loadStored(ctx, j, "T001")
	if err != nil || stored.Setting(payments.Eftpay, "secret") != "testsignkey1234" || !stored.hasSecrets() {
		t.Fatalf("the legacy secrets are not seen for the migration: %v", err)
	}

	b, err := json.Marshal(stored)
	if err != nil {
		t.Fatal(err)
	}
	keysOf := func(b []byte) (top []string, objs map[string][]string) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		objs = map[string][]string{}
		for k, v := range m {
			top = append(top, k)
			if k == "eftpay" || k == "qfpay" {
				var o map[string]any
				json.Unmarshal(v, &o)
				for ok := range o {
					objs[k] = append(objs[k], ok)
				}
				slices.Sort(objs[k])
			}
		}
		slices.Sort(top)
		return top, objs
	}
	oldTop, oldObjs := keysOf([]byte(legacyJSON))
	newTop, newObjs := keysOf(b)
	// A provider registered by a test (testpay) adds its own object.
	newTop = slices.DeleteFunc(newTop, func(k string) bool { return k == string(testPay) })
	if !slices.Equal(oldTop, newTop) {
		t.Errorf("top-level keys\n old %v\n new %v", oldTop, newTop)
	}
	for k := range oldObjs {
		if !slices.Equal(oldObjs[k], newObjs[k]) {
			t.Errorf("%s keys\n old %v\n new %v", k, oldObjs[k], newObjs[k])
		}
	}
	var back Profile
	if err := json.Unmarshal(b, &back); err != nil || back.Setting(payments.QFPay, "client_key") != "CLIENTKEY12345" {
		t.Fatalf("round trip: %v", err)
	}
}

// TestProfileCopiesShareNoSettings: Set on one copy of a profile leaves
// the others as they were (the settings are maps).
func TestProfileCopiesShareNoSettings(t *testing.T) {
	var a Profile
	a.Set(payments.Eftpay, "secret", "one")
	b := a
	b.Set(payments.Eftpay, "secret", "two")
	c := a.withoutSecrets()
	r := a.Redacted()
	if a.Setting(payments.Eftpay, "secret") != "one" || b.Setting(payments.Eftpay, "secret") != "two" ||
		c.Setting(payments.Eftpay, "secret") != "" || r.Setting(payments.Eftpay, "secret") != "****" {
		t.Fatalf("a %q b %q c %q r %q", a.Setting(payments.Eftpay, "secret"), b.Setting(payments.Eftpay, "secret"),
			c.Setting(payments.Eftpay, "secret"), r.Setting(payments.Eftpay, "secret"))
	}
}
