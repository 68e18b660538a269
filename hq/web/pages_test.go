package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"qrpos/hq/internal/hqtest"
	"qrpos/hq/wire"
)

// page is a plain HTTP client of the pages, with its own cookies.
type page struct {
	t    *testing.T
	base string
	http *http.Client
}

func newPage(t *testing.T, c *chain) *page {
	jar, _ := cookiejar.New(nil)
	h := *c.Server.Client()
	h.Jar = jar
	h.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &page{t: t, base: c.Server.URL, http: &h}
}

// get fetches path and returns the answer with its body.
func (p *page) get(path string) (*http.Response, string) {
	p.t.Helper()
	resp, err := p.http.Get(p.base + path)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// post sends form to path.
func (p *page) post(path string, form url.Values) (*http.Response, string) {
	p.t.Helper()
	resp, err := p.http.PostForm(p.base+path, form)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the CSRF token of a page's form.
func (p *page) csrf(body string) string {
	p.t.Helper()
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		p.t.Fatalf("no csrf field in %q", body)
	}
	return m[1]
}

// login logs in through the login form and wants to land on next.
func (p *page) login(name, next string) {
	p.t.Helper()
	_, body := p.get("/login?next=" + url.QueryEscape(next))
	resp, body := p.post("/login", url.Values{"csrf": {p.csrf(body)}, "name": {name}, "password": {password}, "next": {next}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != next {
		p.t.Fatalf("login of %s: %d %v %q", name, resp.StatusCode, resp.Header, body)
	}
}

// TestPagesEscapeWhatTerminalsSent: a provider reference and a store name
// with HTML in them are shown as text on every page that shows them,
// never as markup.
func TestPagesEscapeWhatTerminalsSent(t *testing.T) {
	c := newChain(t)
	j := hqtest.NewJournal("T003")
	o := j.Sale("T003EVIL", 4200)
	o.ProviderRef, o.UpdatedAt = `<script>alert("x")</script>`, o.UpdatedAt+1
	j.Add(wire.KindOrder, o)
	c.upload(c.Enrol("T003", `<b onmouseover="x()">Mong Kok</b>`), j)
	p := newPage(t, c)
	p.login(admin, "/")
	for _, path := range []string{"/orders/T003/T003EVIL", "/orders?q=T003EVIL", "/", "/orders?date=2026-03-02", "/terminals"} {
		resp, body := p.get(path)
		if resp.StatusCode != 200 || strings.Contains(body, "<script>") || strings.Contains(body, "<b onmouseover") {
			t.Errorf("%s: %d, markup from a terminal in %q", path, resp.StatusCode, body)
		}
		if !strings.Contains(body, "&lt;b onmouseover=&#34;x()&#34;&gt;Mong Kok&lt;/b&gt;") {
			t.Errorf("%s: the store's name is not shown escaped", path)
		}
	}
	if _, body := p.get("/orders/T003/T003EVIL"); !strings.Contains(body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Errorf("the order's provider reference is not shown escaped: %q", body)
	}
}

// TestSecurityHeaders: pages forbid scripts and framing and are not
// cached; someone not logged in is sent to the login page, which brings
// them back.
func TestSecurityHeaders(t *testing.T) {
	c := newChain(t)
	p := newPage(t, c)
	resp, _ := p.get("/orders?q=T001")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Forders%3Fq%3DT001" {
		t.Fatalf("not logged in: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	p.login(hana, "/orders?q=T001")
	for _, path := range []string{"/login", "/", "/orders?q=T001", "/terminals", "/conflicts", "/export.csv", "/nowhere-orders/x"} {
		resp, _ := p.get(path)
		h := resp.Header
		if path == "/nowhere-orders/x" {
			if resp.StatusCode != 404 {
				t.Errorf("%s: %d", path, resp.StatusCode)
			}
			continue
		}
		if !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'self'") || h.Get("X-Frame-Options") != "DENY" ||
			h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", path, h)
		}
	}
	if resp, _ := p.get("/static/style.css"); resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Errorf("style sheet: %d %v", resp.StatusCode, resp.Header)
	}
}

// TestLoginFormCSRF: a login form posted without its token, or from
// another site, starts no session.
func TestLoginFormCSRF(t *testing.T) {
	c := newChain(t)
	p := newPage(t, c)
	resp, body := p.post("/login", url.Values{"name": {admin}, "password": {password}, "csrf": {"guess"}})
	if resp.StatusCode != http.StatusForbidden || len(resp.Cookies()) != 1 || resp.Cookies()[0].Name != "hq_login" ||
		!strings.Contains(body, "This form had expired") {
		t.Fatalf("a login without the form's token: %d %v", resp.StatusCode, resp.Cookies())
	}
	_, body = p.get("/login")
	req, _ := http.NewRequest(http.MethodPost, c.Server.URL+"/login",
		strings.NewReader(url.Values{"name": {admin}, "password": {password}, "csrf": {p.csrf(body)}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := p.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a login from another site: %d", resp.StatusCode)
	}
	if resp, _ := p.get("/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a session was started: / answers %d", resp.StatusCode)
	}
	p.login(admin, "/")
	if resp, _ := p.post("/logout", url.Values{"csrf": {"wrong"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a logout without the session's token: %d", resp.StatusCode)
	}
}

// TestCSVExport: the export has one line per order of the day, amounts
// as decimal strings, a text that looks like a formula defused, and only
// the stores the login sees.
func TestCSVExport(t *testing.T) {
	c := newChain(t)
	j := hqtest.NewJournal("T003")
	o := j.Sale("T003FORMULA", 100)
	o.ProviderRef, o.UpdatedAt = `=HYPERLINK("http://evil")`, o.UpdatedAt+1
	j.Add(wire.KindOrder, o)
	c.upload(c.Enrol("T003", "Central"), j)
	p := newPage(t, c)
	p.login(hana, "/")
	resp, body := p.get("/export.csv?date=2026-03-02")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Disposition") != `attachment; filename=orders-2026-03-02.csv` ||
		resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("export: %d %v", resp.StatusCode, resp.Header)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	no1 := hqtest.OrderNo("T001", 1)
	want := [][]string{
		{"store", "tid", "time", "out_trade_no", "method", "provider", "amount", "currency", "state", "provider_ref", "refunded"},
		{"Central", "T001", "2026-03-02T09:00:01+08:00", no1, "eftpay:ALIPAYHK", "eftpay", "10.50", "HKD", "partly_refunded", "REF" + no1, "5.00"},
	}
	if len(rows) != 5 || strings.Join(rows[0], ",") != strings.Join(want[0], ",") || strings.Join(rows[1], ",") != strings.Join(want[1], ",") {
		t.Fatalf("export:\n%s\nwant 4 orders, first %v", body, want[1])
	}
	if f := rows[3]; f[3] != "T003FORMULA" || f[9] != `'=HYPERLINK("http://evil")` || f[6] != "1.00" {
		t.Fatalf("the formula order's line %v", f)
	}
	k := newPage(t, c)
	k.login(kowloonly, "/")
	if _, body := k.get("/export.csv?date=2026-03-02"); strings.Count(body, "\n") != 2 || !strings.Contains(body, "Kowloon,T002") {
		t.Fatalf("Kowloon's viewer exports %q", body)
	}
	if resp, _ := k.get("/export.csv?date=2026-03-02&store=Central"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("Kowloon's viewer asks for Central's export: %d", resp.StatusCode)
	}
	if resp, _ := k.get("/export.csv?date=2026-02-30"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("an export of no date: %d", resp.StatusCode)
	}
}

// TestProfileFormStale: a form filled before the terminal sent a newer
// profile saves nothing, and says so; a viewer may not post the form.
func TestProfileFormStale(t *testing.T) {
	c := newChain(t)
	p := newPage(t, c)
	p.login(admin, "/terminals/T001/profile")
	_, body := p.get("/terminals/T001/profile")
	base := regexp.MustCompile(`name="base" value="(\d+)"`).FindStringSubmatch(body)
	if base == nil {
		t.Fatalf("no base version in %q", body)
	}
	c.j1.Add(wire.KindProfile, wire.Profile{TID: "T001", UpdatedAt: c.j1.Now().UnixNano() + 1, Settings: json.RawMessage(`{"tid":"T001","receipt_footer":"Manager's"}`)})
	c.upload(c.token1, c.j1)
	form := url.Values{"csrf": {p.csrf(body)}, "base": {base[1]}, "store_name": {"X"}, "order_timeout": {"120"}, "cpm_timeout": {"45"}}
	resp, body := p.post("/terminals/T001/profile", form)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "changed meanwhile (by terminal T001)") {
		t.Fatalf("a stale form: %d %q", resp.StatusCode, body)
	}
	versions, err := c.DB.Profiles(context.Background(), "T001", 5)
	if err != nil || len(versions) != 2 || versions[0].Source != "terminal" {
		t.Fatalf("versions after a stale form: %+v %v", versions, err)
	}
	v := newPage(t, c)
	v.login(hana, "/")
	_, body = v.get("/")
	if resp, _ := v.post("/terminals/T001/profile", url.Values{"csrf": {v.csrf(body)}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a viewer posts the profile form: %d", resp.StatusCode)
	}
}

// TestTerminalsShowMissingEntries: a terminal that pruned entries before
// head office got them (it ran without head office) is marked on the
// terminal list with how many; the others are not.
func TestTerminalsShowMissingEntries(t *testing.T) {
	c := newChain(t)
	j := hqtest.NewJournal("T003")
	j.Sale(hqtest.OrderNo("T003", 1), 1000)
	j.Sale(hqtest.OrderNo("T003", 2), 2000)
	b := j.Batch(6, int64(len(j.Entries)))
	b.PrunedThrough = 5
	if rep := c.Post(c.Enrol("T003", "Central"), b); rep.Status != 200 || rep.Ack.Acked != int64(len(j.Entries)) {
		t.Fatalf("upload after pruning: %+v", rep)
	}
	p := newPage(t, c)
	p.login(admin, "/terminals")
	_, body := p.get("/terminals")
	rows := regexp.MustCompile(`(?s)<tr>.*?</tr>`).FindAllString(body, -1)
	marked := map[string]bool{}
	for _, row := range rows {
		for _, tid := range []string{"T001", "T002", "T003"} {
			if strings.Contains(row, ">"+tid+"</a>") {
				marked[tid] = strings.Contains(row, "never uploaded")
				if tid == "T003" && !strings.Contains(row, "5 entries never uploaded") {
					t.Errorf("T003's row: %q", row)
				}
			}
		}
	}
	if len(marked) != 3 || !marked["T003"] || marked["T001"] || marked["T002"] {
		t.Fatalf("rows marked as missing entries: %v", marked)
	}
}
