//go:build killpoints

package killpoint

import (
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
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
