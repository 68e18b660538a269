package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"qrpos/cli/command"
	core "qrpos/terminal"
	"qrpos/ui"
)

// appID is the Fyne application id (also in FyneApp.toml).
const appID = "hk.qrpos.terminal"

// runFlags are pos run's flags.
type runFlags struct {
	demo, kiosk, verbose bool
	config, journal, tid string
	crashLog             string
}

func parseRunFlags(args []string, stderr io.Writer) (runFlags, error) {
	var f runFlags
	fs := command.NewFlags("run", stderr)
	fs.BoolVar(&f.demo, "demo", false, "demo mode: built-in provider sandbox, virtual printer with preview, keyboard-wedge scanning")
	config := command.ConfigFlag(fs)
	fs.StringVar(&f.journal, "journal", "", "demo mode: journal file (default demo.db in the user's config directory)")
	fs.StringVar(&f.tid, "tid", "DEMO01", "demo mode: terminal id")
	fs.BoolVar(&f.kiosk, "kiosk", false, "kiosk: both windows full screen; closing the terminal needs the manager PIN")
	fs.StringVar(&f.crashLog, "crash-log", "", "write crash reports to this file (kiosk default: crash.log beside the journal)")
	fs.BoolVar(&f.verbose, "v", false, "log at debug level")
	err := command.ParseFlags(fs, args)
	f.config = *config
	return f, err
}

func runTerminal(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	started := time.Now()
	f, err := parseRunFlags(args, stderr)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if f.verbose {
		level = slog.LevelDebug
	}
	log := command.NewLogger(stderr, level)
	slog.SetDefault(log)
	fp := startFootprint(log, started)
	defer fp.stop()

	c, err := core.Open(ctx, core.Options{ConfigPath: f.config, Log: log, Demo: f.demo, DemoJournal: f.journal, DemoTID: f.tid})
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.ServeAPI(version); err != nil {
		return err
	}
	c.StartHQ(ctx, version)
	if err := crashOutput(f, c.Journal().Path()); err != nil {
		return err
	}

	a := app.NewWithID(appID)
	term, err := ui.New(a, ui.Config{Core: c, Kiosk: f.kiosk, Log: log,
		OnReady: func() {
			log.Info("terminal ready", "took_ms", time.Since(started).Milliseconds())
			go func() {
				settleMemory()
				keepReturningMemory(ctx.Done())
			}()
		}})
	if err != nil {
		return err
	}
	uiCtx, stopUI := context.WithCancel(ctx)
	defer stopUI()
	startAfterFirstFrame(uiCtx, term, fp.firstFrame)
	if err := c.StartDevices(ctx, term.DeviceWatch()); err != nil {
		return err
	}
	c.StartChime(ctx, nil)
	go func() {
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	fmt.Fprintf(stderr, "terminal %s: journal %s\n", c.Profile().TID, c.Journal().Path())
	term.Show()
	a.Run()
	stopUI()
	term.Stop()
	return nil
}

// crashOutput sends crash reports to --crash-log (kiosk default: crash.log
// beside the journal). The file stays open for the process's life.
func crashOutput(f runFlags, journal string) error {
	path := f.crashLog
	if path == "" && f.kiosk {
		path = filepath.Join(filepath.Dir(journal), "crash.log")
	}
	if path == "" {
		return nil
	}
	file, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("crash log: %w", err)
	}
	if err := debug.SetCrashOutput(file, debug.CrashOptions{}); err != nil {
		file.Close()
		return fmt.Errorf("crash log: %w", err)
	}
	return nil
}
