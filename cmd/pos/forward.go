package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// cliName is the command line's binary, shipped beside pos.
func cliName() string {
	if runtime.GOOS == "windows" {
		return "pos-cli.exe"
	}
	return "pos-cli"
}

// cliPath finds pos-cli: beside this binary (the installers and `make build`
// put it there), else on PATH.
func cliPath() (string, error) {
	if exe, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		p := filepath.Join(filepath.Dir(exe), cliName())
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	p, err := exec.LookPath(cliName())
	if err != nil {
		return "", fmt.Errorf("%s is neither beside pos nor on PATH: the commands other than run are pos-cli's", cliName())
	}
	return p, nil
}

// forward runs `pos-cli ARGS` in pos's place: same arguments, environment,
// standard streams and exit code (runCLI).
func forward(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	path, err := cliPath()
	if err != nil {
		fmt.Fprintf(stderr, "pos %s: %v\n", args[0], err)
		return 2
	}
	return runCLI(ctx, path, args, stdout, stderr)
}
