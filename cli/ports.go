package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"qrpos/cli/command"
	"qrpos/devices/printer"
)

func init() {
	register(command.Command{Name: "ports", Summary: "list serial ports, USB printers and Windows printers, with the port to put in the profile", Run: runPorts})
}

// portsWhere is where ports looks (tests point it at a fake sysfs).
var portsWhere printer.ListOptions

func runPorts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := command.NewFlags("ports", stderr)
	asJSON := fs.Bool("json", false, "one JSON object per port")
	if err := command.ParseFlags(fs, args); err != nil {
		return err
	}
	ports, err := printer.ListPorts(portsWhere)
	if err != nil && len(ports) == 0 {
		return fmt.Errorf("list ports: %w", err)
	}
	if err != nil {
		fmt.Fprintf(stderr, "pos ports: %v\n", err)
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
	fmt.Fprintln(tw, "PORT\tKIND\tUSB ID\tSERIAL\tPRODUCT\tOPEN AS")
	for _, p := range ports {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", cmp.Or(p.Path, p.Product), p.Kind, dash(p.USB), dash(p.Serial), dash(p.Product), p.OpenAs)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Network printers are not listed: use tcp://HOST:9100. A by-id, usb: or usblp: name finds the device again after a replug.")
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
