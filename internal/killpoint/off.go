//go:build !killpoints

package killpoint

import "time"

// At does nothing in a normal build.
func At(string) {}

// Duration returns def in a normal build.
func Duration(_ string, def time.Duration) time.Duration { return def }
