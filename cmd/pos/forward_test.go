package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestWindowLinksNoCommandLine: pos links neither the command line nor the
// head-office server; `pos COMMAND` hands them to pos-cli (issue 18).
func TestWindowLinksNoCommandLine(t *testing.T) {
	out, err := exec.Command(goTool(), "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if p == "qrpos/cli" || p == "qrpos/hq" || strings.HasPrefix(p, "github.com/jackc/") ||
			(strings.HasPrefix(p, "qrpos/hq/") && p != "qrpos/hq/wire") {
			t.Errorf("pos links %s: commands other than run belong to pos-cli", p)
		}
	}
}

// TestForwardToCLI: `pos COMMAND` runs the pos-cli beside it with the same
// arguments, streams and exit code; with no pos-cli beside it or on PATH it
// says so and exits 2. Real binaries: pos, and a pos-cli built from
// qrpos/cmd/pos-cli.
func TestForwardToCLI(t *testing.T) {
	pos := posBinary(t)
	dir := filepath.Dir(pos)
	cli := filepath.Join(dir, "pos-cli")
	if out, err := exec.Command(goTool(), "build", "-o", cli, "qrpos/cmd/pos-cli").CombinedOutput(); err != nil {
		t.Fatalf("go build pos-cli: %v\n%s", err, out)
	}
	defer os.Remove(cli)

	run := func(path string, args ...string) (string, string, int) {
		t.Helper()
		cmd := exec.Command(path, args...)
		cmd.Env = append(os.Environ(), "PATH=/usr/bin:/bin", "LANG=en_US.UTF-8") // Fyne complains of a C locale at start
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
	}
	// A command pos lacks, its flags, its output and its exit code.
	journal := filepath.Join(t.TempDir(), "none.toml")
	wantOut, wantErr, wantCode := run(cli, "orders", "--config", journal)
	gotOut, gotErr, gotCode := run(pos, "orders", "--config", journal)
	if gotCode != wantCode || gotOut != wantOut || gotErr != wantErr || wantCode == 0 {
		t.Errorf("pos orders: exit %d, %q, %q; pos-cli orders: exit %d, %q, %q (want equal, and not 0)", gotCode, gotOut, gotErr, wantCode, wantOut, wantErr)
	}
	if out, _, code := run(pos, "help"); code != 0 || !strings.Contains(out, "run ") || !strings.Contains(out, "pos-cli help") {
		t.Errorf("pos help: exit %d\n%s", code, out)
	}
	if out, _, code := run(pos, "--version"); code != 0 || !strings.HasPrefix(out, "pos ") {
		t.Errorf("pos --version: exit %d, %q", code, out)
	}
	if err := os.Remove(cli); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := run(pos, "ports")
	if code != 2 || !strings.Contains(errOut, "pos-cli is neither beside pos nor on PATH") {
		t.Errorf("without pos-cli: exit %d, %q", code, errOut)
	}
}
