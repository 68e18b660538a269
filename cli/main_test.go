package cli

import (
	"context"
	"io"
	"os"
	"testing"

	"qrpos/cli/command"
	"qrpos/internal/crashtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	crashtest.Cleanup()
	os.Exit(code)
}

// dispatch runs a command line as pos-cli does and returns its exit code.
func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return command.Program{Name: "pos-cli", Version: "test", Commands: Commands()}.Main(ctx, args, stdout, stderr)
}
