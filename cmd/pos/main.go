// Command pos is the QR payment terminal's window (`pos run`, also when no
// command is named). Every other command is the command line's
// (qrpos/cli, shipped as pos-cli); pos runs them too for convenience on
// Linux. On Windows pos.exe is a windowed program with no console: use
// pos-cli.exe there. It only wires.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Hong Kong time on the wire, also on Windows kiosks

	"qrpos/cli"
	_ "qrpos/payments/providers" // the payment providers register themselves
)

// version is stamped at build time: -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Program{Name: "pos", Version: version, Default: "run", Extra: own}.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// own are this binary's own commands: the window.
var own = []cli.Command{{Name: "run", Summary: "open the terminal (--demo: built-in sandbox, virtual printer, no credentials)", Run: runTerminal}}
