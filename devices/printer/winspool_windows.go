//go:build windows

package printer

import (
	"errors"
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/windows"
)

// The spooler's functions, from winspool.drv (loaded from System32 only).
var (
	winspoolDLL          = windows.NewLazySystemDLL("winspool.drv")
	procOpenPrinterW     = winspoolDLL.NewProc("OpenPrinterW")
	procStartDocPrinterW = winspoolDLL.NewProc("StartDocPrinterW")
	procStartPagePrinter = winspoolDLL.NewProc("StartPagePrinter")
	procWritePrinter     = winspoolDLL.NewProc("WritePrinter")
	procEndPagePrinter   = winspoolDLL.NewProc("EndPagePrinter")
	procEndDocPrinter    = winspoolDLL.NewProc("EndDocPrinter")
	procAbortPrinter     = winspoolDLL.NewProc("AbortPrinter")
	procClosePrinter     = winspoolDLL.NewProc("ClosePrinter")
	procEnumPrintersW    = winspoolDLL.NewProc("EnumPrintersW")
)

// docInfo1 is DOC_INFO_1W.
type docInfo1 struct {
	DocName    *uint16
	OutputFile *uint16
	Datatype   *uint16
}

// printerInfo4 is PRINTER_INFO_4W.
type printerInfo4 struct {
	PrinterName *uint16
	ServerName  *uint16
	Attributes  uint32
}

// EnumPrinters flags.
const (
	printerEnumLocal       = 0x2
	printerEnumConnections = 0x4
)

// sysSpooler is the real spooler.
type sysSpooler struct{}

func systemSpooler() winspool { return sysSpooler{} }

// call runs a winspool function that returns a BOOL (or a job id),
// turning 0 into the thread's last error.
func call(p *windows.LazyProc, args ...uintptr) (uintptr, error) {
	r, _, err := p.Call(args...)
	if r == 0 {
		if err == nil || errors.Is(err, windows.ERROR_SUCCESS) {
			err = fmt.Errorf("%s failed", p.Name)
		}
		return 0, err
	}
	return r, nil
}

func (sysSpooler) Open(name string) (spoolHandle, error) {
	n, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return 0, err
	}
	var h windows.Handle
	_, err = call(procOpenPrinterW, uintptr(unsafe.Pointer(n)), uintptr(unsafe.Pointer(&h)), 0)
	runtime.KeepAlive(n)
	return spoolHandle(h), err
}

func (sysSpooler) StartDoc(h spoolHandle, doc, datatype string) error {
	d, err := windows.UTF16PtrFromString(doc)
	if err != nil {
		return err
	}
	t, err := windows.UTF16PtrFromString(datatype)
	if err != nil {
		return err
	}
	di := &docInfo1{DocName: d, Datatype: t}
	_, err = call(procStartDocPrinterW, uintptr(h), 1, uintptr(unsafe.Pointer(di)))
	runtime.KeepAlive(di)
	return err
}

func (sysSpooler) StartPage(h spoolHandle) error {
	_, err := call(procStartPagePrinter, uintptr(h))
	return err
}

func (sysSpooler) Write(h spoolHandle, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var n uint32
	_, err := call(procWritePrinter, uintptr(h), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), uintptr(unsafe.Pointer(&n)))
	runtime.KeepAlive(p)
	return int(n), err
}

func (sysSpooler) EndPage(h spoolHandle) error {
	_, err := call(procEndPagePrinter, uintptr(h))
	return err
}

func (sysSpooler) EndDoc(h spoolHandle) error {
	_, err := call(procEndDocPrinter, uintptr(h))
	return err
}

func (sysSpooler) Abort(h spoolHandle) error {
	_, err := call(procAbortPrinter, uintptr(h))
	return err
}

func (sysSpooler) Close(h spoolHandle) error {
	_, err := call(procClosePrinter, uintptr(h))
	return err
}

// Queues lists the local and connected printers (PRINTER_INFO_4).
func (sysSpooler) Queues() ([]string, error) {
	flags := uintptr(printerEnumLocal | printerEnumConnections)
	var needed, returned uint32
	procEnumPrintersW.Call(flags, 0, 4, 0, 0, uintptr(unsafe.Pointer(&needed)), uintptr(unsafe.Pointer(&returned)))
	if needed == 0 {
		return nil, nil
	}
	buf := make([]byte, needed)
	if _, err := call(procEnumPrintersW, flags, 0, 4, uintptr(unsafe.Pointer(&buf[0])), uintptr(needed),
		uintptr(unsafe.Pointer(&needed)), uintptr(unsafe.Pointer(&returned))); err != nil {
		return nil, err
	}
	infos := unsafe.Slice((*printerInfo4)(unsafe.Pointer(&buf[0])), returned)
	out := make([]string, 0, returned)
	for _, in := range infos {
		out = append(out, windows.UTF16PtrToString(in.PrinterName))
	}
	runtime.KeepAlive(buf)
	return out, nil
}
