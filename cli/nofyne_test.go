package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandLineLinksNoWindowToolkit: pos-cli and this package link no
// fyne.io package and not qrpos/ui (go list -deps), and the built pos-cli
// run under LANG=C (where Fyne's locale code complains at start-up) writes
// nothing to stderr.
func TestCommandLineLinksNoWindowToolkit(t *testing.T) {
	gobin := goTool()
	out, err := exec.Command(gobin, "list", "-deps", "qrpos/cmd/pos-cli", "qrpos/cli").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 || !contains(deps, "qrpos/api") || !contains(deps, "qrpos/terminal") {
		t.Fatalf("go list -deps listed %d packages, not the command line's: %q", len(deps), out)
	}
	for _, d := range deps {
		if strings.HasPrefix(d, "fyne.io/") || d == "qrpos/ui" || strings.HasPrefix(d, "qrpos/ui/") {
			t.Errorf("the command line links %s", d)
		}
	}

	dir := t.TempDir()
	bin := filepath.Join(dir, "pos-cli")
	if out, err := exec.Command(gobin, "build", "-o", bin, "qrpos/cmd/pos-cli").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, args := range [][]string{{"--version"}, {"api-token"}, {"print-test", "--out", filepath.Join(dir, "r.png")}} {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "LANG=C", "LC_ALL=", "LANGUAGE=")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdout, err := cmd.Output()
		if err != nil || len(stdout) == 0 || stderr.Len() > 0 {
			t.Errorf("pos-cli %s under LANG=C: %v, stdout %q, stderr %q", strings.Join(args, " "), err, stdout, stderr.String())
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// goTool is the go command: the one on PATH, else the one in GOROOT.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	if root := os.Getenv("GOROOT"); root != "" {
		return filepath.Join(root, "bin", "go")
	}
	return "go"
}
