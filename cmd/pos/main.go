// Command pos is the QR payment terminal's window (`pos run`, also when no
// command is named). Every other command is the command line's (qrpos/cli,
// shipped as pos-cli beside pos): `pos COMMAND` hands it to that pos-cli
// (forward.go), so this binary links none of it, not the head-office server
// either (issue 18; a test checks). On Windows pos.exe is a windowed program
// with no console: use pos-cli.exe there. It only wires.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Hong Kong time on the wire, also on Windows kiosks

	"qrpos/cli/command"
	_ "qrpos/payments/providers" // the payment providers register themselves
)

// version is stamped at build time: -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := program().Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// program is pos's command line: run, and every other command forwarded.
func program() command.Program {
	return command.Program{
		Name: "pos", Version: version, Default: "run",
		Commands: []command.Command{{Name: "run", Summary: "open the terminal (--demo: built-in sandbox, virtual printer, no credentials)", Run: runTerminal}},
		Forward:  forward,
		More:     "Every other command is the command line's: 'pos COMMAND' runs 'pos-cli COMMAND' ('pos-cli help' lists them).",
	}
}
