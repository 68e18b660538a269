package storage

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"qrpos/payments"
)

// BenchmarkCreateOrderDurable: a new order with its created event, then its
// write-ahead "request" event, each committed with synchronous=FULL.
func BenchmarkCreateOrderDurable(b *testing.B) {
	ctx := context.Background()
	j := openTest(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		o, err := j.CreateOrder(ctx, NewOrder{TID: "T001", Provider: payments.Eftpay, MethodCode: "ALIPAYHK",
			Mode: payments.MPM, Amount: hkd(100)})
		if err != nil {
			b.Fatal(err)
		}
		if err := j.Append(ctx, o.OutTradeNo, Event{Kind: EventRequest, Detail: "preorder"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
}

// BenchmarkOpenOrders100k: recovery's listing in a journal of 100,000
// orders of which 20 are still open.
func BenchmarkOpenOrders100k(b *testing.B) {
	ctx := context.Background()
	j := openTest(b)
	const total, open = 100_000, 20
	err := j.write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO orders (out_trade_no, tid, provider, method, mode, amount_minor,
			currency, state, settled, created_at, updated_at) VALUES (?, 'T001', 'eftpay', 'ALIPAYHK', 'MPM', 100, 'HKD', ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := 0; i < total; i++ {
			state, settled := string(payments.Paid), 1
			if i%(total/open) == 0 {
				state, settled = string(payments.Pending), 0
			}
			if _, err := stmt.ExecContext(ctx, fmt.Sprintf("T001261123%09d", i), state, settled, int64(i), int64(i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got, err := j.OpenOrders(ctx)
		if err != nil || len(got) != open {
			b.Fatalf("open orders = %d, %v", len(got), err)
		}
	}
}

// BenchmarkMissingReceipts100k: recovery's look for lost receipts in a
// journal of 100,000 paid orders, each with its sale receipt but 10, and
// 2,000 done refunds, each with its receipt but 5.
func BenchmarkMissingReceipts100k(b *testing.B) {
	ctx := context.Background()
	j := openTest(b)
	const total, lostSales, refunds, lostRefunds = 100_000, 10, 2_000, 5
	err := j.write(ctx, func(tx *sql.Tx) error {
		order, err := tx.PrepareContext(ctx, `INSERT INTO orders (id, out_trade_no, tid, provider, method, mode, amount_minor,
			currency, refunded_minor, state, settled, created_at, updated_at) VALUES (?, ?, 'T001', 'eftpay', 'ALIPAYHK', 'MPM', 100, 'HKD', ?, ?, 1, ?, ?)`)
		if err != nil {
			return err
		}
		defer order.Close()
		refund, err := tx.PrepareContext(ctx, `INSERT INTO refunds (refund_no, order_id, amount_minor, currency, state, created_at, updated_at)
			VALUES (?, ?, 100, 'HKD', 'done', ?, ?)`)
		if err != nil {
			return err
		}
		defer refund.Close()
		job, err := tx.PrepareContext(ctx, `INSERT INTO print_queue (order_id, kind, payload, refund_no, state, created_at) VALUES (?, ?, x'7b7d', ?, 'printed', ?)`)
		if err != nil {
			return err
		}
		defer job.Close()
		for i := 1; i <= total; i++ {
			state, refunded := string(payments.Paid), 0
			refundedOrder := i%(total/refunds) == 0
			if refundedOrder {
				state, refunded = string(payments.Refunded), 100
			}
			if _, err := order.ExecContext(ctx, i, fmt.Sprintf("T001261123%010d", i), refunded, state, int64(i), int64(i)); err != nil {
				return err
			}
			if i%(total/lostSales) != 0 {
				if _, err := job.ExecContext(ctx, i, PrintSale, "", int64(i)); err != nil {
					return err
				}
			}
			if refundedOrder {
				rno := fmt.Sprintf("T001261123R%09d", i)
				if _, err := refund.ExecContext(ctx, rno, i, int64(i), int64(i)); err != nil {
					return err
				}
				if i%(total/lostRefunds) != 0 {
					if _, err := job.ExecContext(ctx, i, PrintRefund, rno, int64(i)); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sales, refunds, err := j.MissingReceipts(ctx)
		if err != nil || len(sales) != lostSales || len(refunds) != lostRefunds {
			b.Fatalf("missing receipts = %d sales, %d refunds, %v", len(sales), len(refunds), err)
		}
	}
}
