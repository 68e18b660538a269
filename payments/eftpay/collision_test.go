package eftpay_test

import (
	"errors"
	"testing"

	"qrpos/payments"
)

// TestQueryReportsTheRecord: a query fills in what eftPay's record says it
// is about, from the record (never from the request): out_trade_no (the
// refund_no for a refund), payment_type, tid, amount and currency.
func TestQueryReportsTheRecord(t *testing.T) {
	r := newRig(t)
	m := method(t, "ALIPAYCN")
	no := r.no()
	if _, err := r.gw.Pay(ctx, payments.PayRequest{OutTradeNo: no, TID: "T042", Method: m, Amount: hkd(880)}); err != nil {
		t.Fatal(err)
	}
	r.sb.Pay(no, "success")
	q, err := r.gw.Query(ctx, payments.QueryRequest{OutTradeNo: no, Method: m, Amount: hkd(1)})
	if err != nil || q.State != payments.Paid || q.OutTradeNo != no || q.MethodCode != "ALIPAYCN" || q.TID != "T042" || q.Amount != hkd(880) {
		t.Fatalf("sale record: %+v %v", q, err)
	}
	if _, err := r.gw.Refund(ctx, payments.RefundRequest{OutTradeNo: no, RefundNo: no + "R", Method: m, Amount: hkd(80)}); err != nil {
		t.Fatal(err)
	}
	q, err = r.gw.Query(ctx, payments.QueryRequest{OutTradeNo: no, RefundNo: no + "R", Method: m})
	if err != nil || q.RefundState != payments.RefundDone || q.OutTradeNo != no+"R" || q.MethodCode != "ALIPAYCN" || q.Amount != hkd(80) {
		t.Fatalf("refund record: %+v %v", q, err)
	}
}

// TestCollisionWithAStrangersOrder: a number another terminal already used
// at eftPay is refused with 03 on the first send, and its query answers the
// stranger's record, which payments.Match refuses.
func TestCollisionWithAStrangersOrder(t *testing.T) {
	r := newRig(t)
	for _, c := range []struct {
		name, stranger string
		amount         int64
		tid, field     string
	}{
		{"paid, another amount", "ALIPAYHK", 99900, "T999", "amount"},
		{"paid, another wallet of the same service", "ALIPAYCN", 1230, "T001", "method"},
		{"same amount, another terminal", "ALIPAYHK", 1230, "T999", "tid"},
	} {
		t.Run(c.name, func(t *testing.T) {
			no := r.no()
			if err := r.sb.SeedOrder(payments.Eftpay, no, c.stranger, hkd(c.amount), true, c.tid); err != nil {
				t.Fatal(err)
			}
			m := method(t, "ALIPAYHK")
			_, err := r.gw.Pay(ctx, payments.PayRequest{OutTradeNo: no, TID: "T001", Method: m, Amount: hkd(1230)})
			wantKind(t, err, payments.KindDuplicate, "03")
			if errors.Is(err, payments.ErrOutcomeUnknown) {
				t.Fatalf("03 is a verified refusal, not an unknown outcome: %v", err)
			}
			q, err := r.gw.Query(ctx, payments.QueryRequest{OutTradeNo: no, Method: m, Amount: hkd(1230)})
			if err != nil || q.State != payments.Paid {
				t.Fatalf("the stranger's record: %+v %v", q, err)
			}
			ours := payments.Order{OutTradeNo: no, TID: "T001", Provider: payments.Eftpay, MethodCode: "ALIPAYHK", Amount: hkd(1230)}
			var ce *payments.CollisionError
			err = payments.Match(ours, payments.Said{OutTradeNo: q.OutTradeNo, Amount: q.Amount, MethodCode: q.MethodCode, TID: q.TID})
			if !errors.As(err, &ce) || ce.Field != c.field {
				t.Fatalf("Match: %v, want a collision on %s (record %+v)", err, c.field, q)
			}
		})
	}
	if err := r.sb.SeedOrder(payments.Eftpay, "X1", "ALIPAYHK", hkd(1), false, ""); err == nil {
		t.Error("seeded an amount eftPay refuses")
	}
	if err := r.sb.SeedOrder(payments.Eftpay, "X2", "MPGS", hkd(100), true, ""); err == nil {
		t.Error("seeded a token payment")
	}
}
