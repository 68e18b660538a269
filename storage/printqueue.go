package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
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
	Kind       string
	Payload    []byte
	Printed    bool
	Attempts   int
	LastError  string
	CreatedAt  time.Time
	PrintedAt  time.Time
}

// EnqueuePrint adds a receipt to the print queue and returns its id.
func (j *Journal) EnqueuePrint(ctx context.Context, job PrintJob) (int64, error) {
	now := j.now()
	var id int64
	err := j.write(ctx, func(tx *sql.Tx) error {
		var orderID any
		if job.OutTradeNo != "" {
			oid, _, err := j.lookup(ctx, tx, job.OutTradeNo)
			if err != nil {
				return err
			}
			orderID = oid
		}
		res, err := tx.ExecContext(ctx, "INSERT INTO print_queue (order_id, kind, payload, created_at) VALUES (?, ?, ?, ?)",
			orderID, job.Kind, job.Payload, now.UnixNano())
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("enqueue %s receipt %s: %w", job.Kind, job.OutTradeNo, err)
	}
	return id, nil
}

const printColumns = `q.id, coalesce(o.out_trade_no, ''), q.kind, q.payload, q.state = 'printed', q.attempts, q.last_error, q.created_at, q.printed_at`

func scanPrintJob(row interface{ Scan(...any) error }) (PrintJob, error) {
	var p PrintJob
	var created, printed int64
	err := row.Scan(&p.ID, &p.OutTradeNo, &p.Kind, &p.Payload, &p.Printed, &p.Attempts, &p.LastError, &created, &printed)
	p.CreatedAt, p.PrintedAt = fromNanos(created), fromNanos(printed)
	return p, err
}

// QueuedPrints lists jobs not yet printed, oldest first.
func (j *Journal) QueuedPrints(ctx context.Context, limit int) ([]PrintJob, error) {
	if limit <= 0 {
		limit = 100
	}
	return j.queryPrints(ctx, "SELECT "+printColumns+` FROM print_queue q LEFT JOIN orders o ON o.id = q.order_id
		WHERE q.state = 'queued' ORDER BY q.id LIMIT ?`, limit)
}

// PrintsOf lists every print job of one order, oldest first (for reprints).
func (j *Journal) PrintsOf(ctx context.Context, no string) ([]PrintJob, error) {
	return j.queryPrints(ctx, "SELECT "+printColumns+` FROM print_queue q JOIN orders o ON o.id = q.order_id
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
