package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"qrpos/hq/auth"
	"qrpos/hq/store"
)

// terminalsView lists the terminals and their health.
type terminalsView struct {
	frame
	Terminals []terminalRow
	Admin     bool
}

// terminalRow is a terminal as head office last heard of it. The flags
// mark what is worth a look.
type terminalRow struct {
	TID, Store, LastSeen, Ago, Version string
	Backlog                            int64
	Printer                            string
	Providers                          []providerHealth
	Profile                            string // when its profile version was made
	Journals                           int
	Missing                            int64 // entries deleted at the terminal before upload
	Never, Silent, PrinterBad          bool
	ProfileURL, OrdersURL              string
}

type providerHealth struct {
	Name, Status string
	Bad          bool
}

// silentAfter is how long a terminal may stay unheard before the list
// marks it (the uploader sends within seconds of a change and retries
// for at most a minute between tries).
const silentAfter = 15 * time.Minute

// terminals lists the terminals of the person's stores.
func (pg *Pages) terminals(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	found, err := pg.DB.Terminals(r.Context(), p.Store)
	if err != nil {
		pg.Log.Error("terminals", "err", err)
		pg.fail(w, r, p, http.StatusInternalServerError, "The database did not answer. Try again in a moment.")
		return
	}
	v := terminalsView{Admin: p.Admin()}
	today := pg.now().In(pg.loc()).Format(time.DateOnly)
	for _, t := range found {
		row := pg.terminalRow(t)
		row.OrdersURL = "/orders?" + url.Values{"date": {today}, "tid": {t.TID}}.Encode()
		v.Terminals = append(v.Terminals, row)
	}
	pg.render(w, r, http.StatusOK, "terminals", &v, frame{Title: "Terminals", Tab: "terminals", User: p})
}

func (pg *Pages) terminalRow(t store.Terminal) terminalRow {
	row := terminalRow{TID: t.TID, Store: t.Store, Version: t.Version, Backlog: t.Backlog, Printer: t.Printer,
		Journals: len(t.Journals), Never: t.LastSeen == nil, PrinterBad: t.Printer != "" && t.Printer != "ready",
		ProfileURL: "/terminals/" + url.PathEscape(t.TID) + "/profile"}
	for _, j := range t.Journals {
		row.Missing += j.Missing
	}
	if t.LastSeen != nil {
		age := pg.now().Sub(*t.LastSeen)
		row.LastSeen, row.Ago, row.Silent = pg.clock(*t.LastSeen), ago(age), age > silentAfter
	}
	if t.ProfileVersion != 0 {
		row.Profile = pg.clock(time.Unix(0, t.ProfileVersion))
	}
	names := make([]string, 0, len(t.Providers))
	for n := range t.Providers {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		row.Providers = append(row.Providers, providerHealth{Name: n, Status: t.Providers[n], Bad: t.Providers[n] != "ok"})
	}
	return row
}

// ago says how long ago something was, as a person reads it.
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
}
