package web

import (
	"encoding/json"
	"net/http"
	"time"

	"qrpos/hq/auth"
	"qrpos/hq/store"
)

// maxConflicts is the most conflicts the page lists, newest first.
const maxConflicts = 500

// conflictsView lists entries that arrived with a key head office
// already held with other content (a journal restored from an old
// backup): the stored version stays, the new one waits for a person.
type conflictsView struct {
	frame
	Conflicts []conflictRow
}

// conflictRow is one conflict. The bodies are not shown (a profile entry
// could hold what must not be shown); the order they are about is linked.
type conflictRow struct {
	TID, Store, JournalID string
	Seq                   int64
	StoredKind, NewKind   string
	StoredAt, NewAt       string
	ReceivedAt            string
	OrderNo, OrderURL     string // the stored entry's order, which head office holds
	NewOrderNo            string // the new entry's, when another
}

// conflicts lists the conflicts of the person's stores.
func (pg *Pages) conflicts(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	found, err := pg.DB.Conflicts(r.Context(), p.Store, maxConflicts)
	if err != nil {
		pg.Log.Error("conflicts", "err", err)
		pg.fail(w, r, p, http.StatusInternalServerError, "The database did not answer. Try again in a moment.")
		return
	}
	var v conflictsView
	for _, c := range found {
		row := conflictRow{TID: c.TID, Store: c.Store, JournalID: c.JournalID, Seq: c.Seq,
			StoredKind: c.Stored.Kind, NewKind: c.New.Kind, StoredAt: pg.clock(time.Unix(0, c.Stored.At)),
			NewAt: pg.clock(time.Unix(0, c.New.At)), ReceivedAt: pg.clock(c.ReceivedAt)}
		row.OrderNo = orderOf(c.Stored)
		if row.OrderNo != "" {
			row.OrderURL = orderURL(c.TID, row.OrderNo)
		}
		if n := orderOf(c.New); n != row.OrderNo {
			row.NewOrderNo = n
		}
		v.Conflicts = append(v.Conflicts, row)
	}
	pg.render(w, r, http.StatusOK, "conflicts", &v, frame{Title: "Conflicts", Tab: "conflicts", User: p})
}

// orderOf is the order number an entry is about ("": none).
func orderOf(c store.Content) string {
	var b struct {
		OutTradeNo string `json:"out_trade_no"`
	}
	if json.Unmarshal(c.Body, &b) != nil {
		return ""
	}
	return b.OutTradeNo
}
