package checkout

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"qrpos/payments"
	"qrpos/payments/sandbox"
	"qrpos/storage"
)

func (r *rig) paidSale(p payments.Provider, code string, minor int64) payments.Order {
	r.t.Helper()
	s := r.charge(p, code, minor, "")
	r.waitUpdate(s.Order.OutTradeNo, UpdateQR)
	if err := r.sb.Pay(s.Order.OutTradeNo, "success"); err != nil {
		r.t.Fatal(err)
	}
	o := r.wait(s)
	if o.State != payments.Paid {
		r.t.Fatalf("sale = %s", o.State)
	}
	return o
}

func TestRefunds(t *testing.T) {
	for _, m := range []struct {
		p    payments.Provider
		code string
	}{{payments.Eftpay, "ALIPAYHK"}, {payments.QFPay, "800201"}} {
		t.Run(string(m.p), func(t *testing.T) {
			ctx := context.Background()
			r := newRig(t, rigOptions{})
			o := r.paidSale(m.p, m.code, 1000)
			r1, err := r.e.Refund(ctx, o.OutTradeNo, hkd(300))
			if err != nil || r1.State != payments.RefundDone {
				t.Fatalf("partial refund = %+v, %v", r1, err)
			}
			got, _ := r.j.Order(ctx, o.OutTradeNo)
			if got.State != payments.PartlyRefunded || got.Refundable().Minor != 700 {
				t.Fatalf("after partial: %s, refundable %v", got.State, got.Refundable())
			}
			var re *storage.RefundError
			if _, err := r.e.Refund(ctx, o.OutTradeNo, hkd(701)); !errors.As(err, &re) {
				t.Fatalf("over-refund: %v", err)
			}
			r2, err := r.e.Refund(ctx, o.OutTradeNo, hkd(700))
			if err != nil || r2.State != payments.RefundDone || r2.RefundNo == r1.RefundNo {
				t.Fatalf("second refund = %+v, %v", r2, err)
			}
			got, _ = r.j.Order(ctx, o.OutTradeNo)
			if got.State != payments.Refunded {
				t.Fatalf("after full: %s", got.State)
			}
			v, _ := r.sb.Order(o.OutTradeNo)
			if v.Refunded != "10.00" {
				t.Fatalf("sandbox refunded = %q", v.Refunded)
			}
		})
	}
}

func TestRefundRefusedForFPS(t *testing.T) {
	r := newRig(t, rigOptions{})
	o := r.paidSale(payments.Eftpay, "FPS", 500)
	var re *storage.RefundError
	if _, err := r.e.Refund(context.Background(), o.OutTradeNo, hkd(100)); !errors.As(err, &re) {
		t.Fatalf("FPS refund: %v", err)
	}
}

func TestRefundWithDroppedAnswerIsConfirmedByQuery(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, rigOptions{callTime: 300 * time.Millisecond})
	o := r.paidSale(payments.QFPay, "800101", 1000)
	r.sb.InjectFault(sandbox.Fault{Kind: sandbox.FaultDrop, Provider: "qfpay", Count: 1})
	ref, err := r.e.Refund(ctx, o.OutTradeNo, hkd(400))
	if err != nil || ref.State != payments.RefundDone {
		t.Fatalf("refund after a dropped answer = %+v, %v", ref, err)
	}
	v, _ := r.sb.Order(o.OutTradeNo)
	if v.Refunded != "4.00" {
		t.Fatalf("sandbox refunded %q: the refund was sent twice or not at all", v.Refunded)
	}
}

func TestDayReport(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, rigOptions{timeout: 400 * time.Millisecond})
	a := r.paidSale(payments.Eftpay, "ALIPAYHK", 1000)
	r.paidSale(payments.Eftpay, "ALIPAYHK", 250)
	r.paidSale(payments.QFPay, "800201", 3000)
	r.wait(r.charge(payments.QFPay, "800101", 999, "")) // expires unpaid
	if _, err := r.e.Refund(ctx, a.OutTradeNo, hkd(400)); err != nil {
		t.Fatal(err)
	}
	rep, err := r.e.DayReport(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Lines) != 2 || rep.Total.Sales != 3 || rep.Total.Gross.Minor != 4250 || rep.Total.RefundTotal.Minor != 400 ||
		rep.Total.Net.Minor != 3850 || rep.Unpaid != 1 {
		t.Fatalf("report = %+v", rep)
	}
	al := rep.Lines[0]
	if al.MethodCode != "ALIPAYHK" || al.Sales != 2 || al.Refunds != 1 || al.Net.Minor != 850 {
		t.Fatalf("AlipayHK line = %+v", al)
	}
	var buf bytes.Buffer
	if err := rep.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 4 || !strings.Contains(lines[3], ",Total,3,42.50,1,4.00,38.50,HKD") {
		t.Fatalf("CSV:\n%s", buf.String())
	}
	yesterday, _ := r.e.DayReport(ctx, time.Now().AddDate(0, 0, -1))
	if yesterday.Total.Sales != 0 {
		t.Fatal("yesterday has today's sales")
	}
}
