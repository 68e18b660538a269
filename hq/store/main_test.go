package store_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"testing"

	"qrpos/hq"
	"qrpos/hq/pgtest"
	"qrpos/hq/store"
)

func TestMain(m *testing.M) {
	if url, ok := pgtest.Shared(); ok && os.Getenv(childEnv) != "" {
		os.Exit(serveChild(url))
	}
	os.Exit(pgtest.Main(m))
}

// childEnv makes the test binary a head-office server process that
// stops inside its first ingest transaction (see
// TestServerKilledMidBatch).
const childEnv = "HQ_TEST_CHILD"

// serveChild serves head office on the database at url on a loopback
// port it prints ("listening ADDR"); inside an ingest transaction, after
// its writes, it prints "in-tx" and waits to be killed.
func serveChild(url string) int {
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		fmt.Println("open:", err)
		return 1
	}
	out := bufio.NewWriter(os.Stdout)
	store.SetBeforeCommit(db, func(context.Context) {
		fmt.Fprintln(out, "in-tx")
		out.Flush()
		select {}
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("listen:", err)
		return 1
	}
	fmt.Fprintln(out, "listening", l.Addr())
	out.Flush()
	if err := hq.Serve(ctx, l, hq.New(hq.Config{DB: db}), "", ""); err != nil {
		fmt.Println("serve:", err)
	}
	return 1
}
