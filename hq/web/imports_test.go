package web_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestWebImports: the pages reach PostgreSQL only through qrpos/hq/store
// and link no window toolkit nor any of the terminal's own parts.
func TestWebImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{join .Imports " "}}`, "qrpos/hq/web").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	if imports := string(out); strings.Contains(imports, "jackc/pgx") || !strings.Contains(imports, "qrpos/hq/store") {
		t.Errorf("qrpos/hq/web imports %s: want qrpos/hq/store and no pgx", imports)
	}
	out, err = exec.Command("go", "list", "-deps", "qrpos/hq/web").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, d := range strings.Fields(string(out)) {
		if strings.HasPrefix(d, "fyne.io/") || strings.HasPrefix(d, "qrpos/") && !strings.HasPrefix(d, "qrpos/hq") && d != "qrpos/payments" {
			t.Errorf("qrpos/hq/web depends on %s", d)
		}
	}
}
