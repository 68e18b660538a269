package checkout

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// closedWithin is the generous bound for "the server closed it": far above
// the test's timeouts (about a second), far below what a client could hold
// the connection for without them.
const closedWithin = 20 * time.Second

// notifyRig serves a handler that counts the requests it sees and answers
// "ok <body length>", on real loopback TCP.
type notifyRig struct {
	addr string
	srv  *http.Server
	hits atomic.Int64
}

func newNotifyRig(t *testing.T, lim NotifyLimits) *notifyRig {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &notifyRig{addr: ln.Addr().String()}
	r.srv = ServeNotifications(ln, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.hits.Add(1)
		b, err := io.ReadAll(req.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, "ok %d", len(b))
	}), lim)
	t.Cleanup(func() { r.srv.Close() })
	return r
}

func (r *notifyRig) dial(t *testing.T) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", r.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// post sends a complete request on c (keep-alive) and reads the answer.
func post(t *testing.T, c net.Conn, br *bufio.Reader, body string) *http.Response {
	t.Helper()
	fmt.Fprintf(c, "POST /n HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	c.SetReadDeadline(time.Now().Add(closedWithin))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(strings.NewReader(string(b)))
	return resp
}

// waitClosed reads c until the server closes it; it fails if that takes
// longer than closedWithin.
func waitClosed(t *testing.T, c net.Conn) time.Duration {
	t.Helper()
	start := time.Now()
	c.SetReadDeadline(start.Add(closedWithin))
	_, err := io.Copy(io.Discard, c)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the server kept the connection open for %v", closedWithin)
	}
	return time.Since(start)
}

// fastLimits are short timeouts for the tests.
var fastLimits = NotifyLimits{ReadHeaderTimeout: 300 * time.Millisecond, ReadTimeout: 800 * time.Millisecond,
	WriteTimeout: 800 * time.Millisecond, IdleTimeout: 500 * time.Millisecond, MaxBodyBytes: 1 << 10, MaxConns: 4}

func TestNotifyServerDefaults(t *testing.T) {
	d := DefaultNotifyLimits()
	if d.ReadHeaderTimeout != 5*time.Second || d.ReadTimeout != 15*time.Second || d.WriteTimeout != 15*time.Second ||
		d.IdleTimeout != 20*time.Second || d.MaxBodyBytes != 64<<10 || d.MaxConns != 64 {
		t.Fatalf("defaults %+v", d)
	}
	// A slow body or an idle connection is closed within 30 s: the whole
	// request (read) plus the answer (write), or the idle wait.
	if d.ReadTimeout+d.WriteTimeout > 30*time.Second || d.IdleTimeout >= 30*time.Second || d.ReadHeaderTimeout > d.ReadTimeout {
		t.Fatalf("defaults %+v let a client hold a connection for 30 s", d)
	}
	srv := newNotifyServer(http.NotFoundHandler(), NotifyLimits{})
	if srv.ReadHeaderTimeout != d.ReadHeaderTimeout || srv.ReadTimeout != d.ReadTimeout ||
		srv.WriteTimeout != d.WriteTimeout || srv.IdleTimeout != d.IdleTimeout || srv.MaxHeaderBytes == 0 {
		t.Fatalf("server %+v", srv)
	}
	if got := (NotifyLimits{MaxConns: 3}).withDefaults(); got.MaxConns != 3 || got.ReadTimeout != d.ReadTimeout {
		t.Fatalf("withDefaults %+v", got)
	}
}

// TestNotifyServerSlowBody: a body trickling in a byte at a time is cut off
// by the read timeout; the handler never sees it.
func TestNotifyServerSlowBody(t *testing.T) {
	r := newNotifyRig(t, fastLimits)
	c := r.dial(t)
	fmt.Fprintf(c, "POST /n HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n")
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			if _, err := c.Write([]byte("x")); err != nil {
				return
			}
		}
	}()
	took := waitClosed(t, c)
	if n := r.hits.Load(); n != 0 {
		t.Fatalf("the handler saw %d partial requests", n)
	}
	t.Logf("closed after %v (500 bytes at 10/s would take 50 s)", took)
}

// TestNotifyServerSlowHeaders: headers trickling in are cut off too.
func TestNotifyServerSlowHeaders(t *testing.T) {
	r := newNotifyRig(t, fastLimits)
	c := r.dial(t)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		fmt.Fprintf(c, "POST /n HTTP/1.1\r\n")
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			if _, err := c.Write([]byte("X-A: b\r\n")); err != nil {
				return
			}
		}
	}()
	waitClosed(t, c)
	if n := r.hits.Load(); n != 0 {
		t.Fatalf("the handler saw %d requests", n)
	}
}

// TestNotifyServerIdleKeepAlive: a keep-alive connection that sends nothing
// more is closed; so is one that never sends anything.
func TestNotifyServerIdleKeepAlive(t *testing.T) {
	r := newNotifyRig(t, fastLimits)
	c := r.dial(t)
	br := bufio.NewReader(c)
	if resp := post(t, c, br, "hello"); resp.StatusCode != http.StatusOK || resp.Close {
		t.Fatalf("status %d close %v", resp.StatusCode, resp.Close)
	}
	waitClosed(t, c)
	waitClosed(t, r.dial(t))
}

// TestNotifyServerBodyLimit: a body over the limit is answered 413 whether
// its length is announced or not, and the handler never sees it; a body at
// the limit goes through whole.
func TestNotifyServerBodyLimit(t *testing.T) {
	r := newNotifyRig(t, fastLimits)
	url := "http://" + r.addr + "/n"
	client := &http.Client{Timeout: closedWithin}
	resp, err := client.Post(url, "text/plain", strings.NewReader(strings.Repeat("a", 1<<10+1)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("announced: status %d", resp.StatusCode)
	}
	// Chunked: no Content-Length, the limit is found while reading.
	resp, err = client.Post(url, "text/plain", io.MultiReader(strings.NewReader(strings.Repeat("a", 1<<10)), strings.NewReader("b")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked: status %d", resp.StatusCode)
	}
	if n := r.hits.Load(); n != 0 {
		t.Fatalf("the handler saw %d oversized requests", n)
	}
	resp, err = client.Post(url, "text/plain", strings.NewReader(strings.Repeat("a", 1<<10)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(b) != "ok 1024" {
		t.Fatalf("at the limit: %d %q", resp.StatusCode, b)
	}
}

// TestNotifyServerMaxConns: with N connections open the next one is not
// served; it is once one of them closes.
func TestNotifyServerMaxConns(t *testing.T) {
	const n = 3
	lim := NotifyLimits{MaxConns: n} // default (long) timeouts: the held connections stay
	r := newNotifyRig(t, lim)
	var held []net.Conn
	for i := 0; i < n; i++ {
		c := r.dial(t)
		if resp := post(t, c, bufio.NewReader(c), "held"); resp.StatusCode != http.StatusOK {
			t.Fatalf("conn %d: status %d", i, resp.StatusCode)
		}
		held = append(held, c)
	}
	extra := r.dial(t) // the kernel completes the handshake; the server does not accept it
	fmt.Fprintf(extra, "POST /n HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nextra")
	extra.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	if _, err := extra.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("connection %d was served while %d were open: %v", n+1, n, err)
	}
	if got := r.hits.Load(); got != n {
		t.Fatalf("%d requests served, want %d", got, n)
	}
	held[0].Close()
	extra.SetReadDeadline(time.Now().Add(closedWithin))
	resp, err := http.ReadResponse(bufio.NewReader(extra), nil)
	if err != nil {
		t.Fatalf("not served after a slot freed: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(b) != "ok 5" {
		t.Fatalf("status %d %q", resp.StatusCode, b)
	}
}

// TestNotifyServerShutdown: Shutdown returns while the listener waits for
// a free slot, and the port is closed.
func TestNotifyServerShutdown(t *testing.T) {
	r := newNotifyRig(t, NotifyLimits{MaxConns: 1})
	c := r.dial(t)
	if resp := post(t, c, bufio.NewReader(c), "x"); resp.StatusCode != http.StatusOK {
		t.Fatal(resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), closedWithin)
	defer cancel()
	if err := r.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	waitClosed(t, c)
	if c2, err := net.DialTimeout("tcp", r.addr, time.Second); err == nil {
		c2.Close()
		t.Fatal("still listening after Shutdown")
	}
}

// TestNotifyLimitListenerClose: Close wakes an Accept that waits for a slot
// (else the server's goroutine would outlive Shutdown).
func TestNotifyLimitListenerClose(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := limitListener(inner, 1)
	c := make(chan net.Conn, 1)
	go func() {
		conn, _ := net.Dial("tcp", inner.Addr().String())
		c <- conn
	}()
	first, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	defer (<-c).Close()
	done := make(chan error, 1)
	go func() {
		_, err := ln.Accept() // waits for the slot first holds
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	ln.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Accept after Close: %v", err)
		}
	case <-time.After(closedWithin):
		t.Fatal("Accept still waiting after Close")
	}
}
