package store

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// The providers' notifications (qrpos/hq/relay): each is kept as it came,
// byte for byte, with the merchant it came for and the terminal its order
// number routes it to; each terminal's notifications carry event ids of
// their own, given out under the terminal's relay row's lock, so that they
// commit in the order of their ids and a stream resuming after an id
// misses none. A committed notification is announced on the PostgreSQL
// channel RelayChannel (payload: the tid), so every head-office process
// serving that terminal's stream learns of it at once.

// Notification is a provider's notification as head office received it.
type Notification struct {
	ID         int64 // head office's row id
	Merchant   string
	Provider   string
	Body       []byte            // the raw body
	Header     map[string]string // the headers a provider may verify
	ReceivedAt time.Time
	OrderNo    string // the number it names (a refund's own number)
	// TID is the terminal it is relayed to, EventID its id in that
	// terminal's stream; "" and 0 when it is not relayed (Flag says why).
	TID     string
	EventID int64
	Flag    string
}

// Why a notification is not relayed.
const (
	FlagUnroutable      = "unroutable"       // its number names no terminal
	FlagUnknownTerminal = "unknown_terminal" // the terminal it names is not enrolled
)

// RelayChannel is the PostgreSQL channel a committed routed notification
// is announced on, its payload the tid.
const RelayChannel = "hq_relay"

// errHeld rolls back a notification already held.
var errHeld = errors.New("notification already held")

// StoreNotification keeps n, routed to n.TID (when "", n.Flag says why),
// and returns it as kept: with its id and, when routed, its event id. A
// tid that is not enrolled is kept unrouted with FlagUnknownTerminal. The
// same body from the same merchant and provider (a provider sending it
// again) is kept once: fresh is false and the notification is the one
// first kept.
func (db *DB) StoreNotification(ctx context.Context, n Notification) (kept Notification, fresh bool, err error) {
	sum := sha256.Sum256(n.Body)
	header, err := json.Marshal(n.Header)
	if err != nil {
		return n, false, err
	}
	err = db.write(ctx, func(tx pgx.Tx) error {
		kept, fresh = n, false
		if n.TID != "" {
			id, err := nextEventID(ctx, tx, n.TID)
			if err != nil {
				return err
			}
			if id == 0 {
				kept.TID, kept.Flag = "", FlagUnknownTerminal
			}
			kept.EventID = id
		}
		err := tx.QueryRow(ctx, `INSERT INTO notifications (merchant, provider, body, header, body_hash, received_at, order_no, tid, event_id, flag)
			VALUES ($1, $2, $3, $4, $5, $6, $7, nullif($8::text, ''), nullif($9::bigint, 0), $10)
			ON CONFLICT (merchant, provider, body_hash) DO NOTHING RETURNING id`,
			n.Merchant, n.Provider, n.Body, header, sum[:], n.ReceivedAt, n.OrderNo, kept.TID, kept.EventID, kept.Flag).Scan(&kept.ID)
		if errors.Is(err, pgx.ErrNoRows) {
			kept, err = heldNotification(ctx, tx, n.Merchant, n.Provider, sum[:])
			if err == nil {
				err = errHeld // undoes the event id
			}
			return err
		}
		if err != nil || kept.TID == "" {
			return err
		}
		_, err = tx.Exec(ctx, "SELECT pg_notify($1, $2)", RelayChannel, kept.TID)
		fresh = true
		return err
	})
	if errors.Is(err, errHeld) {
		return kept, false, nil
	}
	return kept, fresh, err
}

// nextEventID gives out tid's next event id, holding its relay row's lock
// to the end of tx; 0 when tid is not enrolled.
func nextEventID(ctx context.Context, tx pgx.Tx, tid string) (int64, error) {
	if _, err := tx.Exec(ctx, `INSERT INTO relay_terminals (tid) SELECT tid FROM terminals WHERE tid = $1
		ON CONFLICT (tid) DO NOTHING`, tid); err != nil {
		return 0, err
	}
	var id int64
	err := tx.QueryRow(ctx, "UPDATE relay_terminals SET last_id = last_id + 1 WHERE tid = $1 RETURNING last_id", tid).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

const notificationColumns = `id, merchant, provider, body, header, received_at, order_no, coalesce(tid, ''), coalesce(event_id, 0), flag`

func scanNotification(row pgx.Row) (Notification, error) {
	var n Notification
	err := row.Scan(&n.ID, &n.Merchant, &n.Provider, &n.Body, &n.Header, &n.ReceivedAt, &n.OrderNo, &n.TID, &n.EventID, &n.Flag)
	return n, err
}

func heldNotification(ctx context.Context, tx pgx.Tx, merchant, provider string, hash []byte) (Notification, error) {
	return scanNotification(tx.QueryRow(ctx, "SELECT "+notificationColumns+
		" FROM notifications WHERE merchant = $1 AND provider = $2 AND body_hash = $3", merchant, provider, hash))
}

// OpenRelay records terminal tid opening its stream at at and says where
// the stream starts: after lastEventID when the terminal sent one
// (resume), else after the highest id it ever acknowledged. A resume
// acknowledges every id up to lastEventID; an id beyond any given out
// (head office's database restored from a backup) is not believed.
func (db *DB) OpenRelay(ctx context.Context, tid string, lastEventID int64, resume bool, at time.Time) (after int64, err error) {
	var acked, last int64
	err = db.pool.QueryRow(ctx, `INSERT INTO relay_terminals AS r (tid, connected_at) VALUES ($1, $2)
		ON CONFLICT (tid) DO UPDATE SET connected_at = $2,
			acked = CASE WHEN $3 AND $4 <= r.last_id THEN greatest(r.acked, $4) ELSE r.acked END
		RETURNING acked, last_id`, tid, at, resume, lastEventID).Scan(&acked, &last)
	if err != nil {
		return 0, err
	}
	if resume && lastEventID >= 0 && lastEventID <= last {
		return lastEventID, nil
	}
	return acked, nil
}

// RelayEvents are up to limit notifications routed to tid with event ids
// after after, received at or after since, in id order.
func (db *DB) RelayEvents(ctx context.Context, tid string, after int64, since time.Time, limit int) ([]Notification, error) {
	rows, err := db.pool.Query(ctx, "SELECT "+notificationColumns+` FROM notifications
		WHERE tid = $1 AND event_id > $2 AND received_at >= $3 ORDER BY event_id LIMIT $4`, tid, after, since, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Notification, error) { return scanNotification(r) })
}

// Notifications lists the notifications kept for merchant ("": every
// merchant), oldest first, at most limit.
func (db *DB) Notifications(ctx context.Context, merchant string, limit int) ([]Notification, error) {
	rows, err := db.pool.Query(ctx, "SELECT "+notificationColumns+` FROM notifications
		WHERE $1 = '' OR merchant = $1 ORDER BY id LIMIT $2`, merchant, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Notification, error) { return scanNotification(r) })
}

// PruneNotifications deletes the notifications received before before.
func (db *DB) PruneNotifications(ctx context.Context, before time.Time) (int64, error) {
	tag, err := db.pool.Exec(ctx, "DELETE FROM notifications WHERE received_at < $1", before)
	return tag.RowsAffected(), err
}

// ListenRelay holds a connection of its own listening on RelayChannel
// until ctx ends or the connection fails: ready is called once it
// listens, wake with the tid of every notification committed after that.
func (db *DB) ListenRelay(ctx context.Context, ready func(), wake func(tid string)) error {
	pc, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	conn := pc.Hijack() // its own: a listening connection never goes back to the pool
	defer func() {
		stop, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn.Close(stop)
		cancel()
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+RelayChannel); err != nil {
		return err
	}
	ready()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		wake(n.Payload)
	}
}
