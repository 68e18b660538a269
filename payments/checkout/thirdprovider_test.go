package checkout

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"qrpos/payments"
)

// A third provider, registered only here: its own methods, amount range,
// settings (one of them secret, one validated) and gateway. Nothing else in
// the project knows it. The tests below prove that adding a provider needs
// no edit outside its own package and its registration: the profile offers
// it, reads it from the file, keeps it in the journal without its secret,
// refuses an unknown key in its table, and the engine charges through it
// within its range.

const testPay payments.Provider = "testpay"

var testPayRange = payments.Range{Min: 500, Max: 20_000}

func init() {
	payments.RegisterProvider(payments.ProviderInfo{
		Name:  testPay,
		Title: "TestPay",
		Range: testPayRange,
		Methods: []payments.Method{
			{Provider: testPay, Code: "TPQR", Wallet: "testwallet", Name: "Test Wallet", Mode: payments.MPM, Cancel: payments.CancelClose, CanClose: true, CanRefund: true},
			{Provider: testPay, Code: "TPTOKEN", Wallet: "testwallet", Name: "Test Token", Mode: payments.Token},
		},
		Settings: []payments.Setting{
			{Key: "endpoint", Label: "Endpoint", Required: true},
			{Key: "merchant", Label: "Merchant", Required: true},
			{Key: "api_key", Label: "API key", Secret: true, Required: true},
			{Key: "region", Label: "Region", Choices: []string{"HK", "MO"}, Default: "HK"},
		},
		HostKey: "endpoint",
		Validate: func(s payments.Settings) error {
			if r := s["region"]; r != "" && r != "HK" && r != "MO" {
				return errors.New("region: use HK or MO")
			}
			return nil
		},
		New: func(s payments.Settings, env payments.GatewayEnv) (payments.Gateway, error) {
			return &testPayGateway{merchant: s["merchant"], key: s["api_key"], tid: env.TID}, nil
		},
	})
}

// testPayGateway pays every order at once and says so when asked.
type testPayGateway struct {
	merchant, key, tid string
	mu                 sync.Mutex
	paid               map[string]payments.PayRequest
}

func (g *testPayGateway) Provider() payments.Provider { return testPay }

func (g *testPayGateway) Pay(_ context.Context, r payments.PayRequest) (payments.PayResult, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.paid == nil {
		g.paid = map[string]payments.PayRequest{}
	}
	g.paid[r.OutTradeNo] = r
	return payments.PayResult{State: payments.Paid, QRCode: "testpay://" + r.OutTradeNo, ProviderRef: "TP-" + r.OutTradeNo}, nil
}

func (g *testPayGateway) Query(_ context.Context, r payments.QueryRequest) (payments.QueryResult, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	p, ok := g.paid[r.OutTradeNo]
	if !ok {
		return payments.QueryResult{}, &payments.ProviderError{Provider: testPay, Op: "query", OrderNo: r.OutTradeNo, Kind: payments.KindNotFound}
	}
	return payments.QueryResult{State: payments.Paid, ProviderRef: "TP-" + p.OutTradeNo, Amount: p.Amount,
		OutTradeNo: p.OutTradeNo, MethodCode: p.Method.Code, TID: p.TID}, nil
}

func (g *testPayGateway) Close(_ context.Context, r payments.CloseRequest) (payments.CloseResult, error) {
	return payments.CloseResult{State: payments.Closed}, nil
}

func (g *testPayGateway) Refund(_ context.Context, r payments.RefundRequest) (payments.RefundResult, error) {
	return payments.RefundResult{}, &payments.ProviderError{Provider: testPay, Op: "refund", OrderNo: r.OutTradeNo, Kind: payments.KindRefundRefused}
}

// testPayTOML is sampleTOML with a [testpay] table.
const testPayTOML = sampleTOML + `[testpay]
endpoint = "https://api.testpay.example"
merchant = "M-77"
api_key = "TESTPAY-SECRET-KEY-0001"
region = "MO"
`

func TestThirdProviderFromTheFile(t *testing.T) {
	p, err := LoadProfileFile(writeConfig(t, strings.Replace(testPayTOML, `methods = ["eftpay:ALIPAYHK", "qfpay:800008"]`, "", 1), 0o600))
	if err != nil {
		t.Fatal(err)
	}
	// Configured from its table.
	if !p.Configured(testPay) || p.Setting(testPay, "merchant") != "M-77" || p.Setting(testPay, "region") != "MO" {
		t.Fatalf("testpay settings: %+v", p.Redacted().Providers)
	}
	// Offered: its methods (not the token one) after the shipped providers'.
	var ids []string
	for _, m := range p.Offered() {
		if m.Provider == testPay {
			ids = append(ids, m.ID())
		}
	}
	if strings.Join(ids, ",") != "testpay:TPQR" {
		t.Fatalf("testpay offered %v", ids)
	}
	// Its secret is masked like the others.
	if red := p.Redacted(); strings.Contains(red.Setting(testPay, "api_key"), "SECRET") || !strings.HasSuffix(red.Setting(testPay, "api_key"), "0001") {
		t.Fatalf("redacted api_key %q", red.Setting(testPay, "api_key"))
	}
	// A profile naming its method offers just that.
	p.Methods = []string{"testpay:TPQR"}
	if err := p.Validate(); err != nil || len(p.Offered()) != 1 || p.Offered()[0].Range() != testPayRange {
		t.Fatalf("methods = testpay:TPQR: %v, %v", p.Offered(), err)
	}
	// Without its secret it is not configured and not offered.
	p.Set(testPay, "api_key", "")
	if p.Configured(testPay) || len(p.Offered()) != 0 {
		t.Fatalf("testpay without api_key: configured %v, offered %v", p.Configured(testPay), p.Offered())
	}
}

func TestThirdProviderRefusals(t *testing.T) {
	var ce *ConfigError
	for name, tc := range map[string]struct{ body, want string }{
		"unknown key": {strings.Replace(testPayTOML, `region = "MO"`, "region = \"MO\"\napi_secret = \"x\"", 1),
			"unknown keys: testpay.api_secret ([testpay] takes endpoint, merchant, api_key, region)"},
		"validated":      {strings.Replace(testPayTOML, `region = "MO"`, `region = "TW"`, 1), "testpay: region: use HK or MO"},
		"not a string":   {strings.Replace(testPayTOML, `merchant = "M-77"`, `merchant = 77`, 1), "testpay.merchant: want a string in quotes"},
		"not a provider": {testPayTOML + "[otherpay]\nkey = \"x\"\n", "unknown keys: otherpay, otherpay.key (the providers are eftpay, qfpay, testpay)"},
	} {
		_, err := LoadProfileFile(writeConfig(t, tc.body, 0o600))
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v\nwant it to say: %s", name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "TESTPAY-SECRET") {
			t.Errorf("%s: the error quotes the secret: %v", name, err)
		}
	}
}

// TestThirdProviderInTheJournal: the journal keeps its table as a
// top-level object, without the secret; the secret goes back to the file;
// a restart runs with both.
func TestThirdProviderInTheJournal(t *testing.T) {
	ctx := context.Background()
	j, jpath := openTestJournal(t)
	cfg := writeConfig(t, testPayTOML, 0o600)
	file, err := LoadProfileFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p, err := SyncProfile(ctx, j, file)
	if err != nil || p.Setting(testPay, "api_key") != "TESTPAY-SECRET-KEY-0001" {
		t.Fatalf("sync: %+v, %v", p.Redacted(), err)
	}
	var stored map[string]json.RawMessage
	if err := json.Unmarshal([]byte(storedJSON(t, j, "T001")), &stored); err != nil {
		t.Fatal(err)
	}
	var tp map[string]string
	if err := json.Unmarshal(stored["testpay"], &tp); err != nil || tp["endpoint"] != "https://api.testpay.example" ||
		tp["merchant"] != "M-77" || tp["region"] != "MO" || tp["api_key"] != "" {
		t.Fatalf("journal's testpay = %s (%v)", stored["testpay"], err)
	}
	if _, ok := stored["eftpay"]; !ok {
		t.Fatalf("journal lost eftpay: %s", storedJSON(t, j, "T001"))
	}
	// JSON round trip of the full profile.
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back Profile
	if err := json.Unmarshal(b, &back); err != nil || back.Setting(testPay, "api_key") != "TESTPAY-SECRET-KEY-0001" ||
		back.Setting(testPay, "region") != "MO" || back.Setting(payments.QFPay, "client_key") != fileQFKey {
		t.Fatalf("round trip: %+v, %v", back.Redacted().Providers, err)
	}
	// The manager changes the key and the region on the terminal.
	p.Set(testPay, "api_key", "TESTPAY-SECRET-KEY-0002")
	p.Set(testPay, "region", "HK")
	if err := SaveProfile(ctx, j, p); err != nil {
		t.Fatal(err)
	}
	if raw := storedJSON(t, j, "T001"); strings.Contains(raw, "TESTPAY-SECRET") {
		t.Fatalf("journal holds the secret: %s", raw)
	}
	f2, err := LoadProfileFile(cfg)
	if err != nil || f2.Setting(testPay, "api_key") != "TESTPAY-SECRET-KEY-0002" || f2.SeedHash != file.SeedHash {
		t.Fatalf("file after the edit: %+v, %v", f2.Redacted().Providers, err)
	}
	p2, err := SyncProfile(ctx, j, f2)
	if err != nil || p2.Setting(testPay, "region") != "HK" || p2.Setting(testPay, "api_key") != "TESTPAY-SECRET-KEY-0002" {
		t.Fatalf("restart: %+v, %v", p2.Redacted().Providers, err)
	}
	j.Close()
	for _, f := range []string{jpath, jpath + "-wal"} {
		if b, _ := readIfExists(f); strings.Contains(string(b), "TESTPAY-SECRET") {
			t.Fatalf("%s holds the secret", f)
		}
	}
}

// TestThirdProviderCharges: the gateway comes from the registry and the
// profile's settings, the engine refuses an amount outside the provider's
// range and charges one inside it.
func TestThirdProviderCharges(t *testing.T) {
	p, err := LoadProfileFile(writeConfig(t, testPayTOML, 0o600))
	if err != nil {
		t.Fatal(err)
	}
	info, _ := payments.LookupProvider(testPay)
	g, err := info.NewGateway(p.Settings(testPay), payments.GatewayEnv{TID: p.TID})
	if err != nil {
		t.Fatal(err)
	}
	if tg := g.(*testPayGateway); tg.merchant != "M-77" || tg.key != "TESTPAY-SECRET-KEY-0001" || tg.tid != "T001" {
		t.Fatalf("gateway built with %+v", tg)
	}
	j, _ := openTestJournal(t)
	cfg := p.EngineConfig()
	cfg.Logger = quiet
	e, err := New(j, cfg, g)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var ae *payments.AmountError
	if _, err := e.Charge(context.Background(), ChargeRequest{Provider: testPay, MethodCode: "TPQR", Amount: hkd(499)}); !errors.As(err, &ae) {
		t.Fatalf("HK$4.99 below testpay's minimum: %v", err)
	}
	if _, err := e.Charge(context.Background(), ChargeRequest{Provider: testPay, MethodCode: "TPQR", Amount: hkd(20_001)}); !errors.As(err, &ae) {
		t.Fatalf("HK$200.01 above testpay's maximum: %v", err)
	}
	s, err := e.Charge(context.Background(), ChargeRequest{Provider: testPay, MethodCode: "TPQR", Amount: hkd(12_000)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	o, err := s.Wait(ctx)
	if err != nil || o.State != payments.Paid || o.Provider != testPay {
		t.Fatalf("testpay sale: %+v, %v", o, err)
	}
}

func readIfExists(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return b, err
}
