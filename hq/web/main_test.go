package web_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"qrpos/hq/internal/hqtest"
	"qrpos/hq/pgtest"
	"qrpos/hq/wire"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// password is every test user's password.
const password = "correct horse"

// The chain's test users: an admin, a viewer of every store, a viewer of
// Kowloon only.
const (
	admin     = "alice"
	hana      = "hana"
	kowloonly = "victor"
)

// chain is a head office on a fresh database whose pages show what its
// terminals uploaded through the real ingest endpoint, all on 2026-03-02
// (the rig's today): T001 (Central) two sales, 10.50 with 5.00 refunded
// and 20.50; T002 (Kowloon) one of 10.50. Both sent their profile.
type chain struct {
	*hqtest.Rig
	j1, j2         *hqtest.Journal
	token1, token2 string
}

func newChain(t *testing.T) *chain {
	t.Helper()
	c := &chain{Rig: hqtest.New(t), j1: hqtest.NewJournal("T001"), j2: hqtest.NewJournal("T002")}
	first := c.j1.Sale(hqtest.OrderNo("T001", 1), 1050)
	c.j1.Sale(hqtest.OrderNo("T001", 2), 2050)
	c.j1.Refund(first, "R1", 500)
	c.j2.Sale(hqtest.OrderNo("T002", 1), 1050)
	for _, j := range []*hqtest.Journal{c.j1, c.j2} {
		j.Add(wire.KindProfile, wire.Profile{TID: j.TID, UpdatedAt: j.Now().UnixNano(), Settings: json.RawMessage(
			`{"tid":"` + j.TID + `","store_name":"Shop ` + j.TID + `","receipt_footer":"Thank you","order_timeout":120,` +
				`"cpm_timeout":45,"methods":["eftpay:ALIPAYHK"],"manager_pin_hash":"pbkdf2$1$x$y",` +
				`"eftpay":{"base_url":"https://eftpay.example","secret":""},"hq":{"url":"https://hq.example","token":""}}`)})
	}
	c.token1, c.token2 = c.Enrol("T001", "Central"), c.Enrol("T002", "Kowloon")
	c.upload(c.token1, c.j1)
	c.upload(c.token2, c.j2)
	for _, u := range []struct{ name, role, shop string }{
		{admin, "admin", ""}, {hana, "viewer", ""}, {kowloonly, "viewer", "Kowloon"},
	} {
		if err := c.Auth.AddUser(context.Background(), u.name, u.role, u.shop, password); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// upload sends every entry of j with token, as the terminal's uploader
// does, and wants them all acked.
func (c *chain) upload(token string, j *hqtest.Journal) wire.Ack {
	c.T.Helper()
	rep := c.Post(token, j.All())
	if rep.Status != 200 || rep.Ack.Acked != int64(len(j.Entries)) {
		c.T.Fatalf("upload %s: %+v", j.TID, rep)
	}
	return rep.Ack
}

// restore uploads a journal restored from an old backup: T001's journal
// id with other entries under seqs head office holds. It returns the
// number of conflicts head office reported.
func (c *chain) restore() int {
	c.T.Helper()
	restored := hqtest.NewJournal("T001")
	restored.ID = c.j1.ID
	restored.Sale(hqtest.OrderNo("T001", 7), 700)
	rep := c.Post(c.token1, restored.All())
	if rep.Status != 200 {
		c.T.Fatalf("restored journal: %+v", rep)
	}
	return rep.Ack.Conflicts
}
