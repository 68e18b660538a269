package api

import (
	"errors"
	"net/http"
	"time"

	"qrpos/hq/internal/reply"
	"qrpos/hq/store"
)

// Order is an order as the API answers it. Amounts are decimal strings
// in the currency's units ("12.30"); method is "provider:code".
type Order struct {
	TID         string    `json:"tid"`
	Store       string    `json:"store"`
	OutTradeNo  string    `json:"out_trade_no"`
	State       string    `json:"state"`
	Amount      string    `json:"amount"`
	Currency    string    `json:"currency"`
	Method      string    `json:"method"`
	Provider    string    `json:"provider"`
	Mode        string    `json:"mode"`
	ProviderRef string    `json:"provider_ref"`
	Refunded    string    `json:"refunded"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func (a *API) order1(o store.Order) Order {
	return Order{TID: o.TID, Store: o.Store, OutTradeNo: o.OutTradeNo, State: o.State,
		Amount: money(o.AmountMinor, o.Currency), Currency: o.Currency, Method: o.Provider + ":" + o.Method,
		Provider: o.Provider, Mode: o.Mode, ProviderRef: o.ProviderRef, Refunded: money(o.RefundedMinor, o.Currency),
		CreatedAt: o.CreatedAt.In(a.loc()), UpdatedAt: o.UpdatedAt.In(a.loc())}
}

func (a *API) orderList(os []store.Order) []Order {
	out := make([]Order, 0, len(os))
	for _, o := range os {
		out = append(out, a.order1(o))
	}
	return out
}

// OrderList answers GET /api/v1/orders: the orders created on date,
// oldest first.
type OrderList struct {
	Date   string  `json:"date"`
	Orders []Order `json:"orders"`
}

func (a *API) orders(w http.ResponseWriter, r *http.Request) {
	f, day, err := OrdersQuery(r.URL.Query(), a.loc(), a.now())
	if err == nil {
		f.Store, err = scope(r, f.Store)
	}
	if err != nil {
		a.fail(w, err)
		return
	}
	found, err := a.DB.Orders(r.Context(), f)
	if err != nil {
		a.fail(w, err)
		return
	}
	reply.JSON(w, http.StatusOK, OrderList{Date: day.Date, Orders: a.orderList(found)})
}

// SearchResult answers GET /api/v1/orders/search: at most 100 orders,
// newest first.
type SearchResult struct {
	Q      string  `json:"q"`
	Orders []Order `json:"orders"`
}

func (a *API) search(w http.ResponseWriter, r *http.Request) {
	s, err := SearchQuery(r.URL.Query(), a.loc(), a.now())
	if err == nil {
		s.Store, err = scope(r, s.Store)
	}
	if err != nil {
		a.fail(w, err)
		return
	}
	found, err := a.DB.SearchOrders(r.Context(), s)
	if err != nil {
		a.fail(w, err)
		return
	}
	reply.JSON(w, http.StatusOK, SearchResult{Q: s.Text, Orders: a.orderList(found)})
}

// OrderDetail answers GET /api/v1/orders/{tid}/{out_trade_no}.
type OrderDetail struct {
	Order
	Reason         string   `json:"reason"`
	AuthCodeMasked string   `json:"auth_code_masked"`
	Timeline       []Event  `json:"timeline"`
	Refunds        []Refund `json:"refunds"`
}

// Event is one step of an order's timeline.
type Event struct {
	At        time.Time `json:"at"`
	Kind      string    `json:"kind"`
	StateFrom string    `json:"state_from"`
	StateTo   string    `json:"state_to"`
	Detail    string    `json:"detail"`
}

// Refund is one refund of an order.
type Refund struct {
	RefundNo    string    `json:"refund_no"`
	Amount      string    `json:"amount"`
	Currency    string    `json:"currency"`
	State       string    `json:"state"`
	ProviderRef string    `json:"provider_ref"`
	Reason      string    `json:"reason"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func (a *API) order(w http.ResponseWriter, r *http.Request) {
	d, err := a.DB.Order(r.Context(), r.PathValue("tid"), r.PathValue("no"))
	if err == nil {
		_, err = scope(r, d.Store)
	}
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, errForbidden):
		a.fail(w, &notFound{"order"}) // another store's order is no order to this login
		return
	case err != nil:
		a.fail(w, err)
		return
	}
	out := OrderDetail{Order: a.order1(d.Order), Reason: d.Reason, AuthCodeMasked: d.AuthCodeMasked,
		Timeline: []Event{}, Refunds: []Refund{}}
	for _, e := range d.Timeline {
		out.Timeline = append(out.Timeline, Event{At: e.At.In(a.loc()), Kind: e.Kind, StateFrom: e.StateFrom, StateTo: e.StateTo, Detail: e.Detail})
	}
	for _, f := range d.Refunds {
		out.Refunds = append(out.Refunds, Refund{RefundNo: f.RefundNo, Amount: money(f.AmountMinor, f.Currency),
			Currency: f.Currency, State: f.State, ProviderRef: f.ProviderRef, Reason: f.Reason,
			CreatedAt: f.CreatedAt.In(a.loc()), UpdatedAt: f.UpdatedAt.In(a.loc())})
	}
	reply.JSON(w, http.StatusOK, out)
}
