package api

import (
	"net/http"
	"slices"
	"time"

	"qrpos/hq/internal/reply"
	"qrpos/hq/store"
)

// Reconciliation answers GET /api/v1/reconciliation?date=YYYY-MM-DD
// [&store=]: the day's reconciliation with the providers (qrpos/hq/reconcile):
// the run whose differences these are (the newest finished; null: none
// yet), a run under way, the runs of the day, how each merchant went and
// the differences, by store, terminal and time. A viewer of one store
// sees its differences and the merchants that served it.
type Reconciliation struct {
	Date        string                     `json:"date"`
	Store       string                     `json:"store"` // "": every store
	Run         *ReconcileRun              `json:"run"`
	Running     *ReconcileRun              `json:"running"`
	Runs        []ReconcileRun             `json:"runs"` // newest first
	Merchants   []ReconcileMerchant        `json:"merchants"`
	Differences []ReconciliationDifference `json:"differences"`
}

// ReconcileRun is one run of a day.
type ReconcileRun struct {
	ID         int64      `json:"id"`
	By         string     `json:"by"` // nightly, command line, or the admin who started it
	Nightly    bool       `json:"nightly"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"` // null: running, or its process stopped
	Error      string     `json:"error"`       // the run failed as a whole and replaced nothing
}

// ReconcileMerchant is how one merchant credential went in the run.
type ReconcileMerchant struct {
	Merchant  string   `json:"merchant"`
	Provider  string   `json:"provider"`
	Stores    []string `json:"stores"`
	Terminals int      `json:"terminals"`
	Records   int      `json:"records"`
	Queries   int      `json:"queries"`
	OK        bool     `json:"ok"`
	Error     string   `json:"error"`
}

// ReconciliationDifference is one difference between head office's copy
// of a journal and a provider's records: the fields of pos-cli reconcile
// --day --json, with the terminal's store and the merchant. Amounts are
// decimal strings; "here" is the journal, "there" the provider.
type ReconciliationDifference struct {
	Kind          string `json:"kind"`
	Title         string `json:"title"`
	Todo          string `json:"todo"`
	TID           string `json:"tid"` // "": no enrolled terminal (kind unknown_terminal)
	Store         string `json:"store"`
	Merchant      string `json:"merchant"`
	Provider      string `json:"provider"`
	OutTradeNo    string `json:"out_trade_no,omitempty"`
	RefundNo      string `json:"refund_no,omitempty"`
	ProviderRef   string `json:"provider_ref,omitempty"`
	Method        string `json:"method,omitempty"`
	RecordTID     string `json:"record_tid,omitempty"` // the terminal the provider's record names
	HereAmount    string `json:"here_amount,omitempty"`
	HereCurrency  string `json:"here_currency,omitempty"`
	HereState     string `json:"here_state,omitempty"`
	ThereAmount   string `json:"there_amount,omitempty"`
	ThereCurrency string `json:"there_currency,omitempty"`
	ThereState    string `json:"there_state,omitempty"`
	At            string `json:"at,omitempty"`
	Reason        string `json:"reason,omitempty"`
}

// DifferenceOf is d as the API (and pos hq reconcile --json) writes it,
// its time in loc.
func DifferenceOf(d store.Difference, loc *time.Location) ReconciliationDifference {
	out := ReconciliationDifference{Kind: d.Kind, Title: d.Title, Todo: d.Todo, TID: d.TID, Store: d.Store, Merchant: d.Merchant,
		Provider: d.Provider, OutTradeNo: d.OutTradeNo, RefundNo: d.RefundNo, ProviderRef: d.ProviderRef, Method: d.Method,
		RecordTID: d.RecordTID, HereState: d.HereState, ThereState: d.ThereState, Reason: d.Reason}
	if d.HereMinor != 0 || d.HereCurrency != "" {
		out.HereAmount, out.HereCurrency = money(d.HereMinor, d.HereCurrency), d.HereCurrency
	}
	if d.ThereMinor != 0 || d.ThereCurrency != "" {
		out.ThereAmount, out.ThereCurrency = money(d.ThereMinor, d.ThereCurrency), d.ThereCurrency
	}
	if !d.At.IsZero() {
		out.At = d.At.In(loc).Format(time.RFC3339)
	}
	return out
}

// ReconciliationOf is the day's reconciliation as shop ("": every store)
// may see it at now: runs (newest first) and the day's differences.
func ReconciliationOf(date, shop string, runs []store.ReconcileRun, ds []store.Difference, now time.Time, loc *time.Location) Reconciliation {
	out := Reconciliation{Date: date, Store: shop, Runs: []ReconcileRun{}, Merchants: []ReconcileMerchant{}, Differences: []ReconciliationDifference{}}
	for _, r := range runs {
		run := ReconcileRun{ID: r.ID, By: r.By, Nightly: r.Nightly, StartedAt: r.StartedAt.In(loc), FinishedAt: r.FinishedAt, Error: r.Error}
		if run.FinishedAt != nil {
			f := run.FinishedAt.In(loc)
			run.FinishedAt = &f
		}
		out.Runs = append(out.Runs, run)
		switch {
		case r.Running(now) && out.Running == nil && out.Run == nil:
			out.Running = &run
		case r.FinishedAt != nil && r.Error == "" && out.Run == nil:
			out.Run = &run
			for _, m := range r.Merchants {
				if shop == "" || slices.Contains(m.Stores, shop) {
					out.Merchants = append(out.Merchants, ReconcileMerchant{Merchant: m.Merchant, Provider: m.Provider,
						Stores: m.Stores, Terminals: m.Terminals, Records: m.Records, Queries: m.Queries, OK: m.Error == "", Error: m.Error})
				}
			}
		}
	}
	if out.Run != nil {
		for _, d := range ds {
			out.Differences = append(out.Differences, DifferenceOf(d, loc))
		}
	}
	return out
}

func (a *API) reconciliation(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	day, err := ParseDay(v.Get("date"), a.loc(), a.now())
	var shop string
	if err == nil {
		shop, err = ParseName("store", v.Get("store"))
	}
	if err == nil {
		shop, err = scope(r, shop)
	}
	var runs []store.ReconcileRun
	var ds []store.Difference
	if err == nil {
		runs, err = a.DB.ReconcileRuns(r.Context(), day.Date)
	}
	if err == nil {
		ds, err = a.DB.ReconcileDifferences(r.Context(), day.Date, shop)
	}
	if err != nil {
		a.fail(w, err)
		return
	}
	reply.JSON(w, http.StatusOK, ReconciliationOf(day.Date, shop, runs, ds, time.Now(), a.loc()))
}
