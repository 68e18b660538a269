package eftpay_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/eftpay"
	"qrpos/payments/sandbox"
)

var ctx = context.Background()

// Every wallet's pre-order, query and close (or the refusal to close),
// over HTTP against the sandbox.
func TestPreOrderQueryCloseEveryWallet(t *testing.T) {
	r := newRig(t)
	for _, m := range mpmMethods() {
		t.Run(m.Code, func(t *testing.T) {
			no := r.no()
			res, err := r.gw.Pay(ctx, payments.PayRequest{OutTradeNo: no, Method: m, Amount: hkd(1230), Subject: "Noodles"})
			if err != nil {
				t.Fatal(err)
			}
			if res.State != payments.Pending || res.QRCode == "" || res.ProviderRef == "" || res.Code != "00" {
				t.Fatalf("pay result %+v", res)
			}
			req := r.lastRequest()
			for k, want := range map[string]string{"service": m.Services.PreOrder, "paytype": m.PayType, "payment_type": m.Code,
				"transaction_amount": "12.30", "buyertype": "others", "tid": "T001", "user_confirm_key": sandbox.DemoEftpayUser} {
				if req[k] != want {
					t.Errorf("request %s = %q, want %q", k, req[k], want)
				}
			}
			if _, sent := req["notify_url"]; sent {
				t.Error("an empty notify_url was sent: empty fields must be left out")
			}

			q, err := r.gw.Query(ctx, payments.QueryRequest{OutTradeNo: no, Method: m})
			if err != nil {
				t.Fatal(err)
			}
			if q.State != payments.Pending || q.Amount != hkd(1230) {
				t.Fatalf("query %+v", q)
			}
			if got := r.lastRequest(); got["querytype"] != "OUT_TRADE" || got["service"] != m.Services.Query {
				t.Fatalf("query request %v", got)
			}

			before := r.requestCount()
			c, err := r.gw.Close(ctx, payments.CloseRequest{OutTradeNo: no, Method: m, Amount: hkd(1230)})
			if !m.CanClose {
				wantKind(t, err, payments.KindUnsupported, "")
				if r.requestCount() != before {
					t.Fatal("a close the method does not have was sent")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.State != payments.Closed {
				t.Fatalf("close %+v", c)
			}
			if q, err := r.gw.Query(ctx, payments.QueryRequest{OutTradeNo: no, Method: m}); err != nil || q.State != payments.Closed {
				t.Fatalf("query after close: %+v %v", q, err)
			}
			_, err = r.gw.Close(ctx, payments.CloseRequest{OutTradeNo: no, Method: m})
			wantKind(t, err, payments.KindClosed, "-55")
		})
	}
}

// Paid sales of every wallet: query, partial and full refunds with the
// balance enforced, refund queries; FPS refused before sending.
func TestPayAndRefundEveryWallet(t *testing.T) {
	r := newRig(t)
	for _, m := range mpmMethods() {
		t.Run(m.Code, func(t *testing.T) {
			no := r.no()
			if _, err := r.gw.Pay(ctx, payments.PayRequest{OutTradeNo: no, Method: m, Amount: hkd(1000)}); err != nil {
				t.Fatal(err)
			}
			if err := r.sb.Pay(no, "success"); err != nil {
				t.Fatal(err)
			}
			q, err := r.gw.Query(ctx, payments.QueryRequest{OutTradeNo: no, Method: m})
			if err != nil || q.State != payments.Paid || q.Amount != hkd(1000) {
				t.Fatalf("query after paying: %+v %v", q, err)
			}
			if m.CanClose {
				c, err := r.gw.Close(ctx, payments.CloseRequest{OutTradeNo: no, Method: m})
				if err != nil || c.State != payments.Paid {
					t.Fatalf("closing a paid order: %+v %v (want the answer to say it is paid)", c, err)
				}
			}
			refund := func(rno string, minor int64) (payments.RefundResult, error) {
				return r.gw.Refund(ctx, payments.RefundRequest{OutTradeNo: no, RefundNo: rno, Method: m, Amount: hkd(minor), SaleAmount: hkd(1000)})
			}
			if !m.CanRefund {
				before := r.requestCount()
				_, err := refund(no+"R1", 100)
				wantKind(t, err, payments.KindUnsupported, "")
				if r.requestCount() != before {
					t.Fatal("a refund the method does not have was sent")
				}
				return
			}
			res, err := refund(no+"R1", 300)
			if err != nil || res.State != payments.RefundDone {
				t.Fatalf("partial refund: %+v %v", res, err)
			}
			resp, err := r.gw.Client().Query(ctx, payments.QueryRequest{OutTradeNo: no, RefundNo: no + "R1", Method: m})
			if err != nil || resp.Get("trade_status") != eftpay.TradeRefund || resp.Get("return_amount") != "3.00" {
				t.Fatalf("partial refund query: %v %v", resp, err)
			}
			_, err = refund(no+"R2", 701)
			wantKind(t, err, payments.KindRefundBalance, "-54")
			_, err = refund(no+"R1", 100)
			wantKind(t, err, payments.KindDuplicate, "03")

			if res, err := refund(no+"R3", 700); err != nil || res.State != payments.RefundDone {
				t.Fatalf("refund of the rest: %+v %v", res, err)
			}
			rq, err := r.gw.Query(ctx, payments.QueryRequest{OutTradeNo: no, RefundNo: no + "R3", Method: m})
			if err != nil || rq.RefundState != payments.RefundDone || rq.Amount != hkd(700) {
				t.Fatalf("full refund query: %+v %v", rq, err)
			}
			if resp, _ := r.gw.Client().Query(ctx, payments.QueryRequest{OutTradeNo: no, RefundNo: no + "R3", Method: m}); resp.Get("trade_status") != eftpay.TradeClosed {
				t.Fatalf("the refund that empties the balance: trade_status %q, want TRADE_CLOSED", resp.Get("trade_status"))
			}
			_, err = refund(no+"R4", 1)
			wantKind(t, err, payments.KindRefundBalance, "-54")
			_, err = r.gw.Query(ctx, payments.QueryRequest{OutTradeNo: no, RefundNo: no + "R9", Method: m})
			wantKind(t, err, payments.KindNotFound, "05")
			if v, _ := r.view(no); v.Refunded != "10.00" || !v.Paid {
				t.Fatalf("sandbox view %+v", v)
			}
		})
	}
}

func TestApplePayToken(t *testing.T) {
	r := newRig(t)
	m := tokenMethod(t)
	tests := []struct {
		token string
		want  payments.State
		trade string
	}{
		{`{"data":"jOlUJcWQObX5jyThzIM1IU","version":"EC_v1"}`, payments.Paid, eftpay.TradeSuccess},
		{`{"data":"DECLINE-me","version":"EC_v1"}`, payments.Failed, eftpay.TradeClosed},
	}
	for _, tc := range tests {
		no := r.no()
		res, err := r.gw.Pay(ctx, payments.PayRequest{OutTradeNo: no, Method: m, Amount: hkd(100), AuthCode: tc.token, Subject: "Cake"})
		if err != nil {
			t.Fatal(err)
		}
		if res.State != tc.want || res.ProviderRef == "" {
			t.Fatalf("token %s: %+v", tc.token, res)
		}
		req := r.lastRequest()
		for _, k := range []string{"payType", "buyerType", "wallet", "pay_scene", "fee_type", "token_id"} {
			if req[k] == "" {
				t.Errorf("request lacks %s: %v", k, req)
			}
		}
		if _, lower := req["paytype"]; lower {
			t.Error("the token service was sent a lower-case paytype")
		}
		if v, ok := r.view(no); !ok || v.State != tc.trade {
			t.Fatalf("sandbox view %+v", v)
		}
	}
	// No query service for the token method: refused, not sent.
	_, err := r.gw.Query(ctx, payments.QueryRequest{OutTradeNo: "X", Method: m})
	wantKind(t, err, payments.KindUnsupported, "")
}

// The PayMe UAT magic amounts, as the sandbox plays them.
func TestPayMeMagicAmounts(t *testing.T) {
	r := newRig(t)
	payme := method(t, "PAYME")
	type step func(t *testing.T, no string)
	query := func(want payments.State) step {
		return func(t *testing.T, no string) {
			q, err := r.gw.Query(ctx, payments.QueryRequest{OutTradeNo: no, Method: payme})
			if err != nil || q.State != want {
				t.Fatalf("query: %+v %v, want %s", q, err, want)
			}
		}
	}
	cannotPay := func(t *testing.T, no string) {
		if err := r.sb.Pay(no, "success"); err == nil {
			t.Fatal("the customer paid an order the rule says nobody can pay")
		}
	}
	expire := func(t *testing.T, no string) { r.clock.Advance(sandbox.EftpayOrderExpiry + time.Minute) }
	tests := []struct {
		amount int64
		steps  []step
	}{
		{81, []step{query(payments.Paid)}},
		{1281, []step{query(payments.Paid)}},
		{80, []step{query(payments.Pending), cannotPay, expire, query(payments.Closed)}},
		{77, []step{query(payments.Closed), cannotPay}},
		{45, []step{query(payments.Unknown), cannotPay, query(payments.Unknown), expire, query(payments.Closed)}},
		{1234, []step{query(payments.Pending), func(t *testing.T, no string) {
			if err := r.sb.Pay(no, "success"); err != nil {
				t.Fatal(err)
			}
		}, query(payments.Paid)}},
	}
	for _, tc := range tests {
		t.Run(hkd(tc.amount).Decimal(), func(t *testing.T) {
			no := r.no()
			res, err := r.gw.Pay(ctx, payments.PayRequest{OutTradeNo: no, Method: payme, Amount: hkd(tc.amount)})
			if err != nil || res.State != payments.Pending || res.QRCode == "" {
				t.Fatalf("pre-order: %+v %v", res, err)
			}
			for _, s := range tc.steps {
				s(t, no)
			}
		})
	}
	t.Run("0.44", func(t *testing.T) {
		no := r.no()
		_, err := r.gw.Pay(ctx, payments.PayRequest{OutTradeNo: no, Method: payme, Amount: hkd(44)})
		wantKind(t, err, payments.KindSystem, "-1")
		if !errors.Is(err, payments.ErrOutcomeUnknown) {
			t.Fatalf("-1 (unsigned system error) is not an unknown outcome: %v", err)
		}
		if _, ok := r.view(no); ok {
			t.Fatal("rule 44 created an order")
		}
		_, err = r.gw.Query(ctx, payments.QueryRequest{OutTradeNo: no, Method: payme})
		wantKind(t, err, payments.KindNotFound, "05")
	})
	t.Run("other wallets ignore the rule", func(t *testing.T) {
		no := r.no()
		if _, err := r.gw.Pay(ctx, payments.PayRequest{OutTradeNo: no, Method: method(t, "ALIPAYHK"), Amount: hkd(77)}); err != nil {
			t.Fatal(err)
		}
		if v, _ := r.view(no); v.State != eftpay.TradeWaiting {
			t.Fatalf("Alipay 0.77: %s", v.State)
		}
	})
}

func TestExpiry(t *testing.T) {
	r := newRig(t)
	m := method(t, "WECHATHK")
	no := r.no()
	if _, err := r.gw.Pay(ctx, payments.PayRequest{OutTradeNo: no, Method: m, Amount: hkd(500)}); err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(sandbox.EftpayOrderExpiry - time.Second)
	if q, err := r.gw.Query(ctx, payments.QueryRequest{OutTradeNo: no, Method: m}); err != nil || q.State != payments.Pending {
		t.Fatalf("just before expiry: %+v %v", q, err)
	}
	r.clock.Advance(time.Second)
	if q, err := r.gw.Query(ctx, payments.QueryRequest{OutTradeNo: no, Method: m}); err != nil || q.State != payments.Closed {
		t.Fatalf("at expiry: %+v %v", q, err)
	}
	if err := r.sb.Pay(no, "success"); err == nil {
		t.Fatal("an expired order was paid")
	}
}

func TestRefusals(t *testing.T) {
	r := newRig(t)
	alipay := method(t, "ALIPAYHK")
	pay := func(gw *eftpay.Gateway, no string, amount payments.Money) error {
		_, err := gw.Pay(ctx, payments.PayRequest{OutTradeNo: no, Method: alipay, Amount: amount})
		return err
	}

	t.Run("duplicate", func(t *testing.T) {
		no := r.no()
		if err := pay(r.gw, no, hkd(100)); err != nil {
			t.Fatal(err)
		}
		wantKind(t, pay(r.gw, no, hkd(100)), payments.KindDuplicate, "03")
	})
	t.Run("unknown user key", func(t *testing.T) {
		gw := r.gateway(func(c *eftpay.Config) { c.UserConfirmKey = "S9999999" })
		wantKind(t, pay(gw, r.no(), hkd(100)), payments.KindAuth, "11")
	})
	t.Run("wrong secret", func(t *testing.T) {
		// The sandbox answers 10, signed with the real secret: this client
		// cannot verify it, so nothing it says is believed.
		gw := r.gateway(func(c *eftpay.Config) { c.Secret = "not-the-secret" })
		no := r.no()
		err := pay(gw, no, hkd(100))
		var ue *eftpay.UnverifiedError
		if !errors.As(err, &ue) || !errors.Is(err, payments.ErrOutcomeUnknown) || ue.Claimed != "10" {
			t.Fatalf("err = %v, want an unverified answer claiming 10", err)
		}
		if _, ok := r.view(no); ok {
			t.Fatal("a badly signed request created an order")
		}
	})
	t.Run("clock off", func(t *testing.T) {
		gw := r.gateway(func(c *eftpay.Config) { c.Now = func() time.Time { return r.clock.Now().Add(6 * time.Minute) } })
		wantKind(t, pay(gw, r.no(), hkd(100)), payments.KindClock, "12")
		gw = r.gateway(func(c *eftpay.Config) { c.Now = func() time.Time { return r.clock.Now().Add(-4 * time.Minute) } })
		if err := pay(gw, r.no(), hkd(100)); err != nil {
			t.Fatalf("4 minutes off is inside the window: %v", err)
		}
	})
	t.Run("amount range", func(t *testing.T) {
		wantKind(t, pay(r.gw, r.no(), hkd(1)), payments.KindAmount, "-23")
		wantKind(t, pay(r.gw, r.no(), hkd(6_000_001)), payments.KindAmount, "-23")
		if err := pay(r.gw, r.no(), hkd(6_000_000)); err != nil {
			t.Fatalf("60000.00: %v", err)
		}
	})
	t.Run("currency", func(t *testing.T) {
		before := r.requestCount()
		wantKind(t, pay(r.gw, r.no(), payments.Money{Minor: 100, Currency: "USD"}), payments.KindAmount, "")
		if r.requestCount() != before {
			t.Fatal("a USD amount was sent")
		}
	})
	t.Run("not found", func(t *testing.T) {
		_, err := r.gw.Close(ctx, payments.CloseRequest{OutTradeNo: r.no(), Method: alipay})
		wantKind(t, err, payments.KindNotFound, "05")
	})
	t.Run("refund before payment", func(t *testing.T) {
		no := r.no()
		if err := pay(r.gw, no, hkd(100)); err != nil {
			t.Fatal(err)
		}
		_, err := r.gw.Refund(ctx, payments.RefundRequest{OutTradeNo: no, RefundNo: no + "R", Method: alipay, Amount: hkd(100)})
		wantKind(t, err, payments.KindRefundRefused, "16")
	})
	t.Run("customer declines", func(t *testing.T) {
		no := r.no()
		if err := pay(r.gw, no, hkd(100)); err != nil {
			t.Fatal(err)
		}
		if err := r.sb.Pay(no, "fail"); err != nil {
			t.Fatal(err)
		}
		q, err := r.gw.Query(ctx, payments.QueryRequest{OutTradeNo: no, Method: alipay})
		if err != nil || q.State != payments.Closed {
			t.Fatalf("query: %+v %v", q, err)
		}
		_, err = r.gw.Refund(ctx, payments.RefundRequest{OutTradeNo: no, RefundNo: no + "R", Method: alipay, Amount: hkd(100)})
		wantKind(t, err, payments.KindClosed, "-55")
	})
	t.Run("consumer-presented", func(t *testing.T) {
		cpm := payments.CPMMethodFor(payments.AlipayHK)
		_, err := r.gw.Pay(ctx, payments.PayRequest{OutTradeNo: r.no(), Method: cpm, Amount: hkd(100), AuthCode: "281234567890123456"})
		wantKind(t, err, payments.KindUnsupported, "")
	})
}

// Each fault of the sandbox: the outcome is unknown, and the sandbox
// processed the call exactly when the fault says it does.
func TestFaultsMakeTheOutcomeUnknown(t *testing.T) {
	r := newRig(t)
	m := method(t, "ALIPAYCN")
	tests := []struct {
		fault   sandbox.Fault
		created bool
	}{
		{sandbox.Fault{Kind: sandbox.FaultLatency, Latency: 700 * time.Millisecond, Count: 1}, true},
		{sandbox.Fault{Kind: sandbox.FaultDrop, Count: 1}, true},
		{sandbox.Fault{Kind: sandbox.Fault5xx, Count: 1}, false},
		{sandbox.Fault{Kind: sandbox.FaultBadSignature, Count: 1}, true},
	}
	gw := r.gateway(func(c *eftpay.Config) { c.Timeout = 300 * time.Millisecond })
	for _, tc := range tests {
		t.Run(string(tc.fault.Kind), func(t *testing.T) {
			if err := r.sb.InjectFault(tc.fault); err != nil {
				t.Fatal(err)
			}
			no := r.no()
			_, err := gw.Pay(ctx, payments.PayRequest{OutTradeNo: no, Method: m, Amount: hkd(250)})
			if !errors.Is(err, payments.ErrOutcomeUnknown) {
				t.Fatalf("err = %v, want ErrOutcomeUnknown", err)
			}
			var pe *payments.ProviderError
			if errors.As(err, &pe) {
				t.Fatalf("an unknown outcome is also a provider refusal: %v", err)
			}
			// The engine queries the same number to learn what happened.
			deadline := time.Now().Add(3 * time.Second)
			for {
				q, err := gw.Query(ctx, payments.QueryRequest{OutTradeNo: no, Method: m})
				if tc.created && err == nil && q.State == payments.Pending {
					break
				}
				if !tc.created && payments.IsKind(err, payments.KindNotFound) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("query after the fault: %+v %v (created: %v)", q, err, tc.created)
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
	t.Run("caller's context", func(t *testing.T) {
		r.sb.InjectFault(sandbox.Fault{Kind: sandbox.FaultLatency, Latency: 500 * time.Millisecond, Count: 1})
		cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		_, err := r.gw.Pay(cctx, payments.PayRequest{OutTradeNo: r.no(), Method: m, Amount: hkd(250)})
		if !errors.Is(err, payments.ErrOutcomeUnknown) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want unknown and the context's deadline", err)
		}
	})
}
