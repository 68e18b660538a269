// Package command is the command-line plumbing both binaries share: a
// program's subcommands, its dispatch and exit codes, and the flags every
// engine command takes. It owns no command: qrpos/cli owns the command line
// (pos-cli), cmd/pos owns the window's `run`.
//
// It must stay small and import nothing of the project, so that the window
// binary (cmd/pos), which uses it, links none of the command line: not the
// head-office server, not the commands the window does not run (issue 18).
package command

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

// ErrUsage means the command line was wrong; the message was printed.
var ErrUsage = errors.New("usage")

// Program is one binary's command line: its name, its version, the
// command run when none is named ("" prints the usage), its commands, and
// what runs a command it lacks (nil: an unknown command is an error).
type Program struct {
	Name     string
	Version  string
	Default  string
	Commands []Command
	// Forward runs the command args[0] that this program lacks and returns
	// the exit code (cmd/pos hands it to pos-cli).
	Forward func(ctx context.Context, args []string, stdout, stderr io.Writer) int
	// More is printed at the end of the usage.
	More string
}

// Main runs the subcommand named by args[0] and returns the process exit
// code: 0 done, 1 failed (or not paid), 2 a wrong command line, or the
// code a command's error carries.
func (p Program) Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	name := p.Default
	if len(args) > 0 {
		switch args[0] {
		case "--version", "-version", "version":
			fmt.Fprintln(stdout, p.Name, p.Version)
			return 0
		case "-h", "--help", "help":
			p.usage(stdout)
			return 0
		}
		if args[0] != "" && args[0][0] != '-' {
			name, args = args[0], args[1:]
		}
	}
	if name == "" {
		p.usage(stderr)
		return 2
	}
	c, ok := p.find(name)
	if !ok && p.Forward != nil {
		return p.Forward(ctx, append([]string{name}, args...), stdout, stderr)
	}
	if !ok {
		fmt.Fprintf(stderr, "%s: unknown command %q\n", p.Name, name)
		p.usage(stderr)
		return 2
	}
	return p.exitCode(name, c.Run(ctx, args, stdout, stderr), stderr)
}

func (p Program) find(name string) (Command, bool) {
	for _, c := range p.Commands {
		if c.Name == name {
			return c, true
		}
	}
	return Command{}, false
}

// exitCode reports err and turns it into the process exit code.
func (p Program) exitCode(name string, err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
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

func (p Program) usage(w io.Writer) {
	fmt.Fprintf(w, "%s %s: a point-of-sale terminal for in-store QR payments\n\nUsage: %s COMMAND [flags]\n\nCommands:\n", p.Name, p.Version, p.Name)
	cs := append([]Command(nil), p.Commands...)
	sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-12s %s\n", c.Name, c.Summary)
	}
	fmt.Fprintf(w, "\nRun '%s COMMAND -h' for a command's flags; '%s --version' prints the version.\n", p.Name, p.Name)
	if p.More != "" {
		fmt.Fprintln(w, p.More)
	}
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
