// Package cli is the terminal's command-line face: `pos-cli COMMAND` (and
// `pos COMMAND`, which hands the command to the pos-cli beside it). It owns
// the subcommands (charge, refund, orders, reconcile, report, scan, ports,
// print-test, sandbox, api-token, status, hq), their flags, their text and
// JSON output and their exit codes; qrpos/cli/command their plumbing. It only translates: the engine, the journal and the devices
// belong to the core (qrpos/terminal) and its parts.
//
// When a terminal already runs (its journal is locked), the commands that
// touch sales talk to it through its local API on the Unix socket beside
// the journal (qrpos/api); otherwise they open the journal themselves.
//
// It must not import fyne.io/... or qrpos/ui (a test checks): Fyne prints
// locale errors at start-up and a windowed program has no console on
// Windows, so the command line is its own console program, cmd/pos-cli.
package cli

import (
	"sort"

	"qrpos/cli/command"
)

var commands []command.Command

func register(c command.Command) { commands = append(commands, c) }

// Commands returns the command line's commands, by name.
func Commands() []command.Command {
	cs := append([]command.Command(nil), commands...)
	sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	return cs
}

// exitError carries a process exit code with no further message.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }
func (e *exitError) ExitCode() int { return e.code }
