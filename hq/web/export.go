package web

import (
	"encoding/csv"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"qrpos/hq/api"
	"qrpos/hq/auth"
	"qrpos/hq/store"
)

// CSVHeader is the first line of the orders export: one line per order.
var CSVHeader = []string{"store", "tid", "time", "out_trade_no", "method", "provider", "amount", "currency",
	"state", "provider_ref", "refunded"}

// export sends the orders created on ?date= (default today), of ?store=
// and ?tid= when given, as a CSV file to download.
func (pg *Pages) export(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	f, day, err := api.OrdersQuery(r.URL.Query(), pg.loc(), pg.now())
	if err != nil {
		pg.fail(w, r, p, http.StatusBadRequest, "This export cannot be read: "+err.Error()+".")
		return
	}
	var ok bool
	if f.Store, ok = scope(p, f.Store); !ok {
		pg.fail(w, r, p, http.StatusForbidden, "This login sees only the store "+p.Store+".")
		return
	}
	found, err := pg.DB.Orders(r.Context(), f)
	if err != nil {
		pg.Log.Error("export", "err", err)
		pg.fail(w, r, p, http.StatusInternalServerError, "The database did not answer. Try again in a moment.")
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "orders-" + day.Date + ".csv"}))
	if err := writeCSV(w, found, pg.loc()); err != nil {
		pg.Log.Warn("export", "err", err) // the browser went away mid-file
	}
}

// writeCSV writes orders as the export's lines, after CSVHeader. Amounts
// are decimal strings in the currency's units; the time is the order's
// creation in loc (RFC 3339).
func writeCSV(w io.Writer, orders []store.Order, loc *time.Location) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, o := range orders {
		rec := []string{cell(o.Store), cell(o.TID), o.CreatedAt.In(loc).Format(time.RFC3339), cell(o.OutTradeNo),
			cell(o.Provider + ":" + o.Method), cell(o.Provider), money(o.AmountMinor, o.Currency), cell(o.Currency),
			cell(o.State), cell(o.ProviderRef), money(o.RefundedMinor, o.Currency)}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// cell keeps a text that came from outside (a provider's reference, a
// store's name) from being read as a formula by a spreadsheet: one that
// starts like one gets a leading apostrophe, as the spreadsheets
// themselves write it (the terminal's own export does the same).
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
