// Command mkicons turns the application icon (a square PNG, assets/icon.png)
// into the icon files the installers need: a Windows .ico holding the usual
// sizes, for the executable's resources and the NSIS installer, and the
// hicolor PNGs of the Linux desktop. `make package` runs it into its build
// directory; nothing it writes is committed:
//
//	go run ./assets/packaging/mkicons -in assets/icon.png -ico build/icon.ico \
//		-hicolor build/hicolor -name hk.qrpos.terminal
//
// It belongs to packaging only: it imports nothing of the project.
package main

import (
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
)

// icoSizes are the sizes in the .ico: the ones Windows asks for in lists,
// the taskbar, the desktop and high-DPI views.
var icoSizes = []int{16, 24, 32, 48, 64, 128, 256}

// hicolorSizes are the freedesktop hicolor theme directories filled.
var hicolorSizes = []int{16, 24, 32, 48, 64, 128, 256}

func main() {
	in := flag.String("in", "assets/icon.png", "the application icon (square PNG, at least 256x256 for best results)")
	ico := flag.String("ico", "", "write a Windows .ico here")
	hicolor := flag.String("hicolor", "", "write hicolor PNGs under this directory (SIZExSIZE/apps/NAME.png)")
	name := flag.String("name", "hk.qrpos.terminal", "icon name for the hicolor files")
	flag.Parse()
	if err := run(*in, *ico, *hicolor, *name); err != nil {
		fmt.Fprintln(os.Stderr, "mkicons:", err)
		os.Exit(1)
	}
}

func run(in, icoPath, hicolorDir, name string) error {
	src, err := readPNG(in)
	if err != nil {
		return err
	}
	if icoPath != "" {
		imgs := make([]image.Image, len(icoSizes))
		for i, s := range icoSizes {
			imgs[i] = scale(src, s, s)
		}
		f, err := os.Create(icoPath)
		if err != nil {
			return err
		}
		if err := writeICO(f, imgs); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", icoPath, err)
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	if hicolorDir != "" {
		for _, s := range hicolorSizes {
			dir := filepath.Join(hicolorDir, strconv.Itoa(s)+"x"+strconv.Itoa(s), "apps")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			if err := writePNG(filepath.Join(dir, name+".png"), scale(src, s, s)); err != nil {
				return err
			}
		}
	}
	return nil
}

func readPNG(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	b := img.Bounds()
	if b.Dx() != b.Dy() || b.Dx() == 0 {
		return nil, fmt.Errorf("read %s: the icon must be square, not %dx%d", path, b.Dx(), b.Dy())
	}
	return img, nil
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
