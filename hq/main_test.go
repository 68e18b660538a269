package hq_test

import (
	"os"
	"testing"

	"qrpos/hq/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
