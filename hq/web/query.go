package web

import (
	"net/url"
	"time"

	"qrpos/hq/api"
	"qrpos/hq/store"
)

// maxRows is the most orders a page lists; the CSV export has them all.
const maxRows = 500

// ordersQuery is what the orders page was asked: a search (Q: an order
// number, a provider reference or an amount, on any day) or a day's
// orders, of one store and/or terminal.
type ordersQuery struct {
	Q      string
	Search store.Search      // when Q is set
	Filter store.OrderFilter // otherwise
	Date   string
}

// parseOrdersQuery reads the orders page's query with the JSON API's
// parsers (qrpos/hq/api), so both accept the same things: q, or date
// (default today), store and tid.
func parseOrdersQuery(v url.Values, loc *time.Location, now time.Time) (ordersQuery, error) {
	if v.Get("q") != "" {
		s, err := api.SearchQuery(v, loc, now)
		if err != nil {
			return ordersQuery{}, err
		}
		s.Limit = maxRows + 1
		return ordersQuery{Q: s.Text, Search: s, Date: v.Get("date")}, nil
	}
	f, day, err := api.OrdersQuery(v, loc, now)
	if err != nil {
		return ordersQuery{}, err
	}
	f.Limit = maxRows + 1
	return ordersQuery{Filter: f, Date: day.Date}, nil
}

// store is the store the query asks for ("": any).
func (q ordersQuery) store() string {
	if q.Q != "" {
		return q.Search.Store
	}
	return q.Filter.Store
}

// setStore narrows the query to shop.
func (q *ordersQuery) setStore(shop string) {
	q.Search.Store, q.Filter.Store = shop, shop
}
