// Command pos-cli is the terminal's command line (qrpos/cli): charge,
// refund, orders, report, reconcile, the device tests, the sandbox. A
// console program on every system (on Windows pos-cli.exe, beside the
// windowed pos.exe), and free of the window toolkit. While a terminal
// window runs, its commands go through the window's local API.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Hong Kong time on the wire, also on Windows

	"qrpos/cli"
	"qrpos/cli/command"
	_ "qrpos/payments/providers" // the payment providers register themselves
)

// version is stamped at build time: -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := command.Program{Name: "pos-cli", Version: version, Commands: cli.Commands()}.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
