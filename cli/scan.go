package cli

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"time"

	"qrpos/cli/command"
	"qrpos/devices/scanner"
	"qrpos/payments"
)

func init() {
	register(command.Command{Name: "scan", Summary: "read a serial barcode scanner: one JSON line per code and per port change", Run: runScan})
}

// scanLine is one line of pos scan's output. The full code is printed on
// purpose: this is the operator's own test tool, writing to stdout, not a
// log.
type scanLine struct {
	Event  string `json:"event,omitempty"`
	Code   string `json:"code,omitempty"`
	Wallet string `json:"wallet,omitempty"`
	State  string `json:"state,omitempty"`
	Port   string `json:"port,omitempty"`
	Error  string `json:"error,omitempty"`
	Reason string `json:"reason,omitempty"`
	Len    int    `json:"len,omitempty"`
}

func runScan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := command.NewFlags("scan", stderr)
	port := fs.String("port", "", "serial port: a path (/dev/ttyACM0, COM3) or usb:VID:PID[:SERIAL] (see pos ports)")
	baud := fs.Int("baud", 9600, "baud rate")
	dataBits := fs.Int("databits", 8, "data bits (5-8)")
	parity := fs.String("parity", "none", "parity: none, odd, even, mark, space")
	stopBits := fs.String("stopbits", "1", "stop bits: 1, 1.5, 2")
	suffix := fs.String("suffix", "auto", "what ends a code: auto, cr, lf, crlf")
	dedup := fs.Duration("dedup", 2*time.Second, "the same code again within this window counts once (0: default, negative: off)")
	count := fs.Int("count", 0, "exit after this many codes (0: run until interrupted)")
	verbose := fs.Bool("v", false, "log port activity to stderr (codes masked)")
	if err := command.ParseFlags(fs, args); err != nil {
		return err
	}
	if *port == "" {
		fs.Usage()
		return command.ErrUsage
	}
	level := slog.LevelError
	if *verbose {
		level = slog.LevelDebug
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events, err := scanner.Start(ctx, scanner.Config{
		Port:        *port,
		Line:        scanner.Line{Baud: *baud, DataBits: *dataBits, Parity: *parity, StopBits: *stopBits},
		Suffix:      scanner.Suffix(*suffix),
		DedupWindow: *dedup,
		Logger:      slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	})
	if err != nil {
		return err
	}
	out := json.NewEncoder(stdout)
	codes := 0
	for e := range events {
		var l scanLine
		switch e.Kind {
		case scanner.KindCode:
			l = scanLine{Code: e.Code, Wallet: walletOf(e.Code)}
			codes++
		case scanner.KindPort:
			l = scanLine{Event: "port", State: e.State, Port: e.Port, Error: e.Err}
		case scanner.KindDropped:
			l = scanLine{Event: "dropped", Reason: string(e.Reason), Len: e.Len}
		}
		if err := out.Encode(l); err != nil {
			return err
		}
		if *count > 0 && codes >= *count {
			cancel()
		}
	}
	return nil
}

// walletOf names the wallet a code's shape belongs to ("unknown" when the
// shape says nothing; such a code is still sent to a unified pay type).
func walletOf(code string) string {
	if w := payments.ClassifyAuthCode(code); w != payments.AnyWallet {
		return string(w)
	}
	return "unknown"
}
