package main

// The memory phases: both programs idle side by side, then pos through the
// demo sales, and the optional profiled start.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// idleAndSales starts the bare window and pos together, reads their memory
// once both have been idle, then rings up the sales on the same pos.
func (m *measurer) idleAndSales(ctx context.Context) error {
	bare, err := start(m.bins.bare, nil, m.env, filepath.Join(m.dir, "bare.log"))
	if err != nil {
		return err
	}
	defer bare.stop()
	env := []string{"QRPOS_FOOTPRINT=1"}
	if m.cfg.profile != "" {
		// heap-1.pprof idle, then -2 to -5: before, after the first sale, half-way, after the sales
		sales := filepath.Join(m.cfg.profile, "sales")
		if err := os.MkdirAll(sales, 0o755); err != nil {
			return err
		}
		env = append(env, "QRPOS_PROFILE="+sales)
	}
	pos, err := m.startPos("pos-idle.log", env...)
	if err != nil {
		return err
	}
	defer pos.stop()
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if _, err := pos.waitLog(wctx, "first frame", 0); err != nil {
		return err
	}
	time.Sleep(m.cfg.idle)
	bm, err := readMemory(bare.cmd.Process.Pid)
	if err != nil {
		return fmt.Errorf("bare window: %w", err)
	}
	pm, err := readMemory(pos.cmd.Process.Pid)
	if err != nil {
		return fmt.Errorf("pos: %w", err)
	}
	fps := &footprints{p: pos}
	heap, err := fps.next(wctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.out, "\nidle resident memory, %s after pos's first painted frame, both running\n", m.cfg.idle)
	fmt.Fprintf(m.out, "%-28s %10s %10s %7s\n", "", "bare", "pos", "ratio")
	for _, r := range []struct {
		name      string
		bare, pos int64
	}{{"VmRSS", bm.rss, pm.rss}, {"  RssAnon (heap, GL buffers)", bm.anon, pm.anon}, {"  RssFile (mapped files)", bm.file, pm.file}, {"  RssShmem", bm.shmem, pm.shmem}} {
		fmt.Fprintf(m.out, "%-28s %10s %10s %7s\n", r.name, mib(r.bare), mib(r.pos), ratio(r.pos, r.bare))
	}
	fmt.Fprintf(m.out, "pos's Go heap after giving back what it holds free: live %s; memory the Go runtime holds %s\n",
		mib(heap.int("heap_live_bytes")), mib(heap.int("go_held_bytes")))
	bare.stop()
	return m.sales(ctx, pos, fps)
}

// footprints asks a pos started with QRPOS_FOOTPRINT=1 for footprint lines.
type footprints struct {
	p    *proc
	seen int // footprint lines so far (the first frame's is the first)
}

// next sends the signal and waits for the line it brings.
func (f *footprints) next(ctx context.Context) (logLine, error) {
	if f.seen == 0 {
		f.seen = 1
	}
	if err := f.p.signal(sigFootprint); err != nil {
		return logLine{}, err
	}
	l, err := f.p.waitLog(ctx, "footprint", f.seen)
	f.seen++
	return l, err
}

// sales rings up the demo sales and prints heap and RSS before, after the
// first (which opens the receipt preview window and loads the printer's
// font), half-way, and after the last. Each reading is what the terminal
// keeps after giving back what it holds free (cmd/pos/footprint.go). The
// sales come 10 a second, far faster than a counter's, and Fyne frees the
// texture of a text a minute after it was last shown, when its window is
// next painted: the last reading waits -settle, rings up one more sale
// (every window paints) and reads then, as the first sale's reading does.
func (m *measurer) sales(ctx context.Context, pos *proc, fps *footprints) error {
	if m.cfg.sales <= 0 {
		return nil
	}
	names := []string{"before", "after the first sale", fmt.Sprintf("after %d", m.cfg.sales/2),
		fmt.Sprintf("after %d, %s idle and one more", m.cfg.sales, m.cfg.settle)}
	var rows []logLine
	snap := func() error {
		l, err := fps.next(ctx)
		rows = append(rows, l)
		return err
	}
	if err := snap(); err != nil {
		return err
	}
	sock := filepath.Join(m.home(), "api.sock")
	var mid error
	st, err := runSales(ctx, sock, 0, m.cfg.sales, func(done int) {
		if done == 1 {
			time.Sleep(receiptShown) // the receipt goes to the preview after the sale
		}
		if (done == 1 || done == m.cfg.sales/2) && mid == nil {
			mid = snap()
		}
	})
	if err == nil {
		err = mid
	}
	if err != nil {
		return err
	}
	time.Sleep(m.cfg.settle)
	if _, err := runSales(ctx, sock, m.cfg.sales, 1, nil); err != nil {
		return err
	}
	time.Sleep(receiptShown)
	if err := snap(); err != nil {
		return err
	}
	fmt.Fprintf(m.out, "\n%d demo sales through the local API (customer codes, paid at once): %d paid, %d not, %.0f s (%.0f ms a sale; %d times the previous sale was still in progress)\n",
		m.cfg.sales, st.paid, st.other, (st.took - receiptShown).Seconds(), float64((st.took-receiptShown).Milliseconds())/float64(m.cfg.sales), st.busy)
	fmt.Fprintf(m.out, "%-36s %12s %12s %12s\n", "what pos keeps", "Go heap live", "Go holds", "VmRSS")
	for i, r := range rows {
		fmt.Fprintf(m.out, "%-36s %12s %12s %12s\n", names[i], mib(r.int("heap_live_bytes")), mib(r.int("go_held_bytes")), mib(r.int("rss_bytes")))
	}
	growth := func(name string, a, b logLine) {
		fmt.Fprintf(m.out, "%-36s %+11.1f %+11.1f %+11.1f  MiB\n", name, mibf(b.int("heap_live_bytes")-a.int("heap_live_bytes")),
			mibf(b.int("go_held_bytes")-a.int("go_held_bytes")), mibf(b.int("rss_bytes")-a.int("rss_bytes")))
	}
	growth("the first sale", rows[0], rows[1])
	growth(fmt.Sprintf("sales 2 to %d", m.cfg.sales+1), rows[1], rows[3])
	return nil
}

// receiptShown is the wait after the first sale for its receipt to reach
// the preview window.
const receiptShown = 3 * time.Second

func mibf(n int64) float64 { return float64(n) / (1 << 20) }

// profileStart starts pos once more with its CPU and heap profiles on and
// the GC tracing, and prints the profiles' top entries.
func (m *measurer) profileStart(ctx context.Context) error {
	dir := m.cfg.profile
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	pos, err := m.startPos("pos-profile.log", "QRPOS_PROFILE="+dir, "QRPOS_FOOTPRINT=1", "GODEBUG=gctrace=1")
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	_, err = pos.waitLog(wctx, "first frame", 0)
	if err == nil {
		time.Sleep(m.cfg.idle)
		_, err = (&footprints{p: pos}).next(wctx)
	}
	pos.stop()
	if err != nil {
		return err
	}
	if err := copyFile(m.bins.pos, filepath.Join(dir, "pos")); err != nil {
		return err
	}
	fmt.Fprintf(m.out, "\nprofiles of one start in %s (pos, cpu-start.pprof, heap-start.pprof, heap-1.pprof, gctrace.txt)\n", dir)
	var gc []string
	for _, l := range pos.allLines() {
		if strings.HasPrefix(l, "gc ") {
			gc = append(gc, l)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "gctrace.txt"), []byte(strings.Join(gc, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(m.out, "GODEBUG=gctrace=1: %d collections to %s idle; the last:\n", len(gc), m.cfg.idle)
	for _, l := range gc[max(0, len(gc)-2):] {
		fmt.Fprintln(m.out, "  "+l)
	}
	tops := []struct{ title, file, base string }{
		{"CPU, main to the first painted frame", "cpu-start.pprof", ""},
		{"heap in use at the first painted frame", "heap-start.pprof", ""},
		{"heap in use after " + m.cfg.idle.String() + " idle", "heap-1.pprof", ""},
	}
	if m.cfg.sales > 0 {
		tops = append(tops, struct{ title, file, base string }{"heap growth over sales 2 to the last (in use after, less after the first)", "sales/heap-5.pprof", "sales/heap-3.pprof"})
	}
	for _, t := range tops {
		args := []string{"tool", "pprof", "-top", "-nodecount=15"}
		if t.file != "cpu-start.pprof" {
			args = append(args, "-sample_index=inuse_space")
		}
		if t.base != "" {
			args = append(args, "-base", filepath.Join(dir, t.base))
		}
		out, err := exec.Command("go", append(args, filepath.Join(dir, "pos"), filepath.Join(dir, t.file))...).Output()
		if err != nil {
			return fmt.Errorf("go tool pprof %s: %w", t.file, err)
		}
		fmt.Fprintf(m.out, "\n%s (%s)\n%s", t.title, t.file, topLines(out))
	}
	return nil
}

// topLines drops pprof's header lines (file, build id, time).
func topLines(out []byte) string {
	s := string(out)
	if i := strings.Index(s, "Showing nodes"); i >= 0 {
		return s[i:]
	}
	return s
}

// copyFile copies the binary beside its profiles.
func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o755)
}
