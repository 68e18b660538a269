package pgtest

import "syscall"

// attr runs a command as u; postgres (server) dies with this process.
func (u runAs) attr(server bool) *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Credential: u.cred}
	if server {
		a.Pdeathsig = syscall.SIGQUIT
	}
	return a
}
