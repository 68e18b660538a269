//go:build killpoints

package killpoint

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

var hits atomic.Int64

// At kills the process with SIGKILL when name is $POS_KILLPOINT, after
// skipping the first $POS_KILLPOINT_SKIP passes (default 0). It says so on
// stderr first, so the test knows the kill was the planned one.
func At(name string) {
	if os.Getenv("POS_KILLPOINT") != name {
		return
	}
	skip, _ := strconv.ParseInt(os.Getenv("POS_KILLPOINT_SKIP"), 10, 64)
	if hits.Add(1) <= skip {
		return
	}
	fmt.Fprintf(os.Stderr, "killpoint %s: SIGKILL\n", name)
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}

// Duration lets a crash test shorten one of the engine's long waits (for
// example "not_found_give_up") through $POS_TEST_<NAME>, a Go duration; def
// when unset or unreadable.
func Duration(name string, def time.Duration) time.Duration {
	v := os.Getenv("POS_TEST_" + strings.ToUpper(name))
	if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return d
	}
	return def
}
