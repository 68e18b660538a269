package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"qrpos/payments/sandbox"
	"qrpos/storage"
	"qrpos/ui"
)

// appID is the Fyne application id (also in FyneApp.toml).
const appID = "hk.qrpos.terminal"

func init() {
	register(command{name: "run", summary: "open the terminal window (--demo: built-in sandbox, no credentials)", run: runTerminal})
}

func runTerminal(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", stderr)
	demo := fs.Bool("demo", false, "demo mode: built-in provider sandbox, virtual devices, no credentials")
	journalPath := fs.String("journal", "", "journal file (default: in the user's config directory)")
	tid := fs.String("tid", "DEMO01", "terminal id")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *journalPath == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return err
		}
		name := "pos.db"
		if *demo {
			name = "demo.db"
		}
		*journalPath = filepath.Join(dir, "qrpos", name)
	}
	if err := os.MkdirAll(filepath.Dir(*journalPath), 0o700); err != nil {
		return err
	}
	j, err := storage.Open(ctx, *journalPath)
	if err != nil {
		return err
	}
	defer j.Close()
	open, err := j.OpenOrders(ctx)
	if err != nil {
		return err
	}
	if *demo {
		sb := sandbox.New(sandbox.Config{})
		defer sb.Close()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ln)
		defer srv.Close()
		slog.Info("demo sandbox", "url", "http://"+ln.Addr().String())
	}
	a := app.NewWithID(appID)
	term := ui.NewTerminal(a, ui.Status{TID: *tid, StoreName: "QR POS", Demo: *demo, JournalPath: *journalPath, OpenOrders: len(open)})
	go func() {
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	fmt.Fprintf(stdout, "terminal %s: journal %s\n", *tid, *journalPath)
	term.Window().ShowAndRun()
	return nil
}
