package ui

import (
	"log/slog"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"qrpos/assets"
)

// TestThemeFontFollowsTheStoresTexts: a store whose texts are everyday
// Chinese draws with the subset; one whose name needs a rarer character
// gets the whole font, for every style that draws Chinese.
func TestThemeFontFollowsTheStoresTexts(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	plain := themeFor(log, "好味茶餐廳 Ho Mei Cafe", "歡迎光臨", "多謝惠顧")
	if plain != (posTheme{}) || plain.Font(fyne.TextStyle{}) != uiFont {
		t.Errorf("everyday texts: font %v, want the subset", plain.Font(fyne.TextStyle{}).Name())
	}
	rare := themeFor(log, "龘記茶餐廳", "", "")
	for _, s := range []fyne.TextStyle{{}, {Bold: true}, {Italic: true}} {
		if got := rare.Font(s).Name(); got != assets.UIFontFullName {
			t.Errorf("a rare character, style %+v: font %s, want the whole font", s, got)
		}
	}
	if got, want := rare.Font(fyne.TextStyle{Monospace: true}), theme.DefaultTheme().Font(fyne.TextStyle{Monospace: true}); got != want {
		t.Errorf("monospace: %s, want Fyne's", got.Name())
	}
	if again := themeFor(log, "龘記"); again != rare {
		t.Error("the whole font is wrapped again for the same need")
	}
}
