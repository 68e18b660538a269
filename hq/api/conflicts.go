package api

import (
	"encoding/json"
	"net/http"
	"time"

	"qrpos/hq/internal/reply"
	"qrpos/hq/store"
)

// ConflictList answers GET /api/v1/conflicts: entries that arrived with a
// key head office already held with other content, newest first. The
// stored version stays; the new one is kept for a person to look at.
type ConflictList struct {
	Conflicts []Conflict `json:"conflicts"`
}

// Conflict is one such entry.
type Conflict struct {
	ID         int64     `json:"id"`
	TID        string    `json:"tid"`
	Store      string    `json:"store"`
	JournalID  string    `json:"journal_id"`
	Seq        int64     `json:"seq"`
	ReceivedAt time.Time `json:"received_at"`
	Stored     Content   `json:"stored"`
	New        Content   `json:"new"`
}

// Content is one version of an entry.
type Content struct {
	Kind string          `json:"kind"`
	At   time.Time       `json:"at"`
	Body json.RawMessage `json:"body"`
}

func (a *API) conflicts(w http.ResponseWriter, r *http.Request) {
	shop, err := ParseName("store", r.URL.Query().Get("store"))
	if err == nil {
		shop, err = scope(r, shop)
	}
	if err != nil {
		a.fail(w, err)
		return
	}
	found, err := a.DB.Conflicts(r.Context(), shop, 500)
	if err != nil {
		a.fail(w, err)
		return
	}
	out := ConflictList{Conflicts: []Conflict{}}
	for _, c := range found {
		out.Conflicts = append(out.Conflicts, Conflict{ID: c.ID, TID: c.TID, Store: c.Store, JournalID: c.JournalID,
			Seq: c.Seq, ReceivedAt: c.ReceivedAt.In(a.loc()), Stored: a.content(c.Stored), New: a.content(c.New)})
	}
	reply.JSON(w, http.StatusOK, out)
}

func (a *API) content(c store.Content) Content {
	return Content{Kind: c.Kind, At: time.Unix(0, c.At).In(a.loc()), Body: redactJSON(c.Body)}
}
