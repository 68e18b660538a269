package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"

	"qrpos/hq/auth"
	"qrpos/hq/store"
)

// ordersView is the orders page: a search, or a day's orders.
type ordersView struct {
	frame
	Q, Date, Store, TID string
	Stores, TIDs        []string // the choices the person may pick
	Searched            bool
	Orders              []orderRow
	More                bool // more than maxRows matched
	ExportURL           string
}

// orderRow is one order in a list.
type orderRow struct {
	TID, Store, OutTradeNo, Time string
	Method, Provider, State      string
	Amount, Refunded, Currency   string
	ProviderRef                  string
	Link                         string
}

func (pg *Pages) row(o store.Order) orderRow {
	return orderRow{TID: o.TID, Store: o.Store, OutTradeNo: o.OutTradeNo, Time: pg.clock(o.CreatedAt),
		Method: o.Provider + ":" + o.Method, Provider: o.Provider, State: o.State,
		Amount: money(o.AmountMinor, o.Currency), Refunded: money(o.RefundedMinor, o.Currency), Currency: o.Currency,
		ProviderRef: o.ProviderRef, Link: orderURL(o.TID, o.OutTradeNo)}
}

// orders searches orders chain-wide (?q=) or lists a day's (?date=,
// ?store=, ?tid=), at most maxRows.
func (pg *Pages) orders(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	q, err := parseOrdersQuery(r.URL.Query(), pg.loc(), pg.now())
	if err != nil { // an *api.QueryError: the parsers refuse nothing else
		pg.fail(w, r, p, http.StatusBadRequest, "This search cannot be read: "+err.Error()+".")
		return
	}
	shop, ok := scope(p, q.store())
	if !ok {
		pg.fail(w, r, p, http.StatusForbidden, "This login sees only the store "+p.Store+".")
		return
	}
	q.setStore(shop)
	var found []store.Order
	if q.Q != "" {
		found, err = pg.DB.SearchOrders(r.Context(), q.Search)
	} else {
		found, err = pg.DB.Orders(r.Context(), q.Filter)
	}
	var terms []store.Terminal
	if err == nil {
		terms, err = pg.DB.Terminals(r.Context(), p.Store)
	}
	if err != nil {
		pg.Log.Error("orders", "err", err)
		pg.fail(w, r, p, http.StatusInternalServerError, "The database did not answer. Try again in a moment.")
		return
	}
	v := ordersView{Q: q.Q, Date: q.Date, Store: shop, TID: q.Filter.TID, Searched: q.Q != "", More: len(found) > maxRows}
	v.Stores, v.TIDs = choices(terms)
	for _, o := range found[:min(len(found), maxRows)] {
		v.Orders = append(v.Orders, pg.row(o))
	}
	if !v.Searched {
		v.ExportURL = "/export.csv?" + url.Values{"date": {v.Date}, "store": {q.Filter.Store}, "tid": {v.TID}}.Encode()
	}
	pg.render(w, r, http.StatusOK, "orders", &v, frame{Title: "Orders", Tab: "orders", User: p})
}

// choices are the stores and terminals among terms, sorted.
func choices(terms []store.Terminal) (stores, tids []string) {
	for _, t := range terms {
		if !slices.Contains(stores, t.Store) {
			stores = append(stores, t.Store)
		}
		tids = append(tids, t.TID)
	}
	slices.Sort(stores)
	slices.Sort(tids)
	return stores, tids
}

// orderView is one order with its timeline and refunds.
type orderView struct {
	frame
	orderRow
	Mode, AuthCodeMasked, Reason, Updated string
	Timeline                              []eventRow
	Refunds                               []refundRow
}

type eventRow struct{ At, Kind, From, To, Detail string }

type refundRow struct{ RefundNo, Amount, Currency, State, ProviderRef, Reason, Created, Updated string }

// order shows order {no} of terminal {tid}. Another store's order is no
// order to a viewer of one store.
func (pg *Pages) order(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	d, err := pg.DB.Order(r.Context(), r.PathValue("tid"), r.PathValue("no"))
	if errors.Is(err, store.ErrNotFound) || err == nil && !p.Sees(d.Store) {
		pg.fail(w, r, p, http.StatusNotFound, "No such order.")
		return
	}
	if err != nil {
		pg.Log.Error("order", "err", err)
		pg.fail(w, r, p, http.StatusInternalServerError, "The database did not answer. Try again in a moment.")
		return
	}
	v := orderView{orderRow: pg.row(d.Order), Mode: d.Mode, AuthCodeMasked: d.AuthCodeMasked, Reason: d.Reason,
		Updated: pg.clock(d.UpdatedAt)}
	for _, e := range d.Timeline {
		v.Timeline = append(v.Timeline, eventRow{At: pg.clock(e.At), Kind: e.Kind, From: e.StateFrom, To: e.StateTo, Detail: e.Detail})
	}
	for _, f := range d.Refunds {
		v.Refunds = append(v.Refunds, refundRow{RefundNo: f.RefundNo, Amount: money(f.AmountMinor, f.Currency),
			Currency: f.Currency, State: f.State, ProviderRef: f.ProviderRef, Reason: f.Reason,
			Created: pg.clock(f.CreatedAt), Updated: pg.clock(f.UpdatedAt)})
	}
	pg.render(w, r, http.StatusOK, "order", &v, frame{Title: "Order " + d.OutTradeNo, Tab: "orders", User: p})
}
