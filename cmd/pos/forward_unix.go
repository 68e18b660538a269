//go:build !windows

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"syscall"
)

// runCLI replaces this process with pos-cli, so signals, the terminal and
// the exit code are pos-cli's own.
func runCLI(_ context.Context, path string, args []string, _, stderr io.Writer) int {
	err := syscall.Exec(path, append([]string{path}, args...), os.Environ())
	fmt.Fprintf(stderr, "pos %s: %s: %v\n", args[0], path, err)
	return 1
}
