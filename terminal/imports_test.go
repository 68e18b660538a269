package terminal

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestCoreHasNoWindowToolkit: the core, and everything it imports, loads
// no Fyne and no face: command-line faces open it without a display.
func TestCoreHasNoWindowToolkit(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-json=ImportPath", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	n := 0
	for dec.More() {
		var p struct{ ImportPath string }
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		n++
		if strings.HasPrefix(p.ImportPath, "fyne.io/") || p.ImportPath == "qrpos/ui" || p.ImportPath == "qrpos/cmd/pos" {
			t.Errorf("qrpos/terminal depends on %s", p.ImportPath)
		}
	}
	if n < 10 {
		t.Fatalf("go list found only %d packages", n)
	}
}
