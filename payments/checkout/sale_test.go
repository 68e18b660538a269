package checkout

import (
	"context"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/storage"
)

func TestMPMPaidByPolling(t *testing.T) {
	for _, m := range []struct {
		p    payments.Provider
		code string
	}{{payments.Eftpay, "ALIPAYHK"}, {payments.Eftpay, "PAYME"}, {payments.Eftpay, "FPS"}, {payments.QFPay, "800101"}, {payments.QFPay, "802001"}} {
		t.Run(string(m.p)+"/"+m.code, func(t *testing.T) {
			r := newRig(t, rigOptions{})
			s := r.charge(m.p, m.code, 1234, "")
			u := r.waitUpdate(s.Order.OutTradeNo, UpdateQR)
			if u.Order.QRCode == "" || u.Order.State != payments.Pending {
				t.Fatalf("QR update = %+v", u.Order)
			}
			if err := r.sb.Pay(s.Order.OutTradeNo, "success"); err != nil {
				t.Fatal(err)
			}
			o := r.wait(s)
			if o.State != payments.Paid || !r.sandboxPaid(o.OutTradeNo) {
				t.Fatalf("order %s = %s, sandbox paid %v", o.OutTradeNo, o.State, r.sandboxPaid(o.OutTradeNo))
			}
			evs, _ := r.j.Events(context.Background(), o.OutTradeNo)
			if len(evs) < 4 || evs[1].Kind != "request" {
				t.Fatalf("write-ahead: the request event must follow creation, got %+v", evs)
			}
		})
	}
}

func TestMPMPaidByNotification(t *testing.T) {
	// Polling so slow that only a notification can end the wait in time.
	slow := PollSchedule{First: time.Minute, Fast: time.Minute, FastFor: time.Minute, Slow: time.Minute}
	for _, m := range []struct {
		p    payments.Provider
		code string
	}{{payments.Eftpay, "WECHATHK"}, {payments.QFPay, "800201"}} {
		t.Run(string(m.p), func(t *testing.T) {
			r := newRig(t, rigOptions{notify: true, poll: slow, timeout: 5 * time.Minute})
			s := r.charge(m.p, m.code, 500, "")
			r.waitUpdate(s.Order.OutTradeNo, UpdateQR)
			if err := r.sb.Pay(s.Order.OutTradeNo, "success"); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			o, err := s.Wait(ctx)
			if err != nil || o.State != payments.Paid {
				t.Fatalf("order = %+v, %v", o.State, err)
			}
			evs, _ := r.j.Events(ctx, o.OutTradeNo)
			found := false
			for _, ev := range evs {
				found = found || ev.Kind == "notification" && ev.StateTo == payments.Paid
			}
			if !found {
				t.Fatal("paid without a notification event")
			}
		})
	}
}

func TestCancelClosesAtProvider(t *testing.T) {
	r := newRig(t, rigOptions{timeout: time.Minute})
	s := r.charge(payments.Eftpay, "WECHATHK", 800, "")
	r.waitUpdate(s.Order.OutTradeNo, UpdateQR)
	s.Cancel()
	o := r.wait(s)
	if o.State != payments.Closed {
		t.Fatalf("cancelled order = %s (%s)", o.State, o.Reason)
	}
	v, _ := r.sb.Order(o.OutTradeNo)
	if v.Paid || v.State != "TRADE_CLOSED" {
		t.Fatalf("sandbox order = %+v", v)
	}
}

func TestCancelButPaidMeanwhileIsPaid(t *testing.T) {
	r := newRig(t, rigOptions{timeout: time.Minute, poll: PollSchedule{First: time.Minute, Fast: time.Minute, FastFor: time.Minute, Slow: time.Minute}})
	s := r.charge(payments.QFPay, "801501", 900, "")
	r.waitUpdate(s.Order.OutTradeNo, UpdateQR)
	r.sb.Pay(s.Order.OutTradeNo, "success") // the customer pays as the cashier cancels
	s.Cancel()
	if o := r.wait(s); o.State != payments.Paid {
		t.Fatalf("order paid before the close = %s", o.State)
	}
}

func TestMPMExpires(t *testing.T) {
	r := newRig(t, rigOptions{timeout: 500 * time.Millisecond})
	s := r.charge(payments.QFPay, "800701", 300, "")
	o := r.wait(s)
	if o.State != payments.Expired {
		t.Fatalf("order = %s", o.State)
	}
	if r.sandboxPaid(o.OutTradeNo) {
		t.Fatal("sandbox says paid")
	}
}

func TestCPMPaths(t *testing.T) {
	tests := []struct {
		code string
		want payments.State
	}{
		{"134567890123456700", payments.Paid},   // paid at once
		{"134567890123456743", payments.Paid},   // 1143 then paid
		{"134567890123456745", payments.Paid},   // 1145 then paid
		{"134567890123456744", payments.Failed}, // 1143 then failed
		{"134567890123456702", payments.Failed}, // bad code
		{"134567890123456701", payments.Failed}, // insufficient balance
		{"134567890123456746", payments.Closed}, // pending until reversed
		{"999", payments.Paid},                  // unknown shape still sent
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			r := newRig(t, rigOptions{cpm: time.Second})
			m := payments.CPMMethodFor(payments.ClassifyAuthCode(tt.code))
			s := r.charge(payments.QFPay, m.Code, 1000, tt.code)
			o := r.wait(s)
			if o.State != tt.want {
				t.Fatalf("order = %s (%s), want %s", o.State, o.Reason, tt.want)
			}
			if (o.State == payments.Paid) != r.sandboxPaid(o.OutTradeNo) {
				t.Fatal("journal and sandbox disagree")
			}
			if o.AuthCode == tt.code && len(tt.code) > 4 {
				t.Fatal("auth code journalled in full")
			}
		})
	}
}

func TestChargeRefusals(t *testing.T) {
	r := newRig(t, rigOptions{})
	ctx := context.Background()
	bad := []ChargeRequest{
		{Provider: payments.Eftpay, MethodCode: "800101", Amount: hkd(100)},
		{Provider: payments.Eftpay, MethodCode: "ALIPAYHK", Amount: hkd(1)},       // below 0.02
		{Provider: payments.Eftpay, MethodCode: "ALIPAYHK", Amount: hkd(6000001)}, // above 60000
		{Provider: payments.QFPay, MethodCode: "800008", Amount: hkd(100)},        // CPM without a code
		{Provider: payments.Eftpay, MethodCode: "ALIPAYHK", Amount: payments.Money{Minor: 100, Currency: "USD"}},
	}
	for _, req := range bad {
		if _, err := r.e.Charge(ctx, req); err == nil {
			t.Errorf("charge %+v accepted", req)
		}
	}
	if orders, _ := r.j.Orders(ctx, storage.Filter{}); len(orders) != 0 {
		t.Fatalf("refused charges left %d orders", len(orders))
	}
}
