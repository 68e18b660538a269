package hq_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"testing"

	"qrpos/hq"
	"qrpos/hq/internal/hqtest"
	"qrpos/hq/wire"
)

// client calls the API as a script (token) or a browser (cookie jar).
type client struct {
	t     *testing.T
	base  string
	http  *http.Client
	token string // Authorization: Bearer
	csrf  string // X-CSRF-Token
}

func scriptClient(t *testing.T, r *hqtest.Rig, shop string) *client {
	t.Helper()
	token, err := hq.NewAPIToken(context.Background(), r.DB, shop)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: r.Server.URL, http: r.Server.Client(), token: token}
}

func browser(t *testing.T, r *hqtest.Rig) *client {
	jar, _ := cookiejar.New(nil)
	c := *r.Server.Client()
	c.Jar = jar
	return &client{t: t, base: r.Server.URL, http: &c}
}

// do sends a request and decodes a JSON answer into out (a wire.Error
// when the status is not 2xx); it returns the status.
func (c *client) do(method, path string, body any, out any) int {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		var e wire.Error
		if err := json.Unmarshal(data, &e); err != nil || e.Code == "" {
			c.t.Fatalf("%s %s: %d %q is no wire.Error", method, path, resp.StatusCode, data)
		}
		if out, ok := out.(*wire.Error); ok {
			*out = e
		}
		return resp.StatusCode
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatalf("%s %s: %q: %v", method, path, data, err)
		}
	}
	return resp.StatusCode
}

// get wants a 200 of path decoded into out.
func (c *client) get(path string, out any) {
	c.t.Helper()
	if status := c.do(http.MethodGet, path, nil, out); status != 200 {
		c.t.Fatalf("GET %s: %d", path, status)
	}
}

// chain enrols T001 (Central) and T002 (Kowloon) and uploads their
// sales, all on 2026-03-02: T001 two (10.50 with 5.00 refunded, 20.50),
// T002 one (10.50).
func chain(t *testing.T, r *hqtest.Rig) (*hqtest.Journal, *hqtest.Journal) {
	t.Helper()
	j1, j2 := hqtest.NewJournal("T001"), hqtest.NewJournal("T002")
	first := j1.Sale(hqtest.OrderNo("T001", 1), 1050)
	j1.Sale(hqtest.OrderNo("T001", 2), 2050)
	j1.Refund(first, "R1", 500)
	j2.Sale(hqtest.OrderNo("T002", 1), 1050)
	for _, j := range []*hqtest.Journal{j1, j2} {
		shop := map[string]string{"T001": "Central", "T002": "Kowloon"}[j.TID]
		if rep := r.Post(r.Enrol(j.TID, shop), j.All()); rep.Status != 200 || rep.Ack.Acked != int64(len(j.Entries)) {
			t.Fatalf("upload %s: %+v", j.TID, rep)
		}
	}
	return j1, j2
}
