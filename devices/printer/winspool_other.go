//go:build !windows

package printer

import "errors"

// errNotWindows: windows:NAME printers exist on Windows only.
var errNotWindows = errors.New("windows:NAME printers exist only on Windows")

// noSpooler is the spooler of systems that have none.
type noSpooler struct{}

func systemSpooler() winspool { return noSpooler{} }

func (noSpooler) Open(string) (spoolHandle, error)           { return 0, errNotWindows }
func (noSpooler) StartDoc(spoolHandle, string, string) error { return errNotWindows }
func (noSpooler) StartPage(spoolHandle) error                { return errNotWindows }
func (noSpooler) Write(spoolHandle, []byte) (int, error)     { return 0, errNotWindows }
func (noSpooler) EndPage(spoolHandle) error                  { return errNotWindows }
func (noSpooler) EndDoc(spoolHandle) error                   { return errNotWindows }
func (noSpooler) Abort(spoolHandle) error                    { return errNotWindows }
func (noSpooler) Close(spoolHandle) error                    { return nil }
func (noSpooler) Queues() ([]string, error)                  { return nil, nil }
