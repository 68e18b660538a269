package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
)

// writeICO writes imgs as one Windows icon file. The 256-pixel image is
// stored as PNG (as Windows Vista and later expect); smaller ones as 32-bit
// DIBs with an AND mask, which every reader of icons understands
// (resource compilers, the NSIS installer, Explorer).
func writeICO(w io.Writer, imgs []image.Image) error {
	if len(imgs) == 0 || len(imgs) > 0xffff {
		return fmt.Errorf("ico: %d images", len(imgs))
	}
	data := make([][]byte, len(imgs))
	for i, img := range imgs {
		b := img.Bounds()
		if b.Dx() < 1 || b.Dx() > 256 || b.Dy() < 1 || b.Dy() > 256 {
			return fmt.Errorf("ico: image %d is %dx%d: sizes go from 1 to 256", i, b.Dx(), b.Dy())
		}
		var buf bytes.Buffer
		if b.Dx() == 256 || b.Dy() == 256 {
			if err := png.Encode(&buf, img); err != nil {
				return err
			}
		} else {
			writeDIB(&buf, img)
		}
		data[i] = buf.Bytes()
	}
	var hdr bytes.Buffer
	le := binary.LittleEndian
	hdr.Write(le.AppendUint16(nil, 0)) // reserved
	hdr.Write(le.AppendUint16(nil, 1)) // type: icon
	hdr.Write(le.AppendUint16(nil, uint16(len(imgs))))
	offset := 6 + 16*len(imgs)
	for i, img := range imgs {
		b := img.Bounds()
		hdr.WriteByte(byte(b.Dx())) // 256 wraps to 0, which means 256
		hdr.WriteByte(byte(b.Dy()))
		hdr.WriteByte(0)                    // colours in palette: none
		hdr.WriteByte(0)                    // reserved
		hdr.Write(le.AppendUint16(nil, 1))  // colour planes
		hdr.Write(le.AppendUint16(nil, 32)) // bits per pixel
		hdr.Write(le.AppendUint32(nil, uint32(len(data[i]))))
		hdr.Write(le.AppendUint32(nil, uint32(offset)))
		offset += len(data[i])
	}
	if _, err := w.Write(hdr.Bytes()); err != nil {
		return err
	}
	for _, d := range data {
		if _, err := w.Write(d); err != nil {
			return err
		}
	}
	return nil
}

// writeDIB writes img as an icon's device-independent bitmap: a
// BITMAPINFOHEADER whose height counts the colour and mask halves, BGRA
// rows bottom-up, then the 1-bit AND mask (set where fully transparent),
// each mask row padded to 32 bits.
func writeDIB(buf *bytes.Buffer, img image.Image) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	maskStride := (w + 31) / 32 * 4
	le := binary.LittleEndian
	buf.Write(le.AppendUint32(nil, 40))          // biSize
	buf.Write(le.AppendUint32(nil, uint32(w)))   // biWidth
	buf.Write(le.AppendUint32(nil, uint32(2*h))) // biHeight: colour + mask
	buf.Write(le.AppendUint16(nil, 1))           // biPlanes
	buf.Write(le.AppendUint16(nil, 32))          // biBitCount
	buf.Write(le.AppendUint32(nil, 0))           // biCompression: BI_RGB
	buf.Write(le.AppendUint32(nil, uint32(4*w*h+maskStride*h)))
	buf.Write(make([]byte, 16)) // resolution and palette fields: unused
	mask := make([]byte, maskStride*h)
	for row := 0; row < h; row++ {
		y := b.Min.Y + h - 1 - row // bottom-up
		for x := 0; x < w; x++ {
			c := color.NRGBAModel.Convert(img.At(b.Min.X+x, y)).(color.NRGBA)
			buf.Write([]byte{c.B, c.G, c.R, c.A})
			if c.A == 0 {
				mask[row*maskStride+x/8] |= 0x80 >> (x % 8)
			}
		}
	}
	buf.Write(mask)
}
