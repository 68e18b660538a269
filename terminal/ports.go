package terminal

import (
	"context"

	"qrpos/devices/printer"
)

// ListPorts lists the serial ports for the scanner, each under every name
// that opens it, the steadiest first: its /dev/serial/by-id link (Linux),
// its usb:VID:PID[:SERIAL] identity (both survive a replug), its path.
func ListPorts(ctx context.Context) ([]string, error) {
	return listPorts(printer.ListOptions{}, false)
}

// ListPrinterPorts lists where a printer can be: the serial ports as
// ListPorts does, the USB printer-class devices (usblp:VID:PID[:SERIAL],
// then /dev/usb/lpN) and the installed Windows printers (windows:NAME).
// Network printers are typed in: tcp://HOST:9100.
func ListPrinterPorts(ctx context.Context) ([]string, error) {
	return listPorts(printer.ListOptions{}, true)
}

// listPorts lists the names of serial ports, and of the other places a
// printer can be when printers is set; what was found is returned even
// when one kind could not be listed.
func listPorts(o printer.ListOptions, printers bool) ([]string, error) {
	ports, err := printer.ListPorts(o)
	var out []string
	for _, p := range ports {
		if p.Kind == printer.LinkSerial || printers {
			out = append(out, p.Names...)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	return out, err
}
