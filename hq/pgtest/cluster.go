package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// cluster is a running postgres owned by this process.
type cluster struct {
	dir  string // socket, data and log; removed by stop
	proc *os.Process
	done chan struct{} // closed when postgres exits
}

// notInstalled is the message when no initdb is found.
const notInstalled = "PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin or on PATH): " +
	"`make test` installs Debian's postgresql, or run: apt-get install postgresql"

// binDir finds the directory of initdb and postgres: $PG_BINDIR, the
// newest /usr/lib/postgresql/N/bin (Debian keeps them off PATH), or PATH.
func binDir() (string, error) {
	return findBin(os.Getenv("PG_BINDIR"), "/usr/lib/postgresql/*/bin/initdb", exec.LookPath)
}

func findBin(env, pattern string, lookPath func(string) (string, error)) (string, error) {
	if env != "" {
		if _, err := os.Stat(filepath.Join(env, "initdb")); err != nil {
			return "", fmt.Errorf("PG_BINDIR=%s: %w", env, err)
		}
		return env, nil
	}
	found, _ := filepath.Glob(pattern)
	sort.Slice(found, func(i, j int) bool { return version(found[i]) > version(found[j]) })
	if len(found) > 0 {
		return filepath.Dir(found[0]), nil
	}
	if p, err := lookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New(notInstalled)
}

// version is N of /usr/lib/postgresql/N/bin/initdb.
func version(p string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(p))))
	return n
}

// start makes a cluster in a fresh directory and starts it.
func start() (*cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	sweep()
	dir, err := os.MkdirTemp("", "hqpg-")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return nil, err
	}
	owner, err := unprivileged(dir)
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust",
		"-E", "UTF8", "--no-locale", "--no-sync")
	initdb.Dir = dir
	initdb.SysProcAttr = owner.attr(false)
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	c := &cluster{dir: dir, done: make(chan struct{})}
	if err := c.run(bin, owner); err != nil {
		return nil, err
	}
	return c, c.ready()
}

// run starts postgres from a goroutine whose thread never exits, so the
// parent-death signal (SIGQUIT: immediate shutdown) fires only when this
// process ends.
func (c *cluster) run(bin string, owner runAs) error {
	logf, err := os.Create(filepath.Join(c.dir, "postgres.log"))
	if err != nil {
		return err
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), serverArgs(c.dir, os.Getenv(DurableEnv) != "")...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = c.dir, logf, logf
	cmd.SysProcAttr = owner.attr(true)
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread lives as long as the process
		if err := cmd.Start(); err != nil {
			started <- fmt.Errorf("postgres: %w", err)
			return
		}
		c.proc = cmd.Process
		started <- nil
		cmd.Wait()
		logf.Close()
		close(c.done)
		select {} // keep the thread
	}()
	return <-started
}

// ready waits until postgres accepts connections or exits.
func (c *cluster) ready() error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		conn, err := pgx.Connect(context.Background(), c.url("postgres"))
		if err == nil {
			return conn.Close(context.Background())
		}
		select {
		case <-c.done:
			return fmt.Errorf("postgres exited at start-up:\n%s", c.log())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not start in 60s: %v\n%s", err, c.log())
		}
	}
}

func (c *cluster) log() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "postgres.log"))
	return string(b)
}

func (c *cluster) url(db string) string {
	return "postgres://postgres@/" + db + "?host=" + url.QueryEscape(c.dir) + "&sslmode=disable"
}

// stop shuts postgres down at once and removes the directory.
func (c *cluster) stop() {
	if c.proc != nil {
		c.proc.Signal(os.Interrupt) // fast shutdown
		select {
		case <-c.done:
		case <-time.After(30 * time.Second):
			c.proc.Kill()
			<-c.done
		}
	}
	os.RemoveAll(c.dir)
}

// sweep removes the directories of clusters whose test binary has ended.
func sweep() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "hqpg-*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "owner.pid"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err == nil && pid > 0 && !alive(pid) {
			os.RemoveAll(d)
		}
	}
}

// DurableEnv, when set, starts the cluster the way head office runs in a
// shop's chain (fsync, synchronous commit and full-page writes on, 256 MB
// of shared buffers) instead of the fast settings tests use: for the
// measurements (`make hq-scale`, `make bench`), whose figures must hold
// on a real server.
const DurableEnv = "PGTEST_DURABLE"

// serverArgs are postgres's arguments for a cluster in dir.
func serverArgs(dir string, durable bool) []string {
	args := []string{"-D", filepath.Join(dir, "data"),
		"-c", "listen_addresses=", "-c", "unix_socket_directories=" + dir, "-c", "max_connections=300"}
	if durable {
		return append(args, "-c", "shared_buffers=256MB")
	}
	return append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "shared_buffers=64MB")
}
