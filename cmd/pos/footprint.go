package main

import (
	"bufio"
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"time"
)

// footprint is what `make measure` (internal/measure) reads from a running
// terminal; both parts are off unless asked for in the environment:
//
//   - QRPOS_FOOTPRINT=1 logs a "footprint" line with the Go heap and the
//     process's memory when the first cashier frame has been painted, and
//     again on every SIGUSR1 (not on Windows) after giving back what Go and
//     the C heap hold free (returnMemory: a forced GC, Go's free pages and
//     glibc's; what the terminal does every minute anyway), so that two
//     readings compare what the terminal keeps, not when it last collected;
//   - QRPOS_PROFILE=DIR writes DIR/cpu-start.pprof (a CPU profile from main
//     to the first painted frame), DIR/heap-start.pprof at that frame and
//     DIR/heap-N.pprof on each SIGUSR1 (heap profiles after a forced GC).
type footprint struct {
	log     *slog.Logger
	started time.Time
	print   bool
	dir     string
	cpu     *os.File
	n       int // heap profiles written on signal
}

// startFootprint reads the environment and starts the CPU profile.
func startFootprint(log *slog.Logger, started time.Time) *footprint {
	fp := &footprint{log: log, started: started, print: os.Getenv("QRPOS_FOOTPRINT") == "1", dir: os.Getenv("QRPOS_PROFILE")}
	if fp.dir == "" {
		return fp
	}
	f, err := os.Create(filepath.Join(fp.dir, "cpu-start.pprof"))
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		log.Error("profile", "err", err)
		fp.dir = ""
		return fp
	}
	fp.cpu = f
	return fp
}

// firstFrame runs when the first cashier frame is on the screen (UI
// goroutine): the time it took, and what footprint was asked for.
func (fp *footprint) firstFrame() {
	took := time.Since(fp.started)
	fp.log.Info("first frame", "took_ms", took.Milliseconds())
	if fp.cpu != nil {
		pprof.StopCPUProfile()
		fp.cpu.Close()
		fp.cpu = nil
		fp.writeHeap("heap-start.pprof")
	}
	if fp.print {
		fp.report("first-frame")
	}
	if fp.print || fp.dir != "" {
		go fp.onSignal()
	}
}

// onSignal reports again on each footprint signal, for the life of the
// process.
func (fp *footprint) onSignal() {
	if len(footprintSignals) == 0 {
		return
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, footprintSignals...)
	for range ch {
		returnMemory()
		if fp.print {
			fp.report("signal")
		}
		if fp.dir != "" {
			fp.n++
			fp.writeHeap(fmt.Sprintf("heap-%d.pprof", fp.n))
		}
	}
}

// report logs the Go heap (runtime/metrics) and the process's resident
// memory.
func (fp *footprint) report(when string) {
	samples := []metrics.Sample{
		{Name: "/gc/heap/live:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
		{Name: "/memory/classes/heap/free:bytes"},
		{Name: "/gc/cycles/total:gc-cycles"},
	}
	metrics.Read(samples)
	value := func(i int) uint64 {
		if samples[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return samples[i].Value.Uint64()
	}
	fp.log.Info("footprint", "when", when, "since_start_ms", time.Since(fp.started).Milliseconds(),
		"heap_live_bytes", value(0), "heap_objects_bytes", value(1), "go_held_bytes", value(2)-value(3),
		"heap_free_bytes", value(4), "gc_cycles", value(5), "rss_bytes", selfRSS())
}

// writeHeap writes a heap profile after a GC.
func (fp *footprint) writeHeap(name string) {
	runtime.GC()
	f, err := os.Create(filepath.Join(fp.dir, name))
	if err == nil {
		err = pprof.WriteHeapProfile(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fp.log.Error("heap profile", "err", err)
	}
}

// selfRSS is VmRSS from /proc/self/status in bytes (0 where there is no
// /proc).
func selfRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) >= 2 && string(f[0]) == "VmRSS:" {
			kb, _ := strconv.ParseUint(string(f[1]), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// stop ends a CPU profile the first frame did not end (pos stopped before).
func (fp *footprint) stop() {
	if fp.cpu != nil {
		pprof.StopCPUProfile()
		fp.cpu.Close()
		fp.cpu = nil
	}
}
