//go:build linux && cgo

package main

/*
#include <malloc.h>
*/
import "C"

// trimCHeap hands the free pages of the C heap back to the system. OpenGL
// and X11 allocate there (a kiosk's software OpenGL keeps every texture of
// every text and receipt in it), and glibc keeps what they free: without
// this the C heap of a demo terminal held 57 MiB after 500 sales rung up
// within a minute, with it 33 MiB (28 after the first sale; make measure).
func trimCHeap() { C.malloc_trim(0) }
