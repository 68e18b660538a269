package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"qrpos/hq/api"
	"qrpos/hq/pgtest"
	"qrpos/hq/wire"
)

// firstLine is a writer that hands its first line to a channel.
type firstLine struct {
	buf  bytes.Buffer
	sent bool
	line chan string
}

func (w *firstLine) Write(p []byte) (int, error) {
	w.buf.Write(p)
	if i := bytes.IndexByte(w.buf.Bytes(), '\n'); i >= 0 && !w.sent {
		w.line <- w.buf.String()[:i]
		w.sent = true
	}
	return len(p), nil
}

// TestHeadOfficeCommands: on a real PostgreSQL, `pos hq enrol` prints a
// token a terminal uploads with, `pos hq user add` reads the password
// from stdin, `pos hq api-token` prints a token that reads the uploaded
// order, and `pos hq` serves until interrupted.
func TestHeadOfficeCommands(t *testing.T) {
	db := pgtest.DB(t)
	run := func(stdin string, args ...string) (int, string, string) {
		hqStdin = strings.NewReader(stdin)
		var out, errOut bytes.Buffer
		code := dispatch(context.Background(), append([]string{"hq"}, args...), &out, &errOut)
		return code, strings.TrimSpace(out.String()), errOut.String()
	}
	code, token, stderr := run("", "enrol", "--db", db, "--tid", "T001", "--store", "Central")
	if code != 0 || !strings.HasPrefix(token, "hqt_") {
		t.Fatalf("enrol: %d %q %s", code, token, stderr)
	}
	if code, out, stderr := run("correct horse\n", "user", "add", "--db", db, "--name", "alice", "--role", "admin"); code != 0 || !strings.Contains(out, "alice") {
		t.Fatalf("user add: %d %q %s", code, out, stderr)
	}
	if code, _, _ := run("short\n", "user", "add", "--db", db, "--name", "bob"); code != 1 {
		t.Fatalf("a user with a short password: exit %d", code)
	}
	code, apiToken, _ := run("", "api-token", "--db", db, "--store", "Central")
	if code != 0 || !strings.HasPrefix(apiToken, "hqa_") {
		t.Fatalf("api-token: %d %q", code, apiToken)
	}
	for _, args := range [][]string{{}, {"frob"}, {"user", "remove"}, {"--db", db, "--tls-cert", "c.pem"}, {"--db", db, "--tz", "Mars/Olympus"}} {
		if code, _, _ := run("", args...); code != 2 {
			t.Errorf("pos hq %q: exit %d; want 2", args, code)
		}
	}

	ctx, stop := context.WithCancel(context.Background())
	started := &firstLine{line: make(chan string, 1)}
	served := make(chan int)
	go func() {
		served <- dispatch(ctx, []string{"hq", "--db", db, "--listen", "127.0.0.1:0"}, started, &bytes.Buffer{})
	}()
	base := strings.TrimPrefix(<-started.line, "head office on ")
	o := wire.Order{OutTradeNo: "T0012603020000000001", TID: "T001", Provider: "qfpay", Method: "800008", AmountMinor: 1288,
		Currency: "HKD", State: "paid", CreatedAt: 1772413200e9, UpdatedAt: 1772413200e9} // 2026-03-02 09:00 HKT
	body, _ := json.Marshal(o)
	batch, _ := json.Marshal(wire.Batch{JournalID: strings.Repeat("ab", 16), TID: "T001",
		Entries: []wire.Entry{{Seq: 1, Kind: wire.KindOrder, At: o.UpdatedAt, Body: body}}})
	var ack wire.Ack
	if status := call(t, http.MethodPost, base+wire.IngestPath, token, batch, &ack); status != 200 || ack.Acked != 1 {
		t.Fatalf("upload: %d %+v", status, ack)
	}
	var list api.OrderList
	if status := call(t, http.MethodGet, base+"/api/v1/orders?date=2026-03-02", apiToken, nil, &list); status != 200 ||
		len(list.Orders) != 1 || list.Orders[0].Amount != "12.88" {
		t.Fatalf("orders: %d %+v", status, list)
	}
	stop()
	if code := <-served; code != 0 {
		t.Fatalf("pos hq ended with %d when interrupted", code)
	}
}

// call sends body with a bearer token and decodes the JSON answer.
func call(t *testing.T, method, url, token string, body []byte, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(fmt.Errorf("%s %s: %d: %w", method, url, resp.StatusCode, err))
	}
	return resp.StatusCode
}
