package api

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"io"
	"io/fs"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"qrpos/payments/checkout"
	"qrpos/payments/reconcile"
)

const testToken = "tok-0123456789abcdefghijklmnopqrstuv"

// TestTCPNeedsTheToken: over TCP, no token or a wrong one is 401 (JSON,
// WWW-Authenticate), the right one is served; the token is never logged.
func TestTCPNeedsTheToken(t *testing.T) {
	r := newRig(t, rigOptions{})
	addr, err := r.srv.ListenTCP("127.0.0.1:0", testToken, nil)
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + addr.String()
	for name, auth := range map[string]string{
		"no header":     "",
		"wrong token":   "Bearer tok-0123456789abcdefghijklmnopqrstuX",
		"prefix":        "Bearer " + testToken[:len(testToken)-1],
		"longer":        "Bearer " + testToken + "x",
		"not bearer":    "Basic " + testToken,
		"lowercase key": "bearer " + testToken,
	} {
		req, _ := http.NewRequest("GET", base+"/v1/status", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e Error
		json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != 401 || e.Code != CodeUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: %d %+v", name, resp.StatusCode, e)
		}
	}
	// Refused requests write nothing either.
	req, _ := http.NewRequest("POST", base+"/v1/charges", strings.NewReader(`{"amount":"1.00","currency":"HKD","method":"eftpay:ALIPAYHK"}`))
	req.Header.Set("Idempotency-Key", "no-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || len(r.orders()) != 0 {
		t.Fatalf("charge without a token: %d, %d orders", resp.StatusCode, len(r.orders()))
	}

	c := NewTCPClient(base, testToken, nil)
	defer c.Close()
	st, err := c.Status(ctxT(t))
	if err != nil || st.Client != "token" {
		t.Fatalf("with the token: %+v %v", st, err)
	}
	ch := mustCharge(t, c, "tcp-1", ChargeRequest{Amount: "8.80", Currency: "HKD", Method: "qfpay:800101"})
	if ac, _ := r.j.IdempotentCharge(context.Background(), "tcp-1"); !strings.HasPrefix(ac.TokenID, "token:") || strings.Contains(ac.TokenID, testToken[4:12]) {
		t.Fatalf("token id %q", ac.TokenID)
	}
	c.Cancel(ctxT(t), ch.ID)
	if strings.Contains(r.logs.String(), testToken) || strings.Contains(r.logs.String(), testToken[:20]) {
		t.Fatal("the token is in the log")
	}
	if !strings.Contains(r.logs.String(), "no valid bearer token") {
		t.Fatal("refusals are not logged")
	}
	if _, err := r.srv.ListenTCP("127.0.0.1:0", "short-token", nil); err == nil {
		t.Fatal("a short token was accepted")
	}
}

// TestTCPWithTLS: with a certificate the same API is served over HTTPS.
func TestTCPWithTLS(t *testing.T) {
	r := newRig(t, rigOptions{})
	cert, pool := selfSigned(t)
	addr, err := r.srv.ListenTCP("127.0.0.1:0", testToken, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	c := NewTCPClient("https://"+addr.String(), testToken, &tls.Config{RootCAs: pool})
	defer c.Close()
	if st, err := c.Status(ctxT(t)); err != nil || st.Client != "token" {
		t.Fatalf("https: %+v %v", st, err)
	}
	plain := NewTCPClient("http://"+addr.String(), testToken, nil)
	defer plain.Close()
	if _, err := plain.Status(ctxT(t)); err == nil {
		t.Fatal("plain HTTP served on the TLS port")
	}
}

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pos"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// TestUnixSocket: mode 0600; a live socket is not taken over, a stale one
// is, a path that is not a socket is left alone, and a directory others
// can enter is refused.
func TestUnixSocket(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes")
	}
	r := newRig(t, rigOptions{})
	fi, err := os.Lstat(r.sock)
	if err != nil || fi.Mode().Type() != fs.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket %s: %v %v", r.sock, fi.Mode(), err)
	}
	other, _ := New(Config{Engine: func() *checkout.Engine { return r.eng }, Profile: r.currentProfile, Logger: r.logger()})
	defer other.Close()
	if err := other.ListenUnix(r.sock); err == nil || !strings.Contains(err.Error(), "answers") {
		t.Fatalf("a live socket was taken over: %v", err)
	}
	if _, err := r.c.Status(ctxT(t)); err != nil {
		t.Fatalf("the first server lost its socket: %v", err)
	}

	// A socket whose program died (no unlink): removed and served again.
	dir := privateDir(t)
	stale := filepath.Join(dir, SocketName)
	ln, err := net.Listen("unix", stale)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	if _, err := os.Lstat(stale); err != nil {
		t.Fatal("no stale socket to test with")
	}
	if err := other.ListenUnix(stale); err != nil {
		t.Fatalf("stale socket: %v", err)
	}
	c := NewSocketClient(stale)
	defer c.Close()
	if _, err := c.Status(ctxT(t)); err != nil {
		t.Fatal(err)
	}

	// A regular file at the path: not deleted.
	dir2 := privateDir(t)
	file := filepath.Join(dir2, SocketName)
	os.WriteFile(file, []byte("keep me"), 0o600)
	if err := other.ListenUnix(file); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Fatalf("a regular file: %v", err)
	}
	if b, _ := os.ReadFile(file); string(b) != "keep me" {
		t.Fatal("the file was touched")
	}
	// A directory others may enter.
	open := t.TempDir()
	os.Chmod(open, 0o755)
	if err := other.ListenUnix(filepath.Join(open, SocketName)); err == nil || !strings.Contains(err.Error(), "chmod 700") {
		t.Fatalf("an open directory: %v", err)
	}

	// Close removes the socket file.
	r.stop()
	if _, err := os.Lstat(r.sock); !os.IsNotExist(err) {
		t.Fatalf("socket left after close: %v", err)
	}
}

// TestErrorsAreJSON: unknown paths, wrong methods and bodies over 64 KiB.
func TestErrorsAreJSON(t *testing.T) {
	r := newRig(t, rigOptions{})
	status, _, body := r.raw("GET", "/v1/nothing", nil, "")
	if status != 404 || body["error"] != CodeNotFound {
		t.Fatalf("unknown path: %d %v", status, body)
	}
	status, hdr, body := r.raw("DELETE", "/v1/charges", nil, "")
	if status != 405 || body["error"] != CodeMethodNotAllowed || hdr.Get("Allow") != "POST" {
		t.Fatalf("wrong method: %d %v %v", status, body, hdr)
	}
	status, _, body = r.raw("GET", "/v1/charges/X?wait=5m", nil, "")
	if status != 400 || body["error"] != CodeQueryInvalid {
		t.Fatalf("wait too long: %d %v", status, body)
	}
	big := `{"amount":"1.00","currency":"HKD","method":"eftpay:ALIPAYHK","reference":"` + strings.Repeat("x", 70<<10) + `"}`
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", r.sock)
	}}}
	req, _ := http.NewRequest("POST", "http://pos/v1/charges", strings.NewReader(big))
	req.Header.Set("Idempotency-Key", "big")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 || len(r.orders()) != 0 {
		t.Fatalf("70 KiB body: %d", resp.StatusCode)
	}
}

// TestOpenAPIDescribesEveryRoute: the embedded OpenAPI 3 file names every
// route the server serves, with its methods, and nothing else; it is
// served at /v1/openapi.json.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	s := &Server{}
	var served, described []string
	for path, methods := range s.routes() {
		for m := range methods {
			served = append(served, strings.ToLower(m)+" "+path)
		}
	}
	for path, ops := range doc.Paths {
		for m := range ops {
			described = append(described, m+" "+path)
		}
	}
	sort.Strings(served)
	sort.Strings(described)
	if strings.Join(served, "\n") != strings.Join(described, "\n") {
		t.Fatalf("served:\n%s\ndescribed:\n%s", strings.Join(served, "\n"), strings.Join(described, "\n"))
	}
	r := newRig(t, rigOptions{})
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", r.sock)
	}}}
	resp, err := hc.Get("http://pos/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != string(openAPI) {
		t.Fatalf("served %d, %d bytes", resp.StatusCode, len(b))
	}
}

// TestOpenAPIDifferenceKinds: the OpenAPI file lists exactly the kinds of
// difference a reconciliation can answer.
func TestOpenAPIDifferenceKinds(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Enum []string `json:"enum"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, k := range reconcile.Kinds() {
		kinds = append(kinds, string(k))
	}
	described := doc.Components.Schemas["Difference"].Properties["kind"].Enum
	sort.Strings(kinds)
	sort.Strings(described)
	if len(kinds) == 0 || !slices.Equal(kinds, described) {
		t.Fatalf("kinds %v, described %v", kinds, described)
	}
}
