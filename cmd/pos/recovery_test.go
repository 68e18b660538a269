package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"qrpos/api"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// posBinary builds pos once for the package's tests (the build takes a
// while: the window toolkit is linked in).
func posBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "qrpos-pos-test-"); buildErr != nil {
			return
		}
		out, err := exec.Command(goTool(), "build", "-o", filepath.Join(buildDir, "pos"), ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(buildDir, "pos")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// TestRecoveryAfterFirstFrame: a demo terminal is killed while a QR sale
// waits for the customer; started again, it paints the cashier window
// before it touches that order, then closes it with the provider and shows
// the recovery banner.
func TestRecoveryAfterFirstFrame(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	bin := posBinary(t)
	display := startXvfb(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	first := startDemo(t, bin, dir, display, "first.log")
	till := waitForAPI(ctx, t, filepath.Join(dir, "api.sock"), first.exited)
	ch, _, err := till.CreateCharge(ctx, "recovery-1", api.ChargeRequest{Amount: "12.30", Currency: "HKD", Method: "qfpay:800101", Reference: "till-r1"})
	if err != nil || ch.State != "pending" || ch.QRCode == "" {
		t.Fatalf("charge %+v %v", ch, err)
	}
	till.Close()
	first.cmd.Process.Kill()
	<-first.exited

	second := startDemo(t, bin, dir, display, "second.log")
	defer second.stop()
	log := waitForLog(ctx, t, second, `msg="terminal ready"`)
	frame, touched := strings.Index(log, `msg="first frame"`), strings.Index(log, ch.OutTradeNo)
	if frame < 0 || touched < 0 || touched < frame {
		t.Fatalf("the first frame (at %d) must come before the order is recovered (at %d):\n%s", frame, touched, log)
	}
	mv := exec.CommandContext(ctx, "xdotool", "search", "--sync", "--name", "customer display", "windowmove", "1200", "0")
	mv.Env = append(os.Environ(), "DISPLAY="+display)
	if b, err := mv.CombinedOutput(); err != nil {
		t.Fatalf("xdotool: %v\n%s", err, b)
	}
	if n := bannerPixels(t, display, filepath.Join(dir, "screen.png")); n < 5000 {
		t.Errorf("%d pixels of the recovery banner's colour in the cashier window, want a banner", n)
	}
	c := api.NewSocketClient(filepath.Join(dir, "api.sock"))
	defer c.Close()
	if got, err := c.Charge(ctx, ch.ID, 0); err != nil || got.State != "closed" {
		t.Errorf("the interrupted sale after recovery: %+v %v", got, err)
	}
}

// demoRun is a running pos run --demo.
type demoRun struct {
	cmd    *exec.Cmd
	log    string
	exited chan error
}

func (r *demoRun) stop() {
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.exited:
	case <-time.After(10 * time.Second):
		r.cmd.Process.Kill()
	}
}

// startDemo starts pos run --demo on the journal in dir, logging to name.
func startDemo(t *testing.T, bin, dir, display, name string) *demoRun {
	t.Helper()
	cmd := exec.Command(bin, "run", "--demo", "--journal", filepath.Join(dir, "demo.db"))
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "HOME="+dir, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"LANG=en_US.UTF-8", "LANGUAGE=en", "LC_ALL=")
	r := &demoRun{cmd: cmd, log: filepath.Join(dir, name), exited: make(chan error, 1)}
	f, err := os.Create(r.log)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.exited <- cmd.Wait(); f.Close() }()
	t.Cleanup(r.stop)
	return r
}

// waitForLog waits until the log holds want and returns it.
func waitForLog(ctx context.Context, t *testing.T, r *demoRun, want string) string {
	t.Helper()
	for {
		b, _ := os.ReadFile(r.log)
		if bytes.Contains(b, []byte(want)) {
			return string(b)
		}
		select {
		case err := <-r.exited:
			t.Fatalf("pos exited (%v) before logging %s:\n%s", err, want, b)
		case <-ctx.Done():
			t.Fatalf("no %s in the log:\n%s", want, b)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// bannerPixels counts the pixels of the recovery banner's colour (ui's
// colorBanner) in the cashier window, at the screen's top left.
func bannerPixels(t *testing.T, display, path string) int {
	t.Helper()
	if err := screenshot(display, path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	area := image.Rect(0, 0, 800, 600).Intersect(img.Bounds())
	for y := area.Min.Y; y < area.Max.Y; y++ {
		for x := area.Min.X; x < area.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if r>>8 == 0xff && g>>8 == 0xf3 && b>>8 == 0xcd {
				n++
			}
		}
	}
	return n
}
