package ui

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// forbiddenImport says why a face must not import path ("" when it may):
// ui translates and renders; the journal, the devices and the network
// belong to the core (qrpos/terminal).
func forbiddenImport(path string) string {
	switch {
	case path == "qrpos/storage" || strings.HasPrefix(path, "qrpos/storage/"):
		return "the journal is the core's: ask qrpos/terminal"
	case path == "qrpos/devices" || strings.HasPrefix(path, "qrpos/devices/"):
		return "devices are the core's: ask qrpos/terminal"
	case path == "net/http" || strings.HasPrefix(path, "net/http/"):
		return "the network is the core's (health, sandbox, providers)"
	case path == "database/sql" || strings.HasPrefix(path, "database/sql/"):
		return "SQL is the journal's"
	case path == "qrpos/api" || path == "qrpos/cli" || strings.HasPrefix(path, "qrpos/payments/") && path != "qrpos/payments/checkout":
		return "providers, the sandbox and other faces are wired by the core"
	}
	return ""
}

// TestUIImportsOnlyTheCore parses every non-test Go file of ui and fails
// on an import a face must not have.
func TestUIImportsOnlyTheCore(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				t.Fatal(err)
			}
			if why := forbiddenImport(path); why != "" {
				t.Errorf("%s imports %s: %s", fset.Position(imp.Pos()), path, why)
			}
		}
	}
	if checked < 5 {
		t.Fatalf("checked only %d files: is the test running in ui/?", checked)
	}
}

func TestForbiddenImportRules(t *testing.T) {
	for path, bad := range map[string]bool{
		"qrpos/storage": true, "qrpos/devices/printer": true, "qrpos/devices/scanner": true, "net/http": true,
		"net/http/httptest": true, "database/sql": true, "qrpos/payments/eftpay": true, "qrpos/payments/sandbox": true,
		"qrpos/terminal": false, "qrpos/payments": false, "qrpos/payments/checkout": false, "qrpos/assets": false, "qrpos/i18n": false,
		"fyne.io/fyne/v2": false, "net/url": false, "image": false,
	} {
		if got := forbiddenImport(path) != ""; got != bad {
			t.Errorf("forbiddenImport(%q) = %v, want %v", path, got, bad)
		}
	}
}
