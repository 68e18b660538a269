package store_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"qrpos/hq/internal/hqtest"
	"qrpos/hq/pgtest"
	"qrpos/hq/wire"
)

// TestServerKilledMidBatch: a head-office process killed (SIGKILL) inside
// a batch's transaction, its writes done and not committed, leaves
// nothing of the batch; another head office on the same database then
// stores the batch, sent again, once.
func TestServerKilledMidBatch(t *testing.T) {
	url := pgtest.DB(t)
	r := hqtest.NewOn(t, url)
	token := r.Enrol("T001", "Central")
	j := sales("T001", 3)
	mustAck(t, r, token, j.Batch(1, 5), 5)

	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), childEnv+"=1", pgtest.Env(url))
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	lines := bufio.NewScanner(out)
	addr := expectLine(t, lines, "listening ")
	body, _ := json.Marshal(j.Batch(6, 15))
	sent := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+wire.IngestPath, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		sent <- err
	}()
	expectLine(t, lines, "in-tx")
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	if err := <-sent; err == nil {
		t.Fatal("the killed server answered the batch")
	}
	holdsExactly(t, r, j, 5)
	mustAck(t, r, token, j.Batch(6, 15), 15)
	holdsExactly(t, r, j, 15)
}

// expectLine reads lines until one starts with prefix and returns the
// rest of it.
func expectLine(t *testing.T, lines *bufio.Scanner, prefix string) string {
	t.Helper()
	for lines.Scan() {
		if rest, ok := strings.CutPrefix(lines.Text(), prefix); ok {
			return rest
		}
		t.Logf("child: %s", lines.Text())
	}
	t.Fatalf("the child ended before printing %q: %v", prefix, lines.Err())
	return ""
}
