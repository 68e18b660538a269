package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"qrpos/hq/auth"
	"qrpos/hq/internal/reply"
	"qrpos/hq/store"
)

// ProfileList answers GET /api/v1/terminals/{tid}/profile: the
// terminal's profile versions, newest (the one that wins) first, with
// who made each. Provider secrets are never in them.
type ProfileList struct {
	TID      string    `json:"tid"`
	Versions []Profile `json:"versions"`
}

// Profile is one version of a terminal's profile.
type Profile struct {
	Version   int64           `json:"version"` // unix nanoseconds; the later wins
	By        string          `json:"by"`
	Source    string          `json:"source"` // hq, terminal
	CreatedAt time.Time       `json:"created_at"`
	Settings  json.RawMessage `json:"settings"`
}

// ProfileEdit is the body of PUT /api/v1/terminals/{tid}/profile.
type ProfileEdit struct {
	Settings json.RawMessage `json:"settings"`
}

// ProfileSaved answers it.
type ProfileSaved struct {
	TID     string `json:"tid"`
	Version int64  `json:"version"`
	By      string `json:"by"`
}

func (a *API) profiles(w http.ResponseWriter, r *http.Request) {
	tid := r.PathValue("tid")
	shop, err := a.DB.TerminalStore(r.Context(), tid)
	if err == nil {
		_, err = scope(r, shop)
	}
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, errForbidden) {
		err = &notFound{"terminal"}
	}
	var found []store.ProfileVersion
	if err == nil {
		found, err = a.DB.Profiles(r.Context(), tid, 50)
	}
	if err != nil {
		a.fail(w, err)
		return
	}
	out := ProfileList{TID: tid, Versions: []Profile{}}
	for _, p := range found {
		out.Versions = append(out.Versions, Profile{Version: p.Version, By: p.By, Source: p.Source,
			CreatedAt: p.CreatedAt.In(a.loc()), Settings: redactJSON(p.Settings)})
	}
	reply.JSON(w, http.StatusOK, out)
}

// saveProfile stores an admin's profile as the terminal's newest version
// (audited); the terminal's next upload is answered with it.
func (a *API) saveProfile(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.From(r.Context())
	tid := r.PathValue("tid")
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxProfile))
	if err != nil {
		reply.Error(w, http.StatusRequestEntityTooLarge, "too_large", "a profile has at most 256 KiB")
		return
	}
	settings, err := ParseProfileEdit(data, tid)
	if err != nil {
		a.fail(w, err)
		return
	}
	version, err := a.DB.SaveProfile(r.Context(), tid, settings, p.Name, a.now())
	if errors.Is(err, store.ErrNotFound) {
		err = &notFound{"terminal"}
	}
	if err != nil {
		a.fail(w, err)
		return
	}
	a.Log.Info("profile saved", "tid", tid, "version", version, "by", p.Name)
	reply.JSON(w, http.StatusOK, ProfileSaved{TID: tid, Version: version, By: p.Name})
}
