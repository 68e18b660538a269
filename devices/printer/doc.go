// Package printer drives an ESC/POS receipt printer: its own ESC/POS
// encoder (QR codes of any length, Big5 or GB18030 Chinese, or Chinese
// lines drawn as raster images for printers without a Chinese font), one
// receipt layout for 32, 42 and 48 columns, and one transport (bytes out,
// status bytes in) over four kinds of link, chosen by the port's name
// (ParseTarget):
//   - a serial line (USB-CDC or RS-232) with software XON/XOFF and RTS/CTS
//     flow control paced to the line rate;
//   - a USB printer-class device on Linux (usblp: /dev/usb/lpN, or found
//     through sysfs by USB identity after a replug), written to only;
//   - a network printer's raw port (tcp://HOST:9100) with a connect
//     timeout, keep-alive and reconnection;
//   - an installed Windows printer, raw bytes through the spooler
//     (winspool.drv), one document per job.
//
// Real-time status (DLE EOT) is asked before and after every job where
// the link carries the answers (serial, network); where it cannot (USB
// printer class, the spooler), a job counts as printed once written and
// Status says ErrNoStatus rather than pretending.
//
// It also holds the virtual printer: an io.ReadWriter that decodes ESC/POS
// (this package's and the common commands of other software), answers
// status queries, and renders what it printed as text or as a PNG with
// decodable QR codes. It is demo mode's printer and the UI's receipt
// preview.
//
// The printer knows nothing of payments: the engine hands it a Receipt of
// plain, preformatted values. It must not import qrpos/payments or
// qrpos/storage; the print queue lives in the journal and is driven by the
// engine, which retries a job whenever Print returns an error; a job cut
// short by a dropped link is sent whole again.
//
// Chinese: a printer is set to one double-byte code system, Big5
// (Traditional, Hong Kong and Taiwan models) or GB18030 (Simplified,
// mainland models), usually by DIP switch or the vendor's utility. The
// encoder sends every run of non-ASCII text between FS & (1C 26, enter
// Chinese/Kanji character mode) and FS . (1C 2E, leave it), so ASCII always
// prints from the single-byte table and the mode is never left on. No
// vendor-specific code-system command (such as ESC 9 n) is sent: it differs
// between makers and an Epson ignores or misprints it. Every non-ASCII
// character prints from the double-byte font, 24 dots wide, so it counts as
// two columns (a CJK wide character, but also a double-byte é or ×).
package printer
