package api

import (
	"net/http"
	"time"

	"qrpos/hq/internal/reply"
)

// TerminalList answers GET /api/v1/terminals.
type TerminalList struct {
	Terminals []Terminal `json:"terminals"`
}

// Terminal is a terminal's health as head office last heard it.
type Terminal struct {
	TID            string            `json:"tid"`
	Store          string            `json:"store"`
	LastSeen       *time.Time        `json:"last_seen"` // null: never uploaded
	Version        string            `json:"version"`
	Backlog        int64             `json:"backlog"`
	Printer        string            `json:"printer"`
	Providers      map[string]string `json:"providers"`
	ProfileVersion int64             `json:"profile_version"`
	EnrolledAt     time.Time         `json:"enrolled_at"`
	// Journals it uploaded, oldest first: a second one (a new PC, a
	// journal started afresh) is allowed, and worth a look.
	Journals []Journal `json:"journals"`
}

// Journal is one journal a terminal uploaded; acked is the seq up to
// which head office holds all its entries, or knows the terminal deleted
// them unsent (missing counts those: it ran long without head office).
type Journal struct {
	JournalID string    `json:"journal_id"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	Acked     int64     `json:"acked"`
	Missing   int64     `json:"missing"`
}

func (a *API) terminals(w http.ResponseWriter, r *http.Request) {
	shop, err := ParseName("store", r.URL.Query().Get("store"))
	if err == nil {
		shop, err = scope(r, shop)
	}
	if err != nil {
		a.fail(w, err)
		return
	}
	found, err := a.DB.Terminals(r.Context(), shop)
	if err != nil {
		a.fail(w, err)
		return
	}
	out := TerminalList{Terminals: []Terminal{}}
	for _, t := range found {
		v := Terminal{TID: t.TID, Store: t.Store, Version: t.Version, Backlog: t.Backlog, Printer: t.Printer,
			Providers: t.Providers, ProfileVersion: t.ProfileVersion, EnrolledAt: t.EnrolledAt.In(a.loc()), Journals: []Journal{}}
		if t.LastSeen != nil {
			seen := t.LastSeen.In(a.loc())
			v.LastSeen = &seen
		}
		for _, j := range t.Journals {
			v.Journals = append(v.Journals, Journal{JournalID: j.JournalID, FirstSeen: j.FirstSeen.In(a.loc()),
				LastSeen: j.LastSeen.In(a.loc()), Acked: j.Acked, Missing: j.Missing})
		}
		out.Terminals = append(out.Terminals, v)
	}
	reply.JSON(w, http.StatusOK, out)
}
