package hq_test

import (
	"net/http"
	"net/url"
	"testing"

	"qrpos/hq/api"
	"qrpos/hq/internal/hqtest"
	"qrpos/hq/wire"
)

// TestOrdersOfADay: GET /api/v1/orders answers one object per order of
// the day with the stable names, narrowed by tid and store.
func TestOrdersOfADay(t *testing.T) {
	r := hqtest.New(t)
	chain(t, r)
	c := scriptClient(t, r, "")
	var list api.OrderList
	c.get("/api/v1/orders?date=2026-03-02", &list)
	if list.Date != "2026-03-02" || len(list.Orders) != 3 {
		t.Fatalf("orders of 2026-03-02: %+v", list)
	}
	o := list.Orders[0]
	want := api.Order{TID: "T001", Store: "Central", OutTradeNo: hqtest.OrderNo("T001", 1), State: "partly_refunded",
		Amount: "10.50", Currency: "HKD", Method: "eftpay:ALIPAYHK", Provider: "eftpay", Mode: "MPM",
		ProviderRef: "REF" + hqtest.OrderNo("T001", 1), Refunded: "5.00"}
	o.CreatedAt, o.UpdatedAt = want.CreatedAt, want.UpdatedAt
	if o != want {
		t.Fatalf("first order %+v\nwant %+v", o, want)
	}
	for q, n := range map[string]int{"tid=T002": 1, "store=Central": 2, "store=Nowhere": 0} {
		c.get("/api/v1/orders?date=2026-03-02&"+q, &list)
		if len(list.Orders) != n {
			t.Errorf("%s: %d orders; want %d", q, len(list.Orders), n)
		}
	}
	c.get("/api/v1/orders?date=2026-03-03", &list)
	if len(list.Orders) != 0 {
		t.Fatalf("the next day has %d orders", len(list.Orders))
	}
	var e wire.Error
	if status := c.do(http.MethodGet, "/api/v1/orders?date=2026-13-01", nil, &e); status != 400 || e.Code != "bad_query" {
		t.Fatalf("a bad date: %d %+v", status, e)
	}
}

// TestOrderSearchAndTimeline: an order is found chain-wide by its number
// (or its start), its provider reference and its amount as people write
// it, and answered with its timeline and refunds.
func TestOrderSearchAndTimeline(t *testing.T) {
	r := hqtest.New(t)
	chain(t, r)
	c := scriptClient(t, r, "")
	for q, want := range map[string]int{
		hqtest.OrderNo("T002", 1): 1, "T00": 3, "REF" + hqtest.OrderNo("T001", 2): 1,
		"HK$10.50": 2, "10.5": 2, "20.50": 1, "99.99": 0, "%": 0, "T00_": 0,
	} {
		var res api.SearchResult
		c.get("/api/v1/orders/search?q="+url.QueryEscape(q), &res)
		if len(res.Orders) != want {
			t.Errorf("search %q: %d orders; want %d", q, len(res.Orders), want)
		}
	}
	var d api.OrderDetail
	c.get("/api/v1/orders/T001/"+hqtest.OrderNo("T001", 1), &d)
	if d.State != "partly_refunded" || len(d.Timeline) != 3 || d.Timeline[0].Kind != "created" || d.Timeline[2].Kind != "refund" ||
		len(d.Refunds) != 1 || d.Refunds[0].Amount != "5.00" || d.Refunds[0].RefundNo != "R1" {
		t.Fatalf("order detail %+v", d)
	}
	var e wire.Error
	if status := c.do(http.MethodGet, "/api/v1/orders/T002/"+hqtest.OrderNo("T001", 1), nil, &e); status != 404 {
		t.Fatalf("another terminal's order number: %d %+v", status, e)
	}
}

// TestSalesReport: a day's sales and refunds add up by store, terminal,
// method and provider.
func TestSalesReport(t *testing.T) {
	r := hqtest.New(t)
	chain(t, r)
	c := scriptClient(t, r, "")
	var rep api.Report
	c.get("/api/v1/report?date=2026-03-02&group=store", &rep)
	want := []api.ReportLine{
		{Key: "Central", Currency: "HKD", Sales: 2, Gross: "31.00", Refunds: 1, RefundTotal: "5.00", Net: "26.00"},
		{Key: "Kowloon", Currency: "HKD", Sales: 1, Gross: "10.50", Refunds: 0, RefundTotal: "0.00", Net: "10.50"},
	}
	if len(rep.Lines) != 2 || rep.Lines[0] != want[0] || rep.Lines[1] != want[1] {
		t.Fatalf("report by store %+v\nwant %+v", rep.Lines, want)
	}
	total := api.ReportLine{Key: "total", Currency: "HKD", Sales: 3, Gross: "41.50", Refunds: 1, RefundTotal: "5.00", Net: "36.50"}
	if len(rep.Totals) != 1 || rep.Totals[0] != total {
		t.Fatalf("totals %+v; want %+v", rep.Totals, total)
	}
	for group, key := range map[string]string{"tid": "T001", "method": "eftpay:ALIPAYHK", "provider": "eftpay"} {
		c.get("/api/v1/report?date=2026-03-02&group="+group, &rep)
		if rep.Lines[0].Key != key {
			t.Errorf("report by %s: first key %q; want %q", group, rep.Lines[0].Key, key)
		}
	}
}

// TestTerminalsAndConflicts: the terminal list shows each terminal's
// health; a restored journal's conflict is listed with both versions.
func TestTerminalsAndConflicts(t *testing.T) {
	r := hqtest.New(t)
	j1, _ := chain(t, r)
	c := scriptClient(t, r, "")
	var ts api.TerminalList
	c.get("/api/v1/terminals", &ts)
	if len(ts.Terminals) != 2 || ts.Terminals[0].TID != "T001" || ts.Terminals[0].LastSeen == nil ||
		ts.Terminals[0].Printer != "ready" || ts.Terminals[0].Providers["eftpay"] != "ok" || len(ts.Terminals[0].Journals) != 1 {
		t.Fatalf("terminals %+v", ts)
	}
	restored := &hqtest.Journal{ID: j1.ID, TID: "T001"}
	restored.Sale(hqtest.OrderNo("T001", 7), 700)
	token := r.Enrol("T001", "")
	if rep := r.Post(token, restored.All()); rep.Status != 200 || rep.Ack.Conflicts != 5 {
		t.Fatalf("restored journal: %+v", rep)
	}
	var cs api.ConflictList
	c.get("/api/v1/conflicts", &cs)
	if len(cs.Conflicts) != 5 || cs.Conflicts[0].Seq != 5 || cs.Conflicts[0].Store != "Central" || cs.Conflicts[4].New.Kind != wire.KindOrder {
		t.Fatalf("conflicts %+v", cs)
	}
}

// TestStoreLimitedLogins: a token of one store sees only that store.
func TestStoreLimitedLogins(t *testing.T) {
	r := hqtest.New(t)
	chain(t, r)
	c := scriptClient(t, r, "Kowloon")
	var list api.OrderList
	c.get("/api/v1/orders?date=2026-03-02", &list)
	if len(list.Orders) != 1 || list.Orders[0].Store != "Kowloon" {
		t.Fatalf("Kowloon's token sees %+v", list.Orders)
	}
	var res api.SearchResult
	c.get("/api/v1/orders/search?q=T00", &res)
	var ts api.TerminalList
	c.get("/api/v1/terminals", &ts)
	var rep api.Report
	c.get("/api/v1/report?date=2026-03-02", &rep)
	if len(res.Orders) != 1 || len(ts.Terminals) != 1 || ts.Terminals[0].TID != "T002" || len(rep.Lines) != 1 {
		t.Fatalf("Kowloon's token: search %d, terminals %+v, report %+v", len(res.Orders), ts.Terminals, rep.Lines)
	}
	var e wire.Error
	for path, status := range map[string]int{
		"/api/v1/orders?store=Central":                     403,
		"/api/v1/report?store=Central":                     403,
		"/api/v1/orders/T001/" + hqtest.OrderNo("T001", 1): 404,
		"/api/v1/terminals/T001/profile":                   404,
	} {
		if got := c.do(http.MethodGet, path, nil, &e); got != status {
			t.Errorf("GET %s: %d %+v; want %d", path, got, e, status)
		}
	}
}

// TestNothingWithoutLogin: every API answer but login's needs a session
// or an API token.
func TestNothingWithoutLogin(t *testing.T) {
	r := hqtest.New(t)
	c := &client{t: t, base: r.Server.URL, http: r.Server.Client()}
	bad := &client{t: t, base: r.Server.URL, http: r.Server.Client(), token: "hqa_wrong"}
	for _, path := range []string{"/api/v1/orders", "/api/v1/orders/search?q=1", "/api/v1/orders/T001/X",
		"/api/v1/report", "/api/v1/terminals", "/api/v1/terminals/T001/profile", "/api/v1/conflicts", "/api/v1/session"} {
		for _, cl := range []*client{c, bad} {
			var e wire.Error
			if status := cl.do(http.MethodGet, path, nil, &e); status != 401 || e.Code != "login_required" {
				t.Errorf("GET %s with %q: %d %+v", path, cl.token, status, e)
			}
		}
	}
}
