package ui

import "qrpos/assets"

// The tests read the whole screen font from the repository (the binary
// carries only the subset).
func init() {
	assets.FullFontFiles = []string{"../assets/fonts/DroidSansFallbackFull.ttf.gz"}
}
