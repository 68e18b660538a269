package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.bug.st/serial"

	"qrpos/devices/printer"
)

// socatPair starts a pty pair (links a and b in a temporary directory) and
// returns their paths; the pair ends with the test.
func socatPair(t *testing.T) (a, b string) {
	t.Helper()
	bin, err := exec.LookPath("socat")
	if err != nil {
		t.Fatalf("socat is required for the serial port tests and was not found (%v): install it with 'apt-get install socat' (.ci/install-deps does)", err)
	}
	dir := t.TempDir()
	a, b = filepath.Join(dir, "a"), filepath.Join(dir, "b")
	cmd := exec.Command(bin, "pty,raw,echo=0,link="+a, "pty,raw,echo=0,link="+b)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, ea := os.Stat(a)
		_, eb := os.Stat(b)
		if ea == nil && eb == nil {
			return a, b
		}
		if time.Now().After(deadline) {
			t.Fatal("socat made no ptys within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// lockedBuffer is a stdout the test reads while the command writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestScanCommand(t *testing.T) {
	dev, port := socatPair(t)
	var stdout, stderr lockedBuffer
	done := make(chan int)
	go func() {
		done <- dispatch(context.Background(), []string{"scan", "--port", port, "--count", "2"}, &stdout, &stderr)
	}()
	w, err := os.OpenFile(dev, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(stdout.String(), `"state":"up"`) {
		if time.Now().After(deadline) {
			t.Fatalf("port never up: %s %s", stdout.String(), stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	io.WriteString(w, "134567890123456789\r\n"+strings.Repeat("9", 300)+"\r\n6212345678901234567\r\n")
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("pos scan did not stop after 2 codes: %s", stdout.String())
	}
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(stdout.String()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not JSON: %q", sc.Text())
		}
		lines = append(lines, m)
	}
	want := []map[string]any{
		{"event": "port", "state": "up", "port": port},
		{"code": "134567890123456789", "wallet": "wechat"},
		{"event": "dropped", "reason": "too long", "len": float64(300)},
		{"code": "6212345678901234567", "wallet": "unionpay"},
	}
	if len(lines) != len(want) {
		t.Fatalf("output:\n%s", stdout.String())
	}
	for i := range want {
		for k, v := range want[i] {
			if lines[i][k] != v {
				t.Errorf("line %d: %s = %v, want %v", i, k, lines[i][k], v)
			}
		}
	}
	if strings.Contains(stderr.String(), "134567890123456789") {
		t.Errorf("stderr holds a full code: %s", stderr.String())
	}
}

func TestPrintTestRendersPNG(t *testing.T) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Fatalf("zbarimg is required and was not found (%v): install zbar-tools (.ci/install-deps does)", err)
	}
	for _, enc := range []string{"big5", "gb18030"} {
		out := filepath.Join(t.TempDir(), "receipt.png")
		var stdout, stderr bytes.Buffer
		if code := dispatch(context.Background(), []string{"print-test", "--encoding", enc, "--width", "42", "--out", out}, &stdout, &stderr); code != 0 {
			t.Fatalf("%s: exit %d: %s", enc, code, stderr.String())
		}
		qr, err := exec.Command(zbar, "-q", "--raw", out).Output()
		if err != nil || strings.TrimSpace(string(qr)) != printer.SampleReceipt(printer.Encoding(enc)).QR {
			t.Errorf("%s: zbarimg: %q %v", enc, qr, err)
		}
		txt, err := os.ReadFile(filepath.Join(filepath.Dir(out), "receipt.txt"))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"big5": "香港九龍旺角彌敦道", "gb18030": "香港九龙旺角弥敦道"}[enc]
		if !strings.Contains(string(txt), want) {
			t.Errorf("%s: text lacks %s:\n%s", enc, want, txt)
		}
	}
	var stderr bytes.Buffer
	if code := dispatch(context.Background(), []string{"print-test"}, io.Discard, &stderr); code != 2 {
		t.Errorf("no --port nor --out: exit %d", code)
	}
	if code := dispatch(context.Background(), []string{"print-test", "--width", "40", "--out", filepath.Join(t.TempDir(), "x.png")}, io.Discard, &stderr); code != 1 {
		t.Errorf("width 40: exit %d", code)
	}
}

func TestPrintTestOnPort(t *testing.T) {
	side, port := socatPair(t)
	v := printer.NewVirtual(printer.WithEncoding(printer.GB18030), printer.WithWidth(32))
	defer v.Close()
	sp, err := serial.Open(side, &serial.Mode{BaudRate: 115200})
	if err != nil {
		t.Fatal(err)
	}
	sp.SetReadTimeout(20 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() { v.Serve(ctx, sp); close(served) }()
	defer func() { cancel(); <-served; sp.Close() }()

	var stdout, stderr bytes.Buffer
	args := []string{"print-test", "--port", port, "--baud", "115200", "--encoding", "gb18030", "--width", "32", "--flow", "xonxoff"}
	if code := dispatch(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "printer status: ok") {
		t.Errorf("stdout: %s", stdout.String())
	}
	deadline := time.Now().Add(3 * time.Second)
	for v.Last() == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	p := v.Last()
	if p == nil || !strings.Contains(p.Text(), "好味茶餐厅") || !strings.Contains(p.Text(), "[QR: T20261123170509001]") {
		t.Fatalf("printed: %+v", p)
	}
	v.SetPaperOut(true)
	stderr.Reset()
	if code := dispatch(context.Background(), args, io.Discard, &stderr); code != 1 || !strings.Contains(stderr.String(), "paper out") {
		t.Errorf("paper out: exit %d, %s", code, stderr.String())
	}
}

func TestPortsCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := dispatch(context.Background(), []string{"ports"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if out := stdout.String(); !strings.HasPrefix(out, "PORT") && out != "no serial ports found\n" {
		t.Errorf("output: %q", out)
	}
	stdout.Reset()
	if code := dispatch(context.Background(), []string{"ports", "--json"}, &stdout, &stderr); code != 0 {
		t.Fatalf("--json: exit %d", code)
	}
	for _, l := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		if l != "" && !json.Valid([]byte(l)) {
			t.Errorf("not JSON: %q", l)
		}
	}
}
