package web

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"qrpos/hq/auth"
	"qrpos/payments"
)

//go:embed templates/*.html
var templateFS embed.FS

// styleCSS is the pages' only style sheet (GET /static/style.css).
//
//go:embed static/style.css
var styleCSS []byte

// pages are the templates, each parsed with the layout.
var pages = func() map[string]*template.Template {
	names := []string{"login", "today", "orders", "order", "terminals", "conflicts", "profile", "reconciliation", "error"}
	out := map[string]*template.Template{}
	for _, n := range names {
		out[n] = template.Must(template.New("layout.html").Funcs(funcs).
			ParseFS(templateFS, "templates/layout.html", "templates/"+n+".html"))
	}
	return out
}()

var funcs = template.FuncMap{
	"report": func(title string, lines []reportLine) any {
		return struct {
			Title string
			Lines []reportLine
		}{title, lines}
	},
}

// orderURL is the page of order no of terminal tid.
func orderURL(tid, no string) string {
	return "/orders/" + url.PathEscape(tid) + "/" + url.PathEscape(no)
}

// money formats minor units of currency c as a decimal ("12.30"); an
// unknown currency's amount stays in minor units.
func money(minor int64, c string) string {
	if !payments.Currency(c).Valid() {
		return (payments.Money{Minor: minor}).MinorString()
	}
	return payments.Money{Minor: minor, Currency: payments.Currency(c)}.Decimal()
}

// frame is what the layout shows around every page: who is logged in,
// the session's CSRF token for the logout form, the page's title and
// which tab it is.
type frame struct {
	Title string
	Tab   string // today, orders, terminals, conflicts, reconciliation
	User  auth.Principal
	Now   string
}

// framed is a page's data, which has a frame.
type framed interface{ setFrame(frame) }

func (f *frame) setFrame(v frame) { *f = v }

// render writes page name with data and status. The page is rendered
// whole before a byte is sent, so a template error is a clean 500.
func (pg *Pages) render(w http.ResponseWriter, r *http.Request, status int, name string, data framed, f frame) {
	f.Now = pg.now().In(pg.loc()).Format("2006-01-02 15:04")
	data.setFrame(f)
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, "layout.html", data); err != nil {
		pg.Log.Error("page", "page", name, "err", err)
		http.Error(w, "the page could not be shown", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorView is a page that says what went wrong.
type errorView struct {
	frame
	Status  int
	Message string
}

// fail shows an error page with status and message.
func (pg *Pages) fail(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, message string) {
	pg.render(w, r, status, "error", &errorView{Status: status, Message: message},
		frame{Title: http.StatusText(status), User: p})
}

// clock formats t in the chain's zone.
func (pg *Pages) clock(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(pg.loc()).Format("2006-01-02 15:04:05")
}
