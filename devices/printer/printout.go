package printer

// Printout is what the virtual printer printed for one receipt: everything
// between two cuts.
type Printout struct {
	Width    int       `json:"width"` // paper width in columns of 12 dots
	Elements []Element `json:"elements"`
	Cut      string    `json:"cut,omitempty"` // "partial", "full", or "" while uncut
	Drawer   []Kick    `json:"drawer,omitempty"`
	// Unknown lists commands the decoder skipped, e.g. "ESC 0x5a".
	Unknown []string `json:"unknown,omitempty"`
	// Bytes is how many bytes of ESC/POS made this printout.
	Bytes int `json:"bytes"`
}

// ElementKind is the kind of a printed element.
type ElementKind string

// Element kinds.
const (
	KindText    ElementKind = "text"    // one printed line (no runs: a blank line)
	KindQR      ElementKind = "qr"      // a QR code
	KindImage   ElementKind = "image"   // a raster image (GS v 0)
	KindBarcode ElementKind = "barcode" // a 1D barcode (GS k)
)

// Element is one block on the paper, top to bottom.
type Element struct {
	Kind   ElementKind `json:"kind"`
	Align  Align       `json:"align"`
	Runs   []Run       `json:"runs,omitempty"`   // text
	Data   string      `json:"data,omitempty"`   // QR or barcode content
	Module int         `json:"module,omitempty"` // QR module size in dots
	Level  QRLevel     `json:"level,omitempty"`  // QR error correction
	Raster *Raster     `json:"raster,omitempty"` // image
}

// Run is text printed in one style.
type Run struct {
	Text      string `json:"text"`
	Bold      bool   `json:"bold,omitempty"`
	Underline bool   `json:"underline,omitempty"`
	Wide      bool   `json:"wide,omitempty"` // from the double-byte (Chinese) font: 24 dots a character
	W         int    `json:"w"`              // width magnification, 1..8
	H         int    `json:"h"`              // height magnification, 1..8
}

// Raster is a bitmap: Height rows of (Width+7)/8 bytes, most significant
// bit leftmost, 1 = black.
type Raster struct {
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Bits   []byte `json:"bits"`
}

// Kick is one cash drawer pulse.
type Kick struct {
	Pin   int `json:"pin"` // 0: connector pin 2, 1: pin 5
	OnMS  int `json:"on_ms"`
	OffMS int `json:"off_ms"`
}

// cols is how many 12-dot columns a run takes.
func (r Run) cols() int {
	n := 0
	for range r.Text {
		n++
	}
	if r.Wide {
		n *= 2
	}
	return n * max(r.W, 1)
}

// Cols is how many columns a text element takes.
func (e Element) Cols() int {
	n := 0
	for _, r := range e.Runs {
		n += r.cols()
	}
	return n
}
