package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/bits"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"qrpos/api"
)

// TestRunDemoUnderXvfb runs the real binary in demo mode on a virtual X
// display and rings up a QR sale as a shop's till does: through the local
// API on the Unix socket beside the journal. The counter shows the till's
// sale; the test moves the customer display beside the cashier window as a
// kiosk's xdotool line would, takes an X screenshot of the screen and
// decodes the QR codes in it with zbarimg: both windows must show exactly
// the code the provider returned. Then the sandbox customer pays and the
// till sees it, in the event stream and in a long-poll.
// Xvfb, xwd, xdotool and zbarimg come from .ci/install-deps.
func TestRunDemoUnderXvfb(t *testing.T) {
	for _, tool := range []string{"Xvfb", "xwd", "xdotool", "zbarimg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: run .ci/install-deps (Debian packages xvfb, x11-apps, xdotool, zbar-tools): %v", tool, err)
		}
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil { // the journal refuses a directory others can read
		t.Fatal(err)
	}
	bin := posBinary(t)
	display := startXvfb(t, dir)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.Command(bin, "run", "--demo", "--journal", filepath.Join(dir, "demo.db"))
	cmd.Env = append(os.Environ(), "DISPLAY="+display,
		"HOME="+dir, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "LANG=en_US.UTF-8", "LANGUAGE=en", "LC_ALL=")
	logPath := filepath.Join(dir, "pos.log")
	stderr, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	cmd.Stderr = stderr
	started := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("pos log:\n%s", b)
		}
	}()

	till := waitForAPI(ctx, t, filepath.Join(dir, api.SocketName), exited)
	defer till.Close()
	waitForWindow(ctx, t, display, "customer display")
	t.Logf("start-up to a usable terminal (local API answering, windows mapped): %v ms", time.Since(started).Milliseconds())
	sbURL := logValue(t, logPath, "demo sandbox", "url")

	events, err := till.Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ch, _, err := till.CreateCharge(ctx, "e2e-1", api.ChargeRequest{Amount: "12.30", Currency: "HKD", Method: "qfpay:800101", Reference: "till-e2e"})
	if err != nil {
		t.Fatal(err)
	}
	no, code := ch.OutTradeNo, ch.QRCode
	for code == "" {
		ev := nextEvent(ctx, t, events, "qr")
		if ev.Charge.OutTradeNo == no {
			code = ev.Charge.QRCode
		}
	}
	if no == "" || code == "" {
		t.Fatalf("charge %+v", ch)
	}

	// Without a window manager both windows open at the origin: move the
	// customer display beside the cashier window, as a kiosk does.
	mv := exec.CommandContext(ctx, "xdotool", "search", "--sync", "--name", "customer display", "windowmove", "1200", "0")
	mv.Env = append(os.Environ(), "DISPLAY="+display)
	if b, err := mv.CombinedOutput(); err != nil {
		t.Fatalf("xdotool: %v\n%s", err, b)
	}

	shot := filepath.Join(dir, "screen.png")
	var found []string
	deadline := time.Now().Add(20 * time.Second)
	for {
		if err := screenshot(display, shot); err != nil {
			t.Fatal(err)
		}
		found, err = zbar(shot)
		if err != nil {
			t.Fatal(err)
		}
		if len(found) >= 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if keep := os.Getenv("QRPOS_SCREENSHOTS"); keep != "" {
		b, _ := os.ReadFile(shot)
		os.WriteFile(filepath.Join(keep, "xvfb-sale.png"), b, 0o644)
	}
	if len(found) < 2 {
		t.Fatalf("found %d QR codes on the screen (%q), want the cashier's and the customer display's", len(found), found)
	}
	for _, f := range found {
		if f != code {
			t.Fatalf("screen QR %q, provider's %q", f, code)
		}
	}
	if rss, err := vmRSS(cmd.Process.Pid); err == nil {
		t.Logf("resident memory with a sale on screen: %d MiB", rss>>20)
	}

	// The demo customer pays; the terminal learns it and tells the till.
	resp, err := http.PostForm(sbURL+"/sandbox/pay", url.Values{"out_trade_no": {no}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for {
		ev := nextEvent(ctx, t, events, "state")
		if ev.Charge.OutTradeNo == no && ev.Charge.State == "paid" {
			break
		}
	}
	if got, err := till.Charge(ctx, ch.ID, 30*time.Second); err != nil || got.State != "paid" || got.ProviderRef == "" {
		t.Fatalf("long-poll after paying: %+v %v", got, err)
	}
}

// waitForAPI waits until the terminal's local API answers on its socket.
func waitForAPI(ctx context.Context, t *testing.T, socket string, exited <-chan error) *api.Client {
	t.Helper()
	c := api.NewSocketClient(socket)
	for {
		st, err := c.Status(ctx)
		if err == nil && st.TID != "" {
			return c
		}
		select {
		case err := <-exited:
			t.Fatalf("pos exited before its API answered: %v", err)
		case <-ctx.Done():
			t.Fatalf("the local API never answered: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// waitForWindow waits until a window whose name matches is mapped.
func waitForWindow(ctx context.Context, t *testing.T, display, name string) {
	t.Helper()
	c := exec.CommandContext(ctx, "xdotool", "search", "--sync", "--onlyvisible", "--name", name)
	c.Env = append(os.Environ(), "DISPLAY="+display)
	if b, err := c.CombinedOutput(); err != nil {
		t.Fatalf("xdotool search %q: %v\n%s", name, err, b)
	}
}

// nextEvent reads the event stream until an event of kind with a charge.
func nextEvent(ctx context.Context, t *testing.T, events <-chan api.Event, kind string) api.Event {
	t.Helper()
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatalf("the event stream ended before %q", kind)
			}
			if ev.Kind == kind && ev.Charge != nil {
				return ev
			}
		case <-ctx.Done():
			t.Fatalf("no %q event", kind)
		}
	}
}

// logValue finds key=value on the log line with msg (slog's text format).
func logValue(t *testing.T, path, msg, key string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.Contains(l, "msg=\""+msg+"\"") && !strings.Contains(l, "msg="+msg+" ") {
			continue
		}
		for _, f := range strings.Fields(l) {
			if v, ok := strings.CutPrefix(f, key+"="); ok {
				return v
			}
		}
	}
	t.Fatalf("no %s=... on a %q line of the log", key, msg)
	return ""
}

// goTool is the go command: the one on PATH, else the one in GOROOT.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	if root := os.Getenv("GOROOT"); root != "" {
		return filepath.Join(root, "bin", "go")
	}
	return "go"
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// startXvfb starts a virtual display on a free number and returns its name.
func startXvfb(t *testing.T, dir string) string {
	t.Helper()
numbers:
	for n := 90; n < 140; n++ {
		if fileExists(fmt.Sprintf("/tmp/.X11-unix/X%d", n)) || fileExists(fmt.Sprintf("/tmp/.X%d-lock", n)) {
			continue
		}
		name := ":" + strconv.Itoa(n)
		// -bs: no backing store. With it, a window moved by xdotool (no
		// window manager) shows the pixels it had when moved, not what
		// OpenGL draws afterwards.
		x := exec.Command("Xvfb", name, "-screen", "0", "2100x1100x24", "-nolisten", "tcp", "-bs")
		log, _ := os.Create(filepath.Join(dir, fmt.Sprintf("xvfb%d.log", n)))
		x.Stdout, x.Stderr = log, log
		if err := x.Start(); err != nil {
			t.Fatalf("Xvfb: %v", err)
		}
		done := make(chan struct{})
		go func() { x.Wait(); close(done) }()
		t.Cleanup(func() {
			x.Process.Signal(syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				x.Process.Kill()
			}
			log.Close()
		})
		for i := 0; i < 100; i++ {
			select {
			case <-done:
				continue numbers // lost the race for this number
			default:
			}
			if fileExists(fmt.Sprintf("/tmp/.X11-unix/X%d", n)) {
				return name
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("Xvfb %s did not come up", name)
	}
	t.Fatal("no free X display number")
	return ""
}

// screenshot dumps the whole X screen with xwd and writes it as PNG.
func screenshot(display, path string) error {
	c := exec.Command("xwd", "-root", "-silent", "-display", display)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Run(); err != nil {
		return fmt.Errorf("xwd: %v: %s", err, errb.String())
	}
	img, err := decodeXWD(out.Bytes())
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// decodeXWD reads an X window dump of a TrueColor screen (ZPixmap, 24 or
// 32 bits per pixel), as xwd writes for Xvfb.
func decodeXWD(b []byte) (image.Image, error) {
	if len(b) < 100 {
		return nil, errors.New("xwd: short header")
	}
	var h [25]uint32
	for i := range h {
		h[i] = binary.BigEndian.Uint32(b[i*4:])
	}
	hdr, format, w, ht, order, bpp, bpl, class, ncolors := h[0], h[2], int(h[4]), int(h[5]), h[7], int(h[11]), int(h[12]), h[13], h[19]
	if format != 2 || (bpp != 32 && bpp != 24) || class != 4 && class != 5 {
		return nil, fmt.Errorf("xwd: format %d, %d bits per pixel, visual class %d: not a TrueColor ZPixmap", format, bpp, class)
	}
	rm, gm, bm := h[14], h[15], h[16]
	off := int(hdr) + int(ncolors)*12
	if w <= 0 || ht <= 0 || bpl < w*bpp/8 || off+ht*bpl > len(b) || rm == 0 || gm == 0 || bm == 0 {
		return nil, errors.New("xwd: sizes do not fit the file")
	}
	channel := func(p, m uint32) uint8 {
		s := bits.TrailingZeros32(m)
		return uint8(uint64((p&m)>>s) * 255 / uint64(m>>s))
	}
	img := image.NewRGBA(image.Rect(0, 0, w, ht))
	step := bpp / 8
	for y := 0; y < ht; y++ {
		row := b[off+y*bpl:]
		for x := 0; x < w; x++ {
			px := row[x*step : x*step+step]
			var p uint32
			if order == 0 { // LSBFirst
				for i := step - 1; i >= 0; i-- {
					p = p<<8 | uint32(px[i])
				}
			} else {
				for i := 0; i < step; i++ {
					p = p<<8 | uint32(px[i])
				}
			}
			img.SetRGBA(x, y, color.RGBA{channel(p, rm), channel(p, gm), channel(p, bm), 0xff})
		}
	}
	return img, nil
}

// zbar lists the QR codes zbarimg finds in an image.
func zbar(path string) ([]string, error) {
	c := exec.Command("zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", path)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 4 { // no symbol found
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("zbarimg: %v: %s", err, errb.String())
	}
	var codes []string
	for _, l := range strings.Split(strings.TrimRight(out.String(), "\n"), "\n") {
		if l != "" {
			codes = append(codes, l)
		}
	}
	return codes, nil
}

// vmRSS is a process's resident memory.
func vmRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS")
}

// FuzzDecodeXWD: a damaged screen dump is an error, never a panic.
func FuzzDecodeXWD(f *testing.F) {
	hdr := make([]byte, 100+4*2*2)
	for i, v := range []uint32{100, 7, 2, 24, 2, 2, 0, 0, 32, 0, 32, 32, 8, 4, 0xff0000, 0xff00, 0xff, 8, 256, 0, 2, 2, 0, 0, 0} {
		binary.BigEndian.PutUint32(hdr[i*4:], v)
	}
	f.Add(hdr)
	f.Add([]byte("not an xwd"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) >= 24 && binary.BigEndian.Uint32(b[16:])*binary.BigEndian.Uint32(b[20:]) > 1<<22 {
			return // a huge picture is slow, not wrong
		}
		decodeXWD(b)
	})
}
