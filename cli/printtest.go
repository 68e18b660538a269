package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"qrpos/cli/command"
	"qrpos/devices/printer"
)

func init() {
	register(command.Command{Name: "print-test", Summary: "print a sample receipt with Chinese text and a QR code (--out: render a PNG instead)", Run: runPrintTest})
}

func runPrintTest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := command.NewFlags("print-test", stderr)
	port := fs.String("port", "", "the printer: /dev/ttyUSB0, COM4, usb:VID:PID[:SERIAL], /dev/usb/lp0, usblp:VID:PID[:SERIAL], tcp://HOST:9100 or windows:NAME (see pos ports)")
	baud := fs.Int("baud", 9600, "baud rate")
	flow := fs.String("flow", "none", "flow control: none, rtscts, xonxoff")
	encName := fs.String("encoding", "big5", "the printer's Chinese code system: big5 (Traditional) or gb18030 (Simplified)")
	width := fs.Int("width", 48, "paper width in columns: 32 (58 mm), 42 or 48 (80 mm)")
	noChinese := fs.Bool("no-chinese-mode", false, "do not send FS & / FS . (printer fixed in Chinese mode)")
	chinese := fs.String("chinese", "native", "native (the printer's Chinese font) or raster (Chinese lines as images, for printers without one)")
	out := fs.String("out", "", "render with the virtual printer to this PNG file (and a .txt beside it) instead of printing")
	if err := command.ParseFlags(fs, args); err != nil {
		return err
	}
	enc, err := printer.ParseEncoding(*encName)
	if err != nil {
		return err
	}
	format := printer.Format{Width: *width, Encoding: enc, NoChineseMode: *noChinese, Chinese: printer.ChineseMode(*chinese)}
	receipt := printer.SampleReceipt(enc)
	if *out != "" {
		return renderTest(receipt, format, *out, stdout)
	}
	if *port == "" {
		fmt.Fprintln(stderr, "pos print-test: give --port (a printer) or --out (a PNG file)")
		fs.Usage()
		return command.ErrUsage
	}
	p, err := printer.Open(printer.Config{
		Port:   *port,
		Line:   printer.Line{Baud: *baud},
		Flow:   printer.Flow(*flow),
		Format: format,
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		return err
	}
	defer p.Close()
	if err := p.Print(ctx, receipt); err != nil {
		return err
	}
	st, err := p.Status(ctx)
	if errors.Is(err, printer.ErrNoStatus) {
		fmt.Fprintf(stdout, "sent %s to %s; %v\n", receipt.OrderNo, *port, err)
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "printed %s on %s; printer status: %s\n", receipt.OrderNo, *port, st)
	return nil
}

// renderTest lays the receipt out, prints it on the virtual printer and
// writes what came out as PNG and text.
func renderTest(r printer.Receipt, f printer.Format, out string, stdout io.Writer) error {
	data, err := printer.Layout(r, f)
	if err != nil {
		return err
	}
	v := printer.NewVirtual(printer.WithWidth(f.Width), printer.WithEncoding(f.Encoding))
	defer v.Close()
	if _, err := v.Write(data); err != nil {
		return err
	}
	po := v.Last()
	if po == nil {
		return fmt.Errorf("the virtual printer printed nothing")
	}
	file, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := po.RenderPNG(file); err != nil {
		file.Close()
		return err
	}
	if err := file.Close(); err != nil {
		return err
	}
	txt := strings.TrimSuffix(out, filepath.Ext(out)) + ".txt"
	if err := os.WriteFile(txt, []byte(po.Text()), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s and %s (%d bytes of ESC/POS, %s, %d columns)\n", out, txt, len(data), f.Encoding, f.Width)
	return nil
}
