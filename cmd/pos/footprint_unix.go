//go:build !windows

package main

import (
	"os"
	"syscall"
)

// footprintSignals ask a running terminal for its footprint (footprint.go).
var footprintSignals = []os.Signal{syscall.SIGUSR1}
