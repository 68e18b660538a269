package hq_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"qrpos/hq"
	"qrpos/hq/api"
	"qrpos/hq/auth"
	"qrpos/hq/internal/hqtest"
	"qrpos/hq/wire"
)

// addUser adds a user with the password "correct horse".
func addUser(t *testing.T, r *hqtest.Rig, name, role, shop string) {
	t.Helper()
	if err := r.Auth.AddUser(context.Background(), name, role, shop, "correct horse"); err != nil {
		t.Fatal(err)
	}
}

// login logs c in and keeps its CSRF token.
func (c *client) login(name, password string) (int, api.Session) {
	c.t.Helper()
	var s api.Session
	status := c.do(http.MethodPost, "/api/v1/login", api.Login{Name: name, Password: password}, &s)
	c.csrf = s.CSRF
	return status, s
}

// TestSessionsAndCSRF: a user logs in (an HttpOnly, SameSite=Strict
// cookie), reads as their role and store allow, changes a profile only
// as an admin and only with the session's CSRF token, and logs out.
func TestSessionsAndCSRF(t *testing.T) {
	r := hqtest.New(t)
	chain(t, r)
	addUser(t, r, "alice", "admin", "")
	addUser(t, r, "victor", "viewer", "Kowloon")
	v := browser(t, r)
	if status, s := v.login("victor", "correct horse"); status != 200 || s.Role != "viewer" || s.Store != "Kowloon" || s.CSRF == "" {
		t.Fatalf("victor's login: %d %+v", status, s)
	}
	u, _ := url.Parse(r.Server.URL)
	if cs := v.http.Jar.Cookies(u); len(cs) != 1 || cs[0].Name != auth.CookieName {
		t.Fatalf("cookies after login: %v", cs)
	}
	var list api.OrderList
	v.get("/api/v1/orders?date=2026-03-02", &list)
	if len(list.Orders) != 1 || list.Orders[0].Store != "Kowloon" {
		t.Fatalf("victor sees %+v", list.Orders)
	}
	edit := api.ProfileEdit{Settings: json.RawMessage(`{"receipt_footer":"Thanks"}`)}
	var e wire.Error
	if status := v.do(http.MethodPut, "/api/v1/terminals/T002/profile", edit, &e); status != 403 || e.Code != "admin_only" {
		t.Fatalf("a viewer's profile edit: %d %+v", status, e)
	}
	a := browser(t, r)
	a.login("alice", "correct horse")
	csrf := a.csrf
	a.csrf = ""
	if status := a.do(http.MethodPut, "/api/v1/terminals/T002/profile", edit, &e); status != 403 || e.Code != "csrf" {
		t.Fatalf("an edit without the CSRF token: %d %+v", status, e)
	}
	a.csrf = "wrong"
	if status := a.do(http.MethodPut, "/api/v1/terminals/T002/profile", edit, &e); status != 403 || e.Code != "csrf" {
		t.Fatalf("an edit with a wrong CSRF token: %d %+v", status, e)
	}
	a.csrf = csrf
	var saved api.ProfileSaved
	if status := a.do(http.MethodPut, "/api/v1/terminals/T002/profile", edit, &saved); status != 200 || saved.By != "alice" {
		t.Fatalf("alice's edit: %d %+v", status, saved)
	}
	if status := a.do(http.MethodPost, "/api/v1/logout", nil, nil); status != 204 {
		t.Fatalf("logout: %d", status)
	}
	if status := a.do(http.MethodGet, "/api/v1/session", nil, &e); status != 401 {
		t.Fatalf("the session answers after logout: %d", status)
	}
	script := scriptClient(t, r, "")
	if status := script.do(http.MethodPut, "/api/v1/terminals/T002/profile", edit, &e); status != 403 || e.Code != "read_only" {
		t.Fatalf("an API token's edit: %d %+v", status, e)
	}
}

// TestSessionCookieFlags: the cookie is HttpOnly and SameSite=Strict,
// and Secure over TLS.
func TestSessionCookieFlags(t *testing.T) {
	r := hqtest.New(t)
	addUser(t, r, "alice", "admin", "")
	tls := httptest.NewTLSServer(hq.New(hq.Config{DB: r.DB, Auth: r.Auth}))
	defer tls.Close()
	for _, base := range []string{r.Server.URL, tls.URL} {
		resp, err := tls.Client().Post(base+"/api/v1/login", "application/x-www-form-urlencoded",
			strings.NewReader("name=alice&password=correct+horse"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		cs := resp.Cookies()
		secure := strings.HasPrefix(base, "https:")
		if resp.StatusCode != 200 || len(cs) != 1 || !cs[0].HttpOnly || cs[0].SameSite != http.SameSiteStrictMode || cs[0].Secure != secure {
			t.Fatalf("login at %s: %d, cookies %+v; want HttpOnly, SameSite=Strict, Secure %v", base, resp.StatusCode, cs, secure)
		}
	}
}

// TestLoginFromAnotherSiteRefused: a login or a change whose Origin is
// another site is refused even with the CSRF token.
func TestLoginFromAnotherSiteRefused(t *testing.T) {
	r := hqtest.New(t)
	addUser(t, r, "alice", "admin", "")
	req, _ := http.NewRequest(http.MethodPost, r.Server.URL+"/api/v1/login", strings.NewReader("name=alice&password=correct+horse"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := r.Server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 || len(resp.Cookies()) != 0 {
		t.Fatalf("a login from another site: %d %v", resp.StatusCode, resp.Cookies())
	}
}

// TestLockout: five wrong passwords in a row lock the user for 15
// minutes, the right password included; then it works again.
func TestLockout(t *testing.T) {
	r := hqtest.New(t)
	addUser(t, r, "alice", "admin", "")
	c := browser(t, r)
	for i := 1; i <= 4; i++ {
		if status, _ := c.login("alice", "wrong"); status != 401 {
			t.Fatalf("wrong password %d: %d", i, status)
		}
	}
	if status, _ := c.login("alice", "wrong"); status != 429 {
		t.Fatalf("the fifth wrong password: %d; want 429 locked", status)
	}
	if status, _ := c.login("alice", "correct horse"); status != 429 {
		t.Fatalf("the right password while locked: %d; want 429", status)
	}
	if status, _ := c.login("nobody", "correct horse"); status != 401 {
		t.Fatalf("an unknown name: %d", status)
	}
	r.Clock.Advance(14 * time.Minute)
	if status, _ := c.login("alice", "correct horse"); status != 429 {
		t.Fatalf("after 14 minutes: %d; want still locked", status)
	}
	r.Clock.Advance(2 * time.Minute)
	if status, _ := c.login("alice", "correct horse"); status != 200 {
		t.Fatalf("after 16 minutes: %d; want in", status)
	}
}

// TestProfileSecretsRefusedAndHidden: an admin cannot set a provider
// secret, nor a profile naming another tid; a secret a terminal uploaded
// anyway is not shown.
func TestProfileSecretsRefusedAndHidden(t *testing.T) {
	r := hqtest.New(t)
	chain(t, r)
	addUser(t, r, "alice", "admin", "")
	a := browser(t, r)
	a.login("alice", "correct horse")
	var e wire.Error
	for _, s := range []string{
		`{"eftpay":{"base_url":"https://x","secret":"s3cret"}}`,
		`{"qfpay":{"client_key":"k"}}`,
		`{"api_token":"t"}`,
		`{"hq":{"url":"https://hq","token":"hqt_x"}}`,
		`{"tid":"T009"}`,
		`[1]`,
	} {
		body := api.ProfileEdit{Settings: json.RawMessage(s)}
		if status := a.do(http.MethodPut, "/api/v1/terminals/T001/profile", body, &e); status != 400 {
			t.Errorf("settings %s: %d %+v; want 400", s, status, e)
		}
	}
	if status := a.do(http.MethodPut, "/api/v1/terminals/T404/profile", api.ProfileEdit{Settings: json.RawMessage(`{}`)}, &e); status != 404 {
		t.Fatalf("a profile of no terminal: %d", status)
	}
	j := hqtest.NewJournal("T001")
	j.Add(wire.KindProfile, wire.Profile{TID: "T001", UpdatedAt: 5, Settings: json.RawMessage(`{"eftpay":{"secret":"leak","base_url":"u"}}`)})
	if rep := r.Post(r.Enrol("T001", ""), j.All()); rep.Status != 200 {
		t.Fatalf("upload: %+v", rep)
	}
	var list api.ProfileList
	a.get("/api/v1/terminals/T001/profile", &list)
	if len(list.Versions) != 1 || strings.Contains(string(list.Versions[0].Settings), "leak") ||
		!strings.Contains(string(list.Versions[0].Settings), `"base_url":"u"`) {
		t.Fatalf("profile versions %+v: want the secret blanked, the rest shown", list.Versions)
	}
}
