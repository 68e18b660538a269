// Package scanner reads a counter barcode scanner in serial mode (USB-CDC or
// RS-232): it opens the port by path or by USB identity, frames the bytes on
// the scanner's suffix (CR, LF, CRLF), drops bad frames, folds repeated
// scans, and survives the scanner being unplugged and plugged back in.
//
// Everything it learns arrives as an Event on one channel. It knows nothing
// of payments: it must not import qrpos/payments or qrpos/storage; which
// wallet a code belongs to is payments.ClassifyAuthCode's to say. A scanned
// code is a customer's auth code: the scanner never logs it, only its
// length.
package scanner
