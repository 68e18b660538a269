// Package cli is the terminal's command-line face: `pos-cli COMMAND` (and
// `pos COMMAND` on Linux, which forwards here). It owns the subcommands
// (charge, refund, orders, reconcile, report, scan, ports, print-test,
// sandbox, api-token, status), their flags, their text and JSON output and their
// exit codes. It only translates: the engine, the journal and the devices
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
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
)

// Command is one subcommand.
type Command struct {
	Name    string
	Summary string
	Run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]Command{}

func register(c Command) { commands[c.Name] = c }

// ErrUsage means the command line was wrong; the message was printed.
var ErrUsage = errors.New("usage")

// Program is one binary's command line: its name, its version, the
// command run when none is named ("" prints the usage), and commands it
// adds (cmd/pos adds run).
type Program struct {
	Name    string
	Version string
	Default string
	Extra   []Command
}

// Main runs the subcommand named by args[0] and returns the process exit
// code: 0 done, 1 failed (or not paid), 2 a wrong command line, or the
// code a command's error carries.
func (p Program) Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	all := make(map[string]Command, len(commands)+len(p.Extra))
	for n, c := range commands {
		all[n] = c
	}
	for _, c := range p.Extra {
		all[c.Name] = c
	}
	name := p.Default
	if len(args) > 0 {
		switch args[0] {
		case "--version", "-version", "version":
			fmt.Fprintln(stdout, p.Name, p.Version)
			return 0
		case "-h", "--help", "help":
			p.usage(stdout, all)
			return 0
		}
		if args[0] != "" && args[0][0] != '-' {
			name, args = args[0], args[1:]
		}
	}
	if name == "" {
		p.usage(stderr, all)
		return 2
	}
	c, ok := all[name]
	if !ok {
		fmt.Fprintf(stderr, "%s: unknown command %q\n", p.Name, name)
		p.usage(stderr, all)
		return 2
	}
	if err := c.Run(ctx, args, stdout, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		if !errors.Is(err, ErrUsage) {
			fmt.Fprintf(stderr, "%s %s: %v\n", p.Name, name, err)
		}
		var ec interface{ ExitCode() int }
		if errors.As(err, &ec) {
			return ec.ExitCode()
		}
		if errors.Is(err, ErrUsage) {
			return 2
		}
		return 1
	}
	return 0
}

func (p Program) usage(w io.Writer, all map[string]Command) {
	fmt.Fprintf(w, "%s %s: a point-of-sale terminal for in-store QR payments\n\nUsage: %s COMMAND [flags]\n\nCommands:\n", p.Name, p.Version, p.Name)
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, all[n].Summary)
	}
	fmt.Fprintf(w, "\nRun '%s COMMAND -h' for a command's flags; '%s --version' prints the version.\n", p.Name, p.Name)
}

// NewFlags makes a flag set that reports errors to stderr and returns
// ErrUsage instead of exiting.
func NewFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("pos "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// ParseFlags parses args, turning a bad command line into ErrUsage.
func ParseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return ErrUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return ErrUsage
	}
	return nil
}

// DefaultConfigPath is terminal.toml in the user's config directory.
func DefaultConfigPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "terminal.toml"
	}
	return filepath.Join(dir, "qrpos", "terminal.toml")
}

// ConfigFlag adds the --config flag every engine command takes.
func ConfigFlag(fs *flag.FlagSet) *string {
	return fs.String("config", DefaultConfigPath(), "terminal profile (TOML, mode 0600)")
}

// NewLogger logs to w at level (warn for the command line by default).
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// exitError carries a process exit code with no further message.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }
func (e *exitError) ExitCode() int { return e.code }
