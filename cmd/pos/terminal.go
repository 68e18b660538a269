package main

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
)

// defaultConfigPath is terminal.toml in the user's config directory.
func defaultConfigPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "terminal.toml"
	}
	return filepath.Join(dir, "qrpos", "terminal.toml")
}

// newLogger logs to w at level (warn for the command line by default).
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// configFlag adds the --config flag every engine command takes.
func configFlag(fs interface {
	String(name, value, usage string) *string
}) *string {
	return fs.String("config", defaultConfigPath(), "terminal profile (TOML, mode 0600)")
}
