package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"go.bug.st/serial/enumerator"
)

func init() {
	register(Command{Name: "ports", Summary: "list serial ports with their USB VID:PID and serial numbers", Run: runPorts})
}

func runPorts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := NewFlags("ports", stderr)
	asJSON := fs.Bool("json", false, "one JSON object per port")
	if err := ParseFlags(fs, args); err != nil {
		return err
	}
	ports, err := enumerator.GetDetailedPortsList()
	if err != nil {
		return fmt.Errorf("list serial ports: %w", err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, p := range ports {
			if err := enc.Encode(p); err != nil {
				return err
			}
		}
		return nil
	}
	if len(ports) == 0 {
		fmt.Fprintln(stdout, "no serial ports found")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PORT\tUSB ID\tSERIAL\tPRODUCT\tOPEN AS")
	for _, p := range ports {
		id, spec := "-", p.Name
		if p.IsUSB {
			id = p.VID + ":" + p.PID
			spec = "usb:" + id
			if p.SerialNumber != "" {
				spec += ":" + p.SerialNumber
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.Name, id, dash(p.SerialNumber), dash(p.Product), spec)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
