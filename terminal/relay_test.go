package terminal

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	hqwire "qrpos/hq/wire"
	"qrpos/payments/checkout"
	"qrpos/payments/sandbox"
)

// TestRelayLinkSilenceAndResume: against a head office that relays one
// notification whose signature does not verify and then falls silent, the
// terminal refuses the notification (its own handler), gives the silent
// stream up, and opens the next with Last-Event-ID: the id it took.
func TestRelayLinkSilenceAndResume(t *testing.T) {
	var mu sync.Mutex
	var asked []string // each stream request's Last-Event-ID
	office := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != hqwire.RelayStreamPath || r.Header.Get("Authorization") != "Bearer "+testHQToken {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		mu.Lock()
		asked = append(asked, r.Header.Get("Last-Event-ID"))
		first := len(asked) == 1
		mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, ": RL01\n\n")
		if first {
			data, _ := json.Marshal(hqwire.RelayedNotification{ID: 5, Provider: "qfpay",
				Body:   []byte(`{"notify_type":"payment","out_trade_no":"CFG01260302ABCDEFGHIJ","syssn":"1","respcd":"0000","txamt":"100","txcurrcd":"HKD"}`),
				Header: map[string]string{"X-Qf-Sign": strings.Repeat("0", 32), "Content-Type": "application/json"}})
			fmt.Fprintf(w, "id: 5\nevent: %s\ndata: %s\n\n", hqwire.RelayEvent, data)
		}
		w.(http.Flusher).Flush()
		<-r.Context().Done() // silent from now on
	}))
	t.Cleanup(office.Close)
	sb := sandbox.New(sandbox.Config{Logger: quiet})
	t.Cleanup(sb.Close)
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	path := writeConfig(t, srv.URL)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "[hq]\nurl = %q\ntoken = %q\n", office.URL, testHQToken)
	f.Close()
	c, err := Open(context.Background(), Options{ConfigPath: path, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	c.StartRelay(context.Background(), RelayConfig{Silence: 300 * time.Millisecond, MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond})
	waitFor(t, "a second stream", func() bool { mu.Lock(); defer mu.Unlock(); return len(asked) >= 2 })
	mu.Lock()
	first, second := asked[0], asked[1]
	mu.Unlock()
	if first != "" || second != "5" {
		t.Fatalf("Last-Event-ID %q then %q; want none then 5", first, second)
	}
	if st := c.RelayStatus(); st.Refused != 1 || st.Relayed != 0 || st.LastEventID != 5 {
		t.Fatalf("relay status %+v", st)
	}
	if c.Engine().NotificationsFlowing() {
		t.Fatal("no notify_url, yet the engine takes notifications for flowing")
	}
}

// TestCheckRelayed: what head office does not relay never reaches a
// provider's handler.
func TestCheckRelayed(t *testing.T) {
	ok := hqwire.RelayedNotification{Provider: "qfpay", Body: []byte("{}"), Header: map[string]string{"X-Qf-Sign": "AB", "Content-Type": "application/json"}}
	if err := checkRelayed(ok); err != nil {
		t.Fatal(err)
	}
	for name, n := range map[string]hqwire.RelayedNotification{
		"unknown provider":  {Provider: "paypal"},
		"a path":            {Provider: "qfpay/../x"},
		"body too long":     {Provider: "qfpay", Body: make([]byte, hqwire.MaxRelayedBody+1)},
		"a proxy's header":  {Provider: "qfpay", Header: map[string]string{"X-Forwarded-For": "1.2.3.4"}},
		"another header":    {Provider: "qfpay", Header: map[string]string{"Authorization": "Bearer x"}},
		"a newline":         {Provider: "qfpay", Header: map[string]string{"X-Qf-Sign": "AB\r\nX-Evil: 1"}},
		"a space in a name": {Provider: "qfpay", Header: map[string]string{"X-Qf Sign": "AB"}},
	} {
		if err := checkRelayed(n); err == nil {
			t.Errorf("%s: relayed", name)
		}
	}
}

// FuzzRelayedEvent: whatever an event's data holds, it is refused or
// becomes a request a provider's handler can be given, never a panic.
func FuzzRelayedEvent(f *testing.F) {
	ok, _ := json.Marshal(hqwire.RelayedNotification{ID: 1, Provider: "qfpay", Body: []byte(`{"a":1}`), Header: map[string]string{"X-Qf-Sign": "AB"}})
	f.Add(ok)
	f.Add([]byte(`{"id":2,"provider":"eftpay","body":"e30=","header":{"Content-Type":"application/json"}}`))
	f.Add([]byte(`{"provider":"qfpay","header":{"X-A\n":"b"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var n hqwire.RelayedNotification
		if json.Unmarshal(data, &n) != nil || checkRelayed(n) != nil {
			return
		}
		req, err := http.NewRequest(http.MethodPost, relayPrefix+"/"+n.Provider, strings.NewReader(string(n.Body)))
		if err != nil {
			t.Fatalf("a checked notification makes no request: %v", err)
		}
		for k, v := range n.Header {
			req.Header.Set(k, v)
			if req.Header.Get(k) != v {
				t.Fatalf("header %q does not hold %q", k, v)
			}
		}
	})
}

// TestNotifiesThroughHQ: polling may slow only when the providers are
// told to notify head office itself.
func TestNotifiesThroughHQ(t *testing.T) {
	for _, c := range []struct {
		notify, hq string
		want       bool
	}{
		{"https://hq.example.com/notify/central", "https://hq.example.com", true},
		{"https://HQ.example.com:443/notify/central", "https://hq.example.com:443/", true},
		{"", "https://hq.example.com", false},
		{"https://shop.example.com/notify", "https://hq.example.com", false},
		{"http://hq.example.com/notify/central", "https://hq.example.com", false},
		{"https://hq.example.com:8443/notify/central", "https://hq.example.com", false},
	} {
		p := checkout.Profile{NotifyURL: c.notify, HQ: checkout.HQProfile{URL: c.hq}}
		if got := notifiesThroughHQ(p); got != c.want {
			t.Errorf("notify_url %q, [hq] url %q: %v, want %v", c.notify, c.hq, got, c.want)
		}
	}
}
