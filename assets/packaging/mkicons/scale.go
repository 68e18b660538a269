package main

import (
	"image"
	"image/color"
)

// scale resamples src to w x h by area averaging: every destination pixel
// is the mean of the source area it covers, weighted by overlap, in
// premultiplied alpha so transparent edges do not darken. It is meant for
// shrinking; enlarging works but only repeats pixels.
func scale(src image.Image, w, h int) *image.NRGBA {
	b := src.Bounds()
	sx := float64(b.Dx()) / float64(w)
	sy := float64(b.Dy()) / float64(h)
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		y0, y1 := float64(y)*sy, float64(y+1)*sy
		for x := 0; x < w; x++ {
			x0, x1 := float64(x)*sx, float64(x+1)*sx
			var r, g, bl, a, area float64
			for py := int(y0); float64(py) < y1 && py < b.Dy(); py++ {
				wy := overlap(y0, y1, float64(py))
				for px := int(x0); float64(px) < x1 && px < b.Dx(); px++ {
					wgt := wy * overlap(x0, x1, float64(px))
					if wgt <= 0 {
						continue
					}
					c := color.RGBA64Model.Convert(src.At(b.Min.X+px, b.Min.Y+py)).(color.RGBA64)
					r += wgt * float64(c.R)
					g += wgt * float64(c.G)
					bl += wgt * float64(c.B)
					a += wgt * float64(c.A)
					area += wgt
				}
			}
			if area == 0 || a == 0 {
				continue // fully transparent
			}
			// Un-premultiply: colour channels over alpha, alpha over area.
			dst.SetNRGBA(x, y, color.NRGBA{
				R: to8(r / a * 0xffff), G: to8(g / a * 0xffff), B: to8(bl / a * 0xffff), A: to8(a / area),
			})
		}
	}
	return dst
}

// overlap is how much of the source pixel [p, p+1) lies inside [lo, hi).
func overlap(lo, hi, p float64) float64 {
	return max(0, min(hi, p+1)-max(lo, p))
}

// to8 turns a 16-bit channel value into 8 bits, rounding.
func to8(v float64) uint8 {
	v = v/257 + 0.5
	if v >= 255 {
		return 255
	}
	if v <= 0 {
		return 0
	}
	return uint8(v)
}
