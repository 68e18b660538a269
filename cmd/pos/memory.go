package main

import (
	"os"
	"runtime/debug"
	"time"
)

// The terminal idles most of the day with a small live heap (about 19 MiB,
// mostly the parsed screen fonts) and rings up sales that each make a few
// short-lived images (the receipt's raster and its preview texture, about
// 1 MiB). Go's default lets the heap grow to twice the live heap between
// collections and keeps what a collection freed until its scavenger gets
// to it.

// settleMemory runs once the terminal is ready: a collection every time
// the heap has grown by half the live heap (unless $GOGC says otherwise),
// which costs the GC a few milliseconds every ten sales or so, and what
// starting left behind goes back to the operating system now rather than
// when the scavenger gets to it.
func settleMemory() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	returnMemory()
}

// returnMemory gives back what Go and the C heap hold free.
func returnMemory() {
	debug.FreeOSMemory()
	trimCHeap()
}

// trimEvery is how often a running terminal gives memory back: each time
// costs a collection of the live heap, a few milliseconds.
const trimEvery = time.Minute

// keepReturningMemory calls returnMemory every trimEvery until done is
// closed: what a sale freed (its receipt's images, the textures of its
// texts) goes back to the system rather than staying with the process.
func keepReturningMemory(done <-chan struct{}) {
	t := time.NewTicker(trimEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			returnMemory()
		case <-done:
			return
		}
	}
}
