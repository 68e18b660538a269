package sandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestFaultCounting(t *testing.T) {
	s := New(Config{})
	defer s.Close()
	if err := s.InjectFault(Fault{Kind: "melt"}); err == nil {
		t.Fatal("unknown fault kind accepted")
	}
	if err := s.InjectFault(Fault{Kind: Fault5xx, Provider: "qfpay", Count: 2}); err != nil {
		t.Fatal(err)
	}
	if f := s.takeFault("eftpay"); f.Kind != "" {
		t.Fatalf("qfpay fault applied to eftpay: %+v", f)
	}
	for i := 0; i < 2; i++ {
		if f := s.takeFault("qfpay"); f.Kind != Fault5xx {
			t.Fatalf("call %d: fault = %+v", i, f)
		}
	}
	if f := s.takeFault("qfpay"); f.Kind != "" {
		t.Fatalf("fault outlived its count: %+v", f)
	}
	s.InjectFault(Fault{Kind: FaultLatency, Latency: time.Millisecond})
	for i := 0; i < 3; i++ {
		if f := s.takeFault("eftpay"); f.Kind != FaultLatency {
			t.Fatal("global fault expired")
		}
	}
	s.ClearFaults()
	if f := s.takeFault("eftpay"); f.Kind != "" {
		t.Fatal("faults not cleared")
	}
}

func TestControlEndpoints(t *testing.T) {
	s := New(Config{})
	defer s.Close()
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	resp, err := http.PostForm(srv.URL+"/sandbox/pay", url.Values{"out_trade_no": {"NOPE"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("paying an unknown order: HTTP %d", resp.StatusCode)
	}
	resp, err = http.Post(srv.URL+"/sandbox/faults", "application/json", strings.NewReader(`{"kind":"drop","provider":"eftpay","count":1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || s.takeFault("eftpay").Kind != FaultDrop {
		t.Fatalf("fault endpoint: HTTP %d", resp.StatusCode)
	}
	resp, err = http.Get(srv.URL + "/sandbox/orders")
	if err != nil {
		t.Fatal(err)
	}
	var orders []OrderView
	if err := json.NewDecoder(resp.Body).Decode(&orders); err != nil {
		t.Fatalf("orders is not a JSON list: %v", err)
	}
	resp.Body.Close()
}
