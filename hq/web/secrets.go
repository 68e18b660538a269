package web

import (
	"encoding/json"
	"errors"
	"strings"

	"qrpos/hq/api"
)

// maxSecrets bounds how many secrets checked blanks in one profile.
const maxSecrets = 100

// checked is settings as the JSON API's profile check
// (api.ParseProfileEdit) accepts them, so that a page and a script are
// held to the same rule. A secret the check finds set (a manager PIN's
// hash, say, which the terminal's uploads carry) is named by its path
// ("settings.eftpay.secret", "settings.list[].token"): the page blanks it
// and asks again. A terminal keeps its own secret where head office
// sends none. Anything else the check refuses, the page refuses.
func checked(settings map[string]any, tid string) ([]byte, error) {
	for range maxSecrets {
		inner, err := json.Marshal(settings)
		if err != nil {
			return nil, err
		}
		body, err := json.Marshal(api.ProfileEdit{Settings: inner})
		if err != nil {
			return nil, err
		}
		out, err := api.ParseProfileEdit(body, tid)
		var q *api.QueryError
		if !errors.As(err, &q) {
			return out, err
		}
		path, ok := strings.CutPrefix(q.Param, "settings.")
		if !ok || q.Param == "settings.tid" || !blank(settings, strings.Split(path, ".")) {
			return nil, err
		}
	}
	return nil, errors.New("the profile holds too many secrets")
}

// blank sets the value at path in v to "", through every element of a
// list where a part ends in "[]"; it reports whether it found any.
func blank(v any, path []string) bool {
	m, ok := v.(map[string]any)
	if !ok || len(path) == 0 {
		return false
	}
	key, lists := path[0], 0
	for strings.HasSuffix(key, "[]") {
		key, lists = strings.TrimSuffix(key, "[]"), lists+1
	}
	x, ok := m[key]
	switch {
	case !ok:
		return false
	case lists == 0 && len(path) == 1:
		m[key] = ""
		return true
	}
	return blankIn(x, lists, path[1:])
}

// blankIn blanks path in every element of v, lists deep.
func blankIn(v any, lists int, path []string) bool {
	if lists == 0 {
		return blank(v, path)
	}
	list, ok := v.([]any)
	if !ok {
		return false
	}
	found := false
	for _, x := range list {
		found = blankIn(x, lists-1, path) || found
	}
	return found
}
