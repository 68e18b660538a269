package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"

	"qrpos/cli/command"
)

func init() {
	register(command.Command{Name: "api-token", Summary: "print a fresh random token for the profile's api_token", Run: runAPIToken})
}

// runAPIToken prints 32 random bytes, base64url, for IT to paste into the
// profile as api_token.
func runAPIToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := command.NewFlags("api-token", stderr)
	if err := command.ParseFlags(fs, args); err != nil {
		return err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	fmt.Fprintln(stdout, base64.RawURLEncoding.EncodeToString(b))
	return nil
}
