package printer

import "qrpos/devices/serialport"

// The printer's port names and line settings are the shared ones of
// devices/serialport.
type (
	// Enumerator lists serial ports with their USB identities.
	Enumerator = serialport.Enumerator
	// PortSpec names a port by path or by USB identity.
	PortSpec = serialport.Spec
	// Line is the serial line setting: baud rate, data bits, parity, stop bits.
	Line = serialport.Line
)

// ErrNoDevice means no port matches a USB identity right now.
var ErrNoDevice = serialport.ErrNoDevice

// ParsePort reads a port name or a usb: identity.
func ParsePort(s string) (PortSpec, error) { return serialport.Parse(s) }
