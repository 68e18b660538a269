package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Groups are what a sales report adds up by: their key column.
var groups = map[string]string{
	"store":    "o.store",
	"tid":      "o.tid",
	"method":   "o.provider || ':' || o.method",
	"provider": "o.provider",
}

// ReportLine is one group's figures in one currency: sales are orders
// created in the period whose money moved (paid, partly or fully
// refunded); refunds are those confirmed in the period, counted under
// their order's group.
type ReportLine struct {
	Key          string
	Currency     string
	Sales        int64
	GrossMinor   int64
	Refunds      int64
	RefundsMinor int64
}

// Report adds up the sales and refunds of [from, to) by group (store,
// tid, method, provider) for shop ("": every store), ordered by key and
// currency.
func (db *DB) Report(ctx context.Context, from, to time.Time, group, shop string) ([]ReportLine, error) {
	key, ok := groups[group]
	if !ok {
		return nil, fmt.Errorf("no report by %q", group)
	}
	rows, err := db.pool.Query(ctx, fmt.Sprintf(`WITH s AS (
			SELECT %[1]s AS key, o.currency, count(*) AS n, sum(o.amount_minor) AS minor FROM orders o
			WHERE o.created_at >= $1 AND o.created_at < $2 AND ($3 = '' OR o.store = $3)
			AND o.state IN ('paid', 'partly_refunded', 'refunded')
			GROUP BY 1, 2),
		r AS (
			SELECT %[1]s AS key, r.currency, count(*) AS n, sum(r.amount_minor) AS minor
			FROM refunds r JOIN orders o ON o.tid = r.tid AND o.out_trade_no = r.out_trade_no
			WHERE r.state = 'done' AND r.updated_at >= $1 AND r.updated_at < $2 AND ($3 = '' OR o.store = $3)
			GROUP BY 1, 2)
		SELECT coalesce(s.key, r.key), coalesce(s.currency, r.currency), coalesce(s.n, 0), coalesce(s.minor, 0)::bigint,
			coalesce(r.n, 0), coalesce(r.minor, 0)::bigint
		FROM s FULL JOIN r ON r.key = s.key AND r.currency = s.currency ORDER BY 1, 2`, key), from, to, shop)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[ReportLine])
}
