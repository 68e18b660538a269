package terminal

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	hqwire "qrpos/hq/wire"
	"qrpos/storage"
)

const hqKillChildEnv = "TERMINAL_HQ_KILL_CHILD_CONFIG"

// init turns the test binary into TestHQKilledBeforeCursorMoves' child when
// its environment variable is set: a terminal that kills itself with
// SIGKILL once head office answered its first batch, before the cursor
// moves.
func init() {
	config := os.Getenv(hqKillChildEnv)
	if config == "" {
		return
	}
	c, err := Open(context.Background(), Options{ConfigPath: config, Log: quiet})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	cfg := fastHQ()
	cfg.afterAck = func(hqwire.Ack) { syscall.Kill(os.Getpid(), syscall.SIGKILL) }
	c.startHQ(context.Background(), "child", cfg)
	time.Sleep(time.Minute)
	fmt.Println("error: never killed")
	os.Exit(3)
}

// TestHQKilledBeforeCursorMoves: the terminal is killed after head office
// stored a batch and answered, before the cursor moved. Started again, it
// sends the batch again (head office sees the duplicates), and head office
// ends up with every entry once.
func TestHQKilledBeforeCursorMoves(t *testing.T) {
	r := newHQRig(t)
	c := r.open(t)
	journalSales(t, c.Journal(), "HQ01", 70)
	c.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), hqKillChildEnv+"="+r.config)
	out, err := cmd.CombinedOutput()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child: %v: %s", err, out)
	}
	posts, dups, _, held := r.hq.counts()
	if posts != 1 || held != hqwire.MaxBatch || dups != 0 {
		t.Fatalf("before the restart: %d posts, %d held, %d duplicates", posts, held, dups)
	}
	j, err := storage.Open(context.Background(), JournalPath(r.config, c.Profile()))
	if err != nil {
		t.Fatal(err)
	}
	cur, err := j.UploadCursor(context.Background())
	j.Close()
	if err != nil || cur != 0 {
		t.Fatalf("the cursor moved to %d (%v) although the terminal died first", cur, err)
	}

	c = r.open(t)
	c.startHQ(context.Background(), "test", fastHQ())
	waitFor(t, "the upload", caughtUp(c))
	r.hq.assertHolds(t, c.Journal())
	if _, dups, _, _ := r.hq.counts(); dups != hqwire.MaxBatch {
		t.Fatalf("%d duplicates, want the first batch (%d) sent again", dups, hqwire.MaxBatch)
	}
}

// connectProxy is an HTTP proxy that tunnels CONNECT requests and counts
// them.
type connectProxy struct {
	mu      sync.Mutex
	tunnels map[string]int
}

func (p *connectProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodConnect {
		http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
		return
	}
	up, err := net.Dial("tcp", r.Host)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	p.mu.Lock()
	p.tunnels[r.Host]++
	p.mu.Unlock()
	w.WriteHeader(http.StatusOK)
	conn, rw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		up.Close()
		return
	}
	go func() {
		io.Copy(up, rw)
		up.Close()
	}()
	io.Copy(conn, up)
	conn.Close()
}

// TestHQThroughProxy: an https head office reached through an HTTP proxy
// (CONNECT), the certificate checked against the trusted authorities.
func TestHQThroughProxy(t *testing.T) {
	r := newHQRig(t)
	tlsHQ := httptest.NewUnstartedServer(r.hq)
	tlsHQ.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake below
	tlsHQ.StartTLS()
	defer tlsHQ.Close()
	proxy := &connectProxy{tunnels: map[string]int{}}
	ps := httptest.NewServer(proxy)
	defer ps.Close()
	r.config = writeHQConfig(t, "http://127.0.0.1:1", tlsHQ.URL)
	c := r.open(t)
	journalSales(t, c.Journal(), "HQ01", 3)

	cfg := fastHQ()
	proxyURL, _ := url.Parse(ps.URL)
	cfg.Proxy = http.ProxyURL(proxyURL)
	c.startHQ(context.Background(), "test", cfg) // the system's authorities: the test certificate is refused
	waitFor(t, "a refused certificate", func() bool { _, _, e := c.HQStatus(); return e != "" })
	if _, _, e := c.HQStatus(); !strings.Contains(e, "certificate") {
		t.Fatalf("error %q, want a certificate error", e)
	}
	pool := x509.NewCertPool()
	pool.AddCert(tlsHQ.Certificate())
	cfg.RootCAs = pool
	c.startHQ(context.Background(), "test", cfg)
	waitFor(t, "the upload", caughtUp(c))
	r.hq.assertHolds(t, c.Journal())
	proxy.mu.Lock()
	defer proxy.mu.Unlock()
	if proxy.tunnels[tlsHQ.Listener.Addr().String()] == 0 {
		t.Fatalf("no tunnel through the proxy: %v", proxy.tunnels)
	}
}
