// Command pos is the QR payment terminal's window (`pos run`, also when no
// command is named). Every other command is the command line's
// (qrpos/cli, shipped as pos-cli); pos runs them too for convenience on
// Linux. On Windows pos.exe is a windowed program with no console: use
// pos-cli.exe there. It only wires.
package main

import (
	"context"
	"flag"
	"io"
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

// command is a command of this binary only (run).
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var own []cli.Command

func register(c command) {
	own = append(own, cli.Command{Name: c.name, Summary: c.summary, Run: c.run})
}

func newFlags(name string, stderr io.Writer) *flag.FlagSet { return cli.NewFlags(name, stderr) }

func parseFlags(fs *flag.FlagSet, args []string) error { return cli.ParseFlags(fs, args) }
