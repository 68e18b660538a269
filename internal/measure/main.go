// Command measure is `make measure` (not part of `make test`): the
// terminal's footprint beside a bare Fyne window's, in one run on this
// machine, under one Xvfb (issue 18). It builds `pos` and the bare window
// (internal/measure/bare) with the same toolchain and flags, starts both on
// the same virtual display and prints:
//
//   - both binaries' sizes as `make build` and as the installers build them
//     (-s -w), and their ratios;
//   - both programs' resident memory (VmRSS of /proc/PID/status) after they
//     have been idle for -idle (10 s) past pos's first painted frame, the
//     ratio, and pos's Go heap (runtime/metrics after giving back free
//     memory, which pos logs on SIGUSR1 when QRPOS_FOOTPRINT=1;
//     cmd/pos/footprint.go);
//   - pos's heap and RSS before, after the first, half-way through and
//     after -sales (1,000) demo sales rung up through its local API on the
//     Unix socket (the last reading -settle (70 s) later, after one more);
//   - start to the first painted cashier frame over -starts (10) warm starts
//     after one warm-up (p50, min, max): from starting the process to pos
//     logging "first frame", which it does right after the first frame that
//     shows the cashier window's content has been drawn and swapped
//     (cmd/pos/firstframe.go); and to "terminal ready" (recovery done);
//   - with -profile DIR, one more start with QRPOS_PROFILE=DIR and
//     GODEBUG=gctrace=1, and the top entries of its CPU profile of the start
//     and of its heap profiles.
//
// It needs Xvfb (Debian package xvfb). The machine's load average is printed
// with the figures: timings on a shared machine are noisy.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"
)

// config is measure's flags.
type config struct {
	starts, sales int
	idle, settle  time.Duration
	screen, lang  string
	profile       string
	tags          string
	keep          bool
}

func main() {
	var cfg config
	flag.IntVar(&cfg.starts, "starts", 10, "warm starts to time (after one warm-up)")
	flag.IntVar(&cfg.sales, "sales", 1000, "demo sales to ring up through the local API")
	flag.DurationVar(&cfg.idle, "idle", 10*time.Second, "idle time before reading memory")
	flag.DurationVar(&cfg.settle, "settle", 70*time.Second, "idle time after the sales before one more and the reading (Fyne keeps a text's texture a minute)")
	flag.StringVar(&cfg.screen, "screen", "1920x1080x24", "Xvfb screen")
	flag.StringVar(&cfg.lang, "lang", "en_US.UTF-8", "LANG of both programs")
	flag.StringVar(&cfg.profile, "profile", "", "also profile one start into this directory and print the top entries")
	flag.StringVar(&cfg.tags, "tags", "no_emoji", "build tags of pos (the Makefile's POS_TAGS); the bare window is built with Fyne's defaults")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the work directory (binaries, logs)")
	flag.Parse()
	if cfg.profile != "" {
		abs, err := filepath.Abs(cfg.profile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "measure:", err)
			os.Exit(2)
		}
		cfg.profile = abs
	}
	if err := run(context.Background(), cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "measure:", err)
		os.Exit(1)
	}
}

// run measures and prints to out.
func run(ctx context.Context, cfg config, out io.Writer) error {
	dir, err := os.MkdirTemp("", "qrpos-measure-")
	if err != nil {
		return err
	}
	if cfg.keep {
		fmt.Fprintln(out, "work directory:", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	fmt.Fprintf(out, "qrpos footprint, %s, %s, %d CPUs, load average %s; pos built with -tags %q\n",
		time.Now().Format("2006-01-02 15:04"), runtime.Version(), runtime.NumCPU(), loadAverage(), cfg.tags)
	bins, err := build(dir, cfg.tags)
	if err != nil {
		return err
	}
	printSizes(out, bins)

	display, stopX, err := startXvfb(dir, cfg.screen)
	if err != nil {
		return err
	}
	defer stopX()
	m := &measurer{cfg: cfg, dir: dir, bins: bins, out: out, env: environment(dir, display, cfg.lang)}
	if err := os.MkdirAll(m.home(), 0o700); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nXvfb %s %s, LANG=%s\n", display, cfg.screen, cfg.lang)
	if err := m.idleAndSales(ctx); err != nil {
		return err
	}
	if err := m.starts(ctx); err != nil {
		return err
	}
	if cfg.profile != "" {
		if err := m.profileStart(ctx); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "\nload average at the end: %s\n", loadAverage())
	return nil
}

// measurer holds what the phases share.
type measurer struct {
	cfg  config
	dir  string
	bins binaries
	out  io.Writer
	env  []string
}

func (m *measurer) home() string    { return filepath.Join(m.dir, "home") }
func (m *measurer) journal() string { return filepath.Join(m.home(), "demo.db") }

// startPos starts `pos run --demo` on the measuring display.
func (m *measurer) startPos(logName string, env ...string) (*proc, error) {
	return start(m.bins.pos, []string{"run", "--demo", "--journal", m.journal()}, append(append([]string(nil), m.env...), env...), filepath.Join(m.dir, logName))
}

// environment is both programs' environment: the display, a home of their
// own (config, caches) and the language.
func environment(dir, display, lang string) []string {
	home := filepath.Join(dir, "home")
	return []string{"DISPLAY=" + display, "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, "cache"), "LANG=" + lang, "LC_ALL=", "LANGUAGE="}
}

// binaries are the programs measure built.
type binaries struct {
	pos, bare               string
	posShipped, bareShipped string
}

// build builds pos (with tags) and the bare window (with Fyne's defaults:
// no tags, GOFLAGS cleared) twice: as `make build` does and as the
// installers do (-s -w).
func build(dir, tags string) (binaries, error) {
	b := binaries{pos: filepath.Join(dir, "pos"), bare: filepath.Join(dir, "bare"),
		posShipped: filepath.Join(dir, "pos-shipped"), bareShipped: filepath.Join(dir, "bare-shipped")}
	goTool := "go"
	if g := os.Getenv("GO"); g != "" {
		goTool = g
	}
	for _, j := range []struct{ out, ldflags, tags, pkg string }{
		{b.pos, "-X main.version=measure", tags, "./cmd/pos"},
		{b.bare, "-X main.version=measure", "", "./internal/measure/bare"},
		{b.posShipped, "-s -w -X main.version=measure", tags, "./cmd/pos"},
		{b.bareShipped, "-s -w -X main.version=measure", "", "./internal/measure/bare"},
	} {
		cmd := exec.Command(goTool, "build", "-tags", j.tags, "-ldflags", j.ldflags, "-o", j.out, j.pkg)
		cmd.Env = append(os.Environ(), "GOFLAGS=")
		if out, err := cmd.CombinedOutput(); err != nil {
			return b, fmt.Errorf("go build %s: %v\n%s", j.pkg, err, out)
		}
	}
	return b, nil
}

// printSizes prints the binaries' sizes and ratios.
func printSizes(out io.Writer, b binaries) {
	size := func(p string) int64 {
		fi, err := os.Stat(p)
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	fmt.Fprintf(out, "\n%-28s %10s %10s %7s\n", "binary", "bare", "pos", "ratio")
	for _, r := range []struct {
		name      string
		bare, pos string
	}{{"make build", b.bare, b.pos}, {"installers (-s -w)", b.bareShipped, b.posShipped}} {
		bs, ps := size(r.bare), size(r.pos)
		fmt.Fprintf(out, "%-28s %10s %10s %7s\n", r.name, mb(bs), mb(ps), ratio(ps, bs))
	}
}

// starts times the warm starts.
func (m *measurer) starts(ctx context.Context) error {
	fmt.Fprintf(m.out, "\nstart to first painted cashier frame, %d warm starts after one warm-up (load average %s)\n", m.cfg.starts, loadAverage())
	var frame, inside, ready []time.Duration
	for i := 0; i <= m.cfg.starts; i++ {
		p, err := m.startPos(fmt.Sprintf("pos-start%d.log", i))
		if err != nil {
			return err
		}
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		ff, err := p.waitLog(wctx, "first frame", 0)
		var rd logLine
		if err == nil {
			rd, err = p.waitLog(wctx, "terminal ready", 0)
		}
		cancel()
		p.stop()
		if err != nil {
			return fmt.Errorf("start %d: %w", i, err)
		}
		if i == 0 {
			continue
		}
		frame = append(frame, ff.at.Sub(p.started))
		inside = append(inside, time.Duration(ff.int("took_ms"))*time.Millisecond)
		ready = append(ready, rd.at.Sub(p.started))
	}
	row := func(name string, d []time.Duration) {
		lo, mid, hi := spread(d)
		fmt.Fprintf(m.out, "  %-44s p50 %5d ms   min %5d ms   max %5d ms\n", name, mid.Milliseconds(), lo.Milliseconds(), hi.Milliseconds())
	}
	row("process start to first painted frame", frame)
	row("(pos's own count, from main)", inside)
	row("process start to terminal ready (recovered)", ready)
	return nil
}

// spread is the minimum, median and maximum of d.
func spread(d []time.Duration) (lo, mid, hi time.Duration) {
	if len(d) == 0 {
		return 0, 0, 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	mid = s[len(s)/2]
	if len(s)%2 == 0 {
		mid = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[0], mid, s[len(s)-1]
}

// loadAverage is the first three fields of /proc/loadavg.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func mb(n int64) string  { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
func ratio(a, b int64) string {
	if b < 1<<20 {
		return "-"
	}
	return fmt.Sprintf("%.2f×", float64(a)/float64(b))
}

// sigFootprint asks pos for a footprint line.
var sigFootprint = syscall.SIGUSR1
