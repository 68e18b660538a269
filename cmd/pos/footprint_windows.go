package main

import "os"

// footprintSignals: Windows has no SIGUSR1; the footprint is logged at the
// first frame only.
var footprintSignals []os.Signal
