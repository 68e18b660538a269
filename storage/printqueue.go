package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"qrpos/payments"
)

// Print job kinds.
const (
	PrintSale    = "sale"
	PrintRefund  = "refund"
	PrintReprint = "reprint"
	PrintReport  = "report"
	PrintTest    = "test"
)

// PrintJob is one receipt waiting in (or gone through) the print queue. The
// payload is the receipt as plain values, encoded by the engine; the journal
// does not read it.
type PrintJob struct {
	ID         int64
	OutTradeNo string // empty for reports and test prints
	RefundNo   string // the refund of a refund receipt; empty otherwise
	Kind       string
	Payload    []byte
	Printed    bool
	Attempts   int
	LastError  string
	CreatedAt  time.Time
	PrintedAt  time.Time
}

// EnqueuePrint adds a receipt to the print queue and returns its id. A job
// with a RefundNo is linked to that refund and its order (OutTradeNo may then
// be left empty).
func (j *Journal) EnqueuePrint(ctx context.Context, job PrintJob) (int64, error) {
	now := j.now()
	var id int64
	err := j.write(ctx, func(tx *sql.Tx) error {
		var orderID any
		if job.RefundNo != "" {
			var oid int64
			var no string
			err := tx.QueryRowContext(ctx, "SELECT o.id, o.out_trade_no FROM refunds r JOIN orders o ON o.id = r.order_id WHERE r.refund_no = ?",
				job.RefundNo).Scan(&oid, &no)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("refund %s: %w", job.RefundNo, ErrNotFound)
			}
			if err != nil {
				return err
			}
			if job.OutTradeNo != "" && job.OutTradeNo != no {
				return fmt.Errorf("refund %s is a refund of order %s, not %s", job.RefundNo, no, job.OutTradeNo)
			}
			orderID = oid
		} else if job.OutTradeNo != "" {
			oid, _, err := j.lookup(ctx, tx, job.OutTradeNo)
			if err != nil {
				return err
			}
			orderID = oid
		}
		var err error
		id, err = insertPrint(ctx, tx, orderID, job, now)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("enqueue %s receipt %s: %w", job.Kind, job.OutTradeNo, err)
	}
	return id, nil
}

// insertPrint queues job in tx; orderID is the order's row id or nil.
func insertPrint(ctx context.Context, tx *sql.Tx, orderID any, job PrintJob, now time.Time) (int64, error) {
	if job.Kind == "" {
		return 0, errors.New("print job without a kind")
	}
	if job.Payload == nil {
		job.Payload = []byte{}
	}
	res, err := tx.ExecContext(ctx, "INSERT INTO print_queue (order_id, kind, payload, refund_no, created_at) VALUES (?, ?, ?, ?, ?)",
		orderID, job.Kind, job.Payload, job.RefundNo, now.UnixNano())
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// printColumns lists a print job's columns; a journal of schema 1 (read
// only) has no refund_no yet.
func (j *Journal) printColumns() string {
	refundNo := "q.refund_no"
	if j.version < 2 {
		refundNo = "''"
	}
	return `q.id, coalesce(o.out_trade_no, ''), ` + refundNo + `, q.kind, q.payload, q.state = 'printed', q.attempts, q.last_error, q.created_at, q.printed_at`
}

func scanPrintJob(row interface{ Scan(...any) error }) (PrintJob, error) {
	var p PrintJob
	var created, printed int64
	err := row.Scan(&p.ID, &p.OutTradeNo, &p.RefundNo, &p.Kind, &p.Payload, &p.Printed, &p.Attempts, &p.LastError, &created, &printed)
	p.CreatedAt, p.PrintedAt = fromNanos(created), fromNanos(printed)
	return p, err
}

// QueuedPrints lists jobs not yet printed, oldest first.
func (j *Journal) QueuedPrints(ctx context.Context, limit int) ([]PrintJob, error) {
	if limit <= 0 {
		limit = 100
	}
	return j.queryPrints(ctx, "SELECT "+j.printColumns()+` FROM print_queue q LEFT JOIN orders o ON o.id = q.order_id
		WHERE q.state = 'queued' ORDER BY q.id LIMIT ?`, limit)
}

// PrintsOf lists every print job of one order, oldest first (for reprints).
func (j *Journal) PrintsOf(ctx context.Context, no string) ([]PrintJob, error) {
	return j.queryPrints(ctx, "SELECT "+j.printColumns()+` FROM print_queue q JOIN orders o ON o.id = q.order_id
		WHERE o.out_trade_no = ? ORDER BY q.id`, no)
}

func (j *Journal) queryPrints(ctx context.Context, q string, args ...any) ([]PrintJob, error) {
	rows, err := j.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("print queue: %w", err)
	}
	defer rows.Close()
	var out []PrintJob
	for rows.Next() {
		p, err := scanPrintJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// MarkPrinted records that a job was written and the printer's status was
// clean afterwards.
func (j *Journal) MarkPrinted(ctx context.Context, id int64) error {
	now := j.now()
	return j.updatePrint(ctx, id, "UPDATE print_queue SET state = 'printed', attempts = attempts + 1, last_error = '', printed_at = ? WHERE id = ?", now.UnixNano(), id)
}

// MarkPrintFailed records a failed attempt; the job stays queued.
func (j *Journal) MarkPrintFailed(ctx context.Context, id int64, reason string) error {
	return j.updatePrint(ctx, id, "UPDATE print_queue SET attempts = attempts + 1, last_error = ? WHERE id = ?", reason, id)
}

func (j *Journal) updatePrint(ctx context.Context, id int64, q string, args ...any) error {
	err := j.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("print job %d: %w", id, err)
	}
	return nil
}

// MissingReceipts lists what a crash may have left without a receipt: every
// order whose money moved (paid, partly refunded, refunded) that has no
// print job of kind sale, and every done refund that has no print job of
// kind refund with its refund number, each oldest first. Recovery queues
// them at start. It reads a small partial index, not every order.
func (j *Journal) MissingReceipts(ctx context.Context) (sales []payments.Order, refunds []payments.Refund, err error) {
	if j.version < 2 {
		return nil, nil, fmt.Errorf("missing receipts: journal %s has schema %d; open it with Open once to bring it up to date", j.path, j.version)
	}
	// The WHERE clauses repeat those of the partial indexes of migration
	// 0002 word for word, which is what lets SQLite use them.
	sales, err = j.queryOrders(ctx, "SELECT "+orderColumns+` FROM orders INDEXED BY orders_missing_receipt
		WHERE sale_receipt = 0 AND state IN ('paid', 'partly_refunded', 'refunded') ORDER BY id`)
	if err != nil {
		return nil, nil, fmt.Errorf("missing receipts: %w", err)
	}
	refunds, err = j.queryRefunds(ctx, "SELECT "+refundColumns+` FROM refunds r INDEXED BY refunds_missing_receipt
		JOIN orders o ON o.id = r.order_id WHERE r.receipt = 0 AND r.state = 'done' ORDER BY r.id`)
	if err != nil {
		return nil, nil, fmt.Errorf("missing receipts: %w", err)
	}
	return sales, refunds, nil
}
