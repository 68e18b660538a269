package terminal

import (
	"context"
	"sort"

	"go.bug.st/serial/enumerator"
)

// ListPorts lists the serial ports: paths, and usb:VID:PID[:SERIAL]
// identities that survive a replug.
func ListPorts(ctx context.Context) ([]string, error) {
	ports, err := enumerator.GetDetailedPortsList()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range ports {
		out = append(out, p.Name)
		if p.IsUSB {
			spec := "usb:" + p.VID + ":" + p.PID
			if p.SerialNumber != "" {
				spec += ":" + p.SerialNumber
			}
			out = append(out, spec)
		}
	}
	sort.Strings(out)
	return out, nil
}
