// Package scanner reads a counter barcode scanner in serial mode (USB-CDC or
// RS-232): it opens the port by path or by USB identity, frames the bytes on
// the scanner's suffix (CR, LF, CRLF), drops bad frames, folds repeated
// scans, classifies each code by wallet shape for consumer-presented
// payments, and survives the scanner being unplugged and plugged back in.
//
// Everything it learns arrives as an Event on one channel. It knows nothing
// of payments: it must not import qrpos/payments or qrpos/storage (the
// wallet classification below is a plain string, kept identical to the
// rules of providers.md 2.3). A scanned code is a customer's auth code: it is
// never logged in full (Mask keeps the last 4 characters).
package scanner
