package ui

import (
	"image"
	"image/color"

	qrcode "github.com/skip2/go-qrcode"
)

// qrImage draws content as a QR code about size pixels wide, with its
// four-module quiet zone, in whole pixels per module so that the screen's
// nearest-neighbour scaling keeps every module square. Medium error
// correction keeps the modules large for a phone at a counter's distance.
// It returns nil for empty content or content a QR code cannot hold.
func qrImage(content string, size int) image.Image {
	if content == "" {
		return nil
	}
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil
	}
	bits := q.Bitmap() // includes the quiet zone
	n := len(bits)
	if n == 0 {
		return nil
	}
	m := max(size/n, 1)
	img := image.NewGray(image.Rect(0, 0, n*m, n*m))
	for y, row := range bits {
		for x, on := range row {
			c := color.Gray{Y: 0xff}
			if on {
				c = color.Gray{Y: 0}
			}
			for dy := range m {
				for dx := range m {
					img.SetGray(x*m+dx, y*m+dy, c)
				}
			}
		}
	}
	return img
}
