package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
)

// runCLI runs pos-cli.exe as a child with pos's streams and returns its exit
// code (Windows has no exec). pos.exe has no console: pos-cli.exe is the
// one to run from cmd or PowerShell.
func runCLI(ctx context.Context, path string, args []string, stdout, stderr io.Writer) int {
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		fmt.Fprintf(stderr, "pos %s: %v\n", args[0], err)
		return 1
	}
	return 0
}
