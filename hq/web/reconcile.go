package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"qrpos/hq/api"
	"qrpos/hq/auth"
	"qrpos/hq/store"
)

// Reconciler starts a day's reconciliation with the providers in the
// background (qrpos/hq/reconcile's Runner); it refuses while a run of the
// day is under way (*store.RunInProgressError).
type Reconciler interface {
	Start(day, by string) (store.ReconcileRun, error)
}

// reconcileView is a day's reconciliation: the run, each merchant, and
// the differences by store and terminal, each with what to do.
type reconcileView struct {
	frame
	Date, Prev, Next string
	Store            string // "": every store
	CanRun           bool   // an admin, and head office has the merchants' keys
	Message, Alert   string
	Run, Running     *api.ReconcileRun
	RunAt            string // when Run finished
	RunningAt        string // when Running started
	Count            int
	Merchants        []api.ReconcileMerchant
	Stores           []storeDifferences
	Runs             []runRow
}

type storeDifferences struct {
	Store     string
	Terminals []terminalDifferences
}

type terminalDifferences struct {
	TID         string
	Differences []differenceView
}

type differenceView struct {
	api.ReconciliationDifference
	Here, There, At, OrderURL string
}

type runRow struct{ ID, By, Started, Finished, Error string }

// failures are what the page says when it cannot show a day.
var failures = map[int]string{
	http.StatusBadRequest:          "The date must be YYYY-MM-DD.",
	http.StatusInternalServerError: "The database did not answer. Try again in a moment.",
}

// reconciliation shows the reconciliation of ?date= (default yesterday:
// the night's run).
func (pg *Pages) reconciliation(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	date := r.URL.Query().Get("date")
	if date == "" {
		date = pg.now().In(pg.loc()).AddDate(0, 0, -1).Format(time.DateOnly)
	}
	v, status := pg.reconcileView(r, p, date)
	if v == nil {
		pg.fail(w, r, p, status, failures[status])
		return
	}
	if n := r.URL.Query().Get("started"); n != "" {
		v.Message = "Run " + n + " started: the providers are being asked. Reload this page to see it finish."
	}
	pg.render(w, r, http.StatusOK, "reconciliation", v, frame{Title: "Reconciliation of " + v.Date, Tab: "reconciliation", User: p})
}

// reconcileView reads the day's reconciliation as p may see it; nil and
// the status to answer when it cannot.
func (pg *Pages) reconcileView(r *http.Request, p auth.Principal, date string) (*reconcileView, int) {
	day, err := api.ParseDay(date, pg.loc(), pg.now())
	if err != nil {
		return nil, http.StatusBadRequest
	}
	shop, _ := scope(p, "")
	runs, err := pg.DB.ReconcileRuns(r.Context(), day.Date)
	var ds []store.Difference
	if err == nil {
		ds, err = pg.DB.ReconcileDifferences(r.Context(), day.Date, shop)
	}
	if err != nil {
		pg.Log.Error("reconciliation", "date", day.Date, "err", err)
		return nil, http.StatusInternalServerError
	}
	rec := api.ReconciliationOf(day.Date, shop, runs, ds, time.Now(), pg.loc())
	v := &reconcileView{Date: day.Date, Store: shop, Prev: day.From.AddDate(0, 0, -1).Format(time.DateOnly), Next: day.To.Format(time.DateOnly),
		CanRun: p.Admin() && pg.Reconcile != nil, Run: rec.Run, Running: rec.Running, Count: len(rec.Differences), Merchants: rec.Merchants}
	if rec.Run != nil && rec.Run.FinishedAt != nil {
		v.RunAt = pg.clock(*rec.Run.FinishedAt)
	}
	if rec.Running != nil {
		v.RunningAt = pg.clock(rec.Running.StartedAt)
	}
	for _, x := range rec.Runs {
		row := runRow{ID: strconv.FormatInt(x.ID, 10), By: x.By, Started: pg.clock(x.StartedAt), Error: x.Error}
		if x.FinishedAt != nil {
			row.Finished = pg.clock(*x.FinishedAt)
		}
		v.Runs = append(v.Runs, row)
	}
	v.Stores = groupDifferences(rec.Differences, pg.loc())
	return v, http.StatusOK
}

// groupDifferences groups differences (in store, terminal order) by store
// and terminal.
func groupDifferences(ds []api.ReconciliationDifference, loc *time.Location) []storeDifferences {
	var out []storeDifferences
	for _, d := range ds {
		if len(out) == 0 || out[len(out)-1].Store != d.Store {
			out = append(out, storeDifferences{Store: d.Store})
		}
		s := &out[len(out)-1]
		if len(s.Terminals) == 0 || s.Terminals[len(s.Terminals)-1].TID != d.TID {
			s.Terminals = append(s.Terminals, terminalDifferences{TID: d.TID})
		}
		t := &s.Terminals[len(s.Terminals)-1]
		t.Differences = append(t.Differences, differenceOf(d, loc))
	}
	return out
}

func differenceOf(d api.ReconciliationDifference, loc *time.Location) differenceView {
	v := differenceView{ReconciliationDifference: d, Here: side(d.HereAmount, d.HereCurrency, d.HereState),
		There: side(d.ThereAmount, d.ThereCurrency, d.ThereState)}
	if at, err := time.Parse(time.RFC3339, d.At); err == nil {
		v.At = at.In(loc).Format("15:04:05")
	}
	if strings.EqualFold(d.RecordTID, d.TID) {
		v.RecordTID = "" // said once, as the terminal's
	}
	if d.TID != "" && d.OutTradeNo != "" && d.Kind != "missing_here" && d.Kind != "unknown_terminal" {
		v.OrderURL = orderURL(d.TID, d.OutTradeNo)
	}
	return v
}

// side is what one side says: "8.80 HKD paid", or nothing.
func side(amount, currency, state string) string {
	s := strings.TrimSpace(strings.Join([]string{amount, currency, state}, " "))
	if s == "" {
		return "nothing"
	}
	return strings.Join(strings.Fields(s), " ")
}

// startReconciliation starts a run of the form's date for the admin
// (audited) and shows the day.
func (pg *Pages) startReconciliation(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	day, err := api.ParseDay(r.PostFormValue("date"), pg.loc(), pg.now())
	switch {
	case err != nil:
		pg.fail(w, r, p, http.StatusBadRequest, "The date must be YYYY-MM-DD.")
		return
	case pg.Reconcile == nil:
		pg.fail(w, r, p, http.StatusServiceUnavailable, "Head office has no merchants' keys to ask the providers with: start pos hq with --merchants.")
		return
	}
	run, err := pg.Reconcile.Start(day.Date, p.Name)
	var busy *store.RunInProgressError
	if errors.As(err, &busy) {
		v, status := pg.reconcileView(r, p, day.Date)
		if v == nil {
			pg.fail(w, r, p, status, failures[status])
			return
		}
		v.Alert = "Not started: " + busy.Error() + "."
		pg.render(w, r, http.StatusConflict, "reconciliation", v, frame{Title: "Reconciliation of " + day.Date, Tab: "reconciliation", User: p})
		return
	}
	if err == nil {
		err = pg.DB.Audit(r.Context(), p.Name, "reconcile_run", "day "+day.Date+", run "+strconv.FormatInt(run.ID, 10))
	}
	if err != nil {
		pg.Log.Error("reconciliation start", "date", day.Date, "err", err)
		pg.fail(w, r, p, http.StatusInternalServerError, "The run could not be started: "+err.Error())
		return
	}
	pg.Log.Info("reconciliation started", "date", day.Date, "run", run.ID, "by", p.Name)
	http.Redirect(w, r, "/reconciliation?"+url.Values{"date": {day.Date}, "started": {strconv.FormatInt(run.ID, 10)}}.Encode(), http.StatusSeeOther)
}
