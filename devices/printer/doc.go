// Package printer drives an ESC/POS receipt printer on a serial line
// (USB-CDC or RS-232): its own ESC/POS encoder (QR codes of any length,
// Big5 or GB18030 Chinese), one receipt layout for 32, 42 and 48 columns, a
// serial transport with software XON/XOFF and RTS/CTS flow control paced to
// the line rate, and real-time status (DLE EOT) before and after every job.
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
// engine, which retries a job whenever Print returns an error.
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
