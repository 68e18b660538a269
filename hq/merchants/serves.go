package merchants

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"qrpos/payments"
)

// Which terminals a merchant credential serves: its table's optional
// stores = ["Central", ...] and tids = ["T001", ...]. Head office's
// reconciliation (qrpos/hq/reconcile) compares a terminal's sales of a
// provider with the records of the one merchant of that provider that
// serves it: the merchant naming its tid, else the one naming its store,
// else the one naming neither (at most one per provider: it serves every
// terminal no other names).

// The keys of a merchant's table that say which terminals it serves.
const (
	keyStores = "stores"
	keyTIDs   = "tids"
)

// maxServedName bounds a store's or a tid's name, as head office's API
// does.
const maxServedName = 64

// parseServed reads the table's stores and tids: each, when present, a
// non-empty list of distinct names of 1 to 64 characters, none of them a
// control character.
func parseServed(merchant string, t map[string]any) (stores, tids []string, err error) {
	if stores, err = nameList(merchant, keyStores, "store names", t); err != nil {
		return nil, nil, err
	}
	tids, err = nameList(merchant, keyTIDs, "terminal ids", t)
	return stores, tids, err
}

func nameList(merchant, key, what string, t map[string]any) ([]string, error) {
	v, ok := t[key]
	if !ok {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("merchant.%s.%s: want a list of %s in quotes, like %s = [\"A\", \"B\"]", merchant, key, what, key)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("merchant.%s.%s: the list is empty; leave %s out for a merchant of every terminal", merchant, key, key)
	}
	out := make([]string, 0, len(list))
	seen := map[string]bool{}
	for i, e := range list {
		s, ok := e.(string)
		switch {
		case !ok:
			return nil, fmt.Errorf("merchant.%s.%s: item %d is not a string in quotes", merchant, key, i+1)
		case !validServedName(s):
			return nil, fmt.Errorf("merchant.%s.%s: item %d: 1 to %d characters, none of them control characters", merchant, key, i+1, maxServedName)
		case seen[s]:
			return nil, fmt.Errorf("merchant.%s.%s: %q is listed twice", merchant, key, s)
		}
		seen[s] = true
		out = append(out, s)
	}
	return out, nil
}

func validServedName(s string) bool {
	n := len([]rune(s))
	return n > 0 && n <= maxServedName && strings.IndexFunc(s, unicode.IsControl) < 0
}

// checkServed refuses merchants of one provider that would both take a
// terminal's sales: two naming one tid or one store, or two naming none.
func checkServed(list []Merchant) error {
	type claim struct{ provider, key, name string }
	claimed := map[claim]string{}
	for _, m := range list {
		var claims []claim
		for _, s := range m.Stores {
			claims = append(claims, claim{string(m.Provider), "store", s})
		}
		for _, t := range m.TIDs {
			claims = append(claims, claim{string(m.Provider), "terminal", t})
		}
		if m.ServesAll() {
			claims = append(claims, claim{string(m.Provider), "every", ""})
		}
		for _, c := range claims {
			other, dup := claimed[c]
			switch {
			case dup && c.key == "every":
				return fmt.Errorf("merchant.%s and merchant.%s: both serve every terminal's %s sales (neither has stores or tids): give one of them stores or tids",
					other, m.Name, c.provider)
			case dup:
				return fmt.Errorf("merchant.%s and merchant.%s: both name %s %q for %s: a terminal's %s sales belong to one merchant",
					other, m.Name, c.key, c.name, c.provider, c.provider)
			}
			claimed[c] = m.Name
		}
	}
	return nil
}

// ServesAll reports whether the merchant names no store and no tid: it
// serves every terminal no other merchant of its provider names.
func (m Merchant) ServesAll() bool { return len(m.Stores) == 0 && len(m.TIDs) == 0 }

// Serving is the merchant of provider p in list that serves terminal tid
// of store: the one naming tid, else the one naming store, else the one
// naming neither; false when there is none.
func Serving(list []Merchant, p payments.Provider, tid, store string) (Merchant, bool) {
	var byStore, all *Merchant
	for i := range list {
		m := &list[i]
		if m.Provider != p {
			continue
		}
		switch {
		case slices.Contains(m.TIDs, tid):
			return *m, true
		case slices.Contains(m.Stores, store) && byStore == nil:
			byStore = m
		case m.ServesAll() && all == nil:
			all = m
		}
	}
	if byStore != nil {
		return *byStore, true
	}
	if all != nil {
		return *all, true
	}
	return Merchant{}, false
}
