//go:build unix && !linux

package pgtest

import "syscall"

// attr runs a command as u.
func (u runAs) attr(bool) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: u.cred}
}
