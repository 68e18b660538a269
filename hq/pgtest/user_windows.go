package pgtest

import (
	"os"
	"syscall"
)

// runAs is this process's user: Windows has no initdb root rule to avoid.
type runAs struct{}

func unprivileged(string) (runAs, error)     { return runAs{}, nil }
func (runAs) attr(bool) *syscall.SysProcAttr { return nil }

func alive(pid int) bool {
	_, err := os.FindProcess(pid)
	return err == nil
}
