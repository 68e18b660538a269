package main

// The processes measure runs and reads: Xvfb, pos and the bare window, and
// what their /proc entries and pos's log say.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// startXvfb starts a virtual X server on a free display and returns its
// name (":N") and a function that stops it.
func startXvfb(dir, screen string) (string, func(), error) {
	for n := 150; n < 250; n++ {
		if exists(fmt.Sprintf("/tmp/.X11-unix/X%d", n)) || exists(fmt.Sprintf("/tmp/.X%d-lock", n)) {
			continue
		}
		stop, err := tryXvfb(dir, screen, n)
		if errors.Is(err, errLost) {
			continue
		}
		return ":" + strconv.Itoa(n), stop, err
	}
	return "", nil, errors.New("no free X display number")
}

// errLost: another program took the display number first.
var errLost = errors.New("display number taken")

// tryXvfb starts Xvfb as display n.
func tryXvfb(dir, screen string, n int) (func(), error) {
	log, err := os.Create(filepath.Join(dir, fmt.Sprintf("xvfb%d.log", n)))
	if err != nil {
		return nil, err
	}
	x := exec.Command("Xvfb", ":"+strconv.Itoa(n), "-screen", "0", screen, "-nolisten", "tcp")
	x.Stdout, x.Stderr = log, log
	if err := x.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("start Xvfb (Debian package xvfb): %w", err)
	}
	done := make(chan struct{})
	go func() { x.Wait(); log.Close(); close(done) }()
	stop := func() {
		x.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			x.Process.Kill()
		}
	}
	for range 100 {
		select {
		case <-done:
			return nil, errLost
		default:
		}
		if exists(fmt.Sprintf("/tmp/.X11-unix/X%d", n)) {
			return stop, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	return nil, fmt.Errorf("display :%d (Xvfb) did not come up", n)
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// proc is a started program whose log lines are read as they come.
type proc struct {
	cmd     *exec.Cmd
	started time.Time
	exited  chan struct{}
	waitErr error

	mu    sync.Mutex
	lines []logLine
	seen  chan struct{} // closed and replaced on each new line
}

// start runs bin with args and env (added to this process's), logging its
// stderr to logPath.
func start(bin string, args, env []string, logPath string) (*proc, error) {
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout = log
	pipe, err := cmd.StderrPipe()
	if err != nil {
		log.Close()
		return nil, err
	}
	p := &proc{cmd: cmd, exited: make(chan struct{}), seen: make(chan struct{})}
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("%s: %w", filepath.Base(bin), err)
	}
	go p.read(io.TeeReader(pipe, log), log)
	return p, nil
}

// read parses the log until the program exits.
func (p *proc) read(r io.Reader, log *os.File) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		l := parseLogLine(sc.Text())
		l.raw, l.at = sc.Text(), time.Now()
		p.mu.Lock()
		p.lines = append(p.lines, l)
		close(p.seen)
		p.seen = make(chan struct{})
		p.mu.Unlock()
	}
	p.waitErr = p.cmd.Wait()
	log.Close()
	close(p.exited)
}

// waitLog waits for the first log line with msg (after the first skip of
// them), or fails when the program exits or ctx ends first.
func (p *proc) waitLog(ctx context.Context, msg string, skip int) (logLine, error) {
	for {
		p.mu.Lock()
		n := 0
		for _, l := range p.lines {
			if l.msg == msg {
				if n == skip {
					p.mu.Unlock()
					return l, nil
				}
				n++
			}
		}
		seen := p.seen
		p.mu.Unlock()
		select {
		case <-seen:
		case <-p.exited:
			return logLine{}, fmt.Errorf("%s exited before logging %q: %v", filepath.Base(p.cmd.Path), msg, p.waitErr)
		case <-ctx.Done():
			return logLine{}, fmt.Errorf("waiting for %q: %w", msg, ctx.Err())
		}
	}
}

// allLines is the program's log so far.
func (p *proc) allLines() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, len(p.lines))
	for i, l := range p.lines {
		out[i] = l.raw
	}
	return out
}

// signal sends sig to the program.
func (p *proc) signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }

// stop ends the program with SIGTERM (SIGKILL after 15 s).
func (p *proc) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(15 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
}

// memory is a process's resident memory from /proc/PID/status, in bytes.
type memory struct{ rss, anon, file, shmem int64 }

// readMemory reads /proc/PID/status.
func readMemory(pid int) (memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, err
	}
	return parseStatus(b)
}

// parseStatus takes VmRSS, RssAnon, RssFile and RssShmem (kB) from the
// text of /proc/PID/status.
func parseStatus(b []byte) (memory, error) {
	var m memory
	found := false
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		key, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		var dst *int64
		switch key {
		case "VmRSS":
			dst, found = &m.rss, true
		case "RssAnon":
			dst = &m.anon
		case "RssFile":
			dst = &m.file
		case "RssShmem":
			dst = &m.shmem
		default:
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return memory{}, fmt.Errorf("/proc status: %s: %q", key, rest)
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || kb < 0 {
			return memory{}, fmt.Errorf("/proc status: %s: %q", key, rest)
		}
		*dst = kb << 10
	}
	if !found {
		return memory{}, errors.New("/proc status: no VmRSS")
	}
	return m, nil
}

// logLine is one line of pos's log (log/slog's text format).
type logLine struct {
	raw    string
	msg    string
	fields map[string]string
	at     time.Time // when measure read it
}

// int is a field as an integer (0 when missing or not a number).
func (l logLine) int(key string) int64 {
	n, _ := strconv.ParseInt(l.fields[key], 10, 64)
	return n
}

// parseLogLine splits a slog text line ("time=... level=INFO msg=\"first
// frame\" took_ms=812") into its fields; a line of another shape has none.
func parseLogLine(s string) logLine {
	l := logLine{fields: map[string]string{}}
	for s != "" {
		s = strings.TrimLeft(s, " ")
		key, rest, ok := strings.Cut(s, "=")
		if !ok || key == "" || strings.ContainsAny(key, " \"") {
			break
		}
		var val string
		if strings.HasPrefix(rest, `"`) {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				break
			}
			val, _ = strconv.Unquote(q)
			rest = rest[len(q):]
		} else {
			val, rest, _ = strings.Cut(rest, " ")
		}
		l.fields[key] = val
		s = rest
	}
	l.msg = l.fields["msg"]
	return l
}
