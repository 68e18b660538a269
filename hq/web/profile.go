package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"qrpos/hq/api"
	"qrpos/hq/auth"
	"qrpos/hq/store"
)

// profileView is an admin's form for a terminal's profile, with the
// versions and who made them. No secret is ever in it.
type profileView struct {
	frame
	TID, Store string
	NoProfile  bool
	Form       profileFields
	Languages  []string
	Errors     []FieldError
	Message    string
	Saved      bool
	Versions   []versionRow
}

// profileFields are the form's fields as it shows them.
type profileFields struct {
	StoreName, StoreAddress, ReceiptHeader, ReceiptFooter string
	Methods, OrderTimeout, CPMTimeout, Language, Base     string
}

type versionRow struct{ Version, By, Source, Created string }

// Err is the message of field's error ("": none).
func (v *profileView) Err(field string) string {
	for _, e := range v.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// shown are the settings the form shows, as the terminal's profile
// JSON names them.
type shown struct {
	StoreName     string   `json:"store_name"`
	StoreAddress  string   `json:"store_address"`
	ReceiptHeader string   `json:"receipt_header"`
	ReceiptFooter string   `json:"receipt_footer"`
	Methods       []string `json:"methods"`
	OrderTimeout  int      `json:"order_timeout"`
	CPMTimeout    int      `json:"cpm_timeout"`
	Language      string   `json:"language"`
}

// fieldsOf fills the form from a profile version.
func fieldsOf(v store.ProfileVersion) profileFields {
	var s shown
	json.Unmarshal(v.Settings, &s) // what does not decode stays blank
	if s.OrderTimeout == 0 {
		s.OrderTimeout = 120 // the terminal's defaults
	}
	if s.CPMTimeout == 0 {
		s.CPMTimeout = 45
	}
	return profileFields{StoreName: s.StoreName, StoreAddress: s.StoreAddress, ReceiptHeader: s.ReceiptHeader,
		ReceiptFooter: s.ReceiptFooter, Methods: strings.Join(s.Methods, "\n"), OrderTimeout: strconv.Itoa(s.OrderTimeout),
		CPMTimeout: strconv.Itoa(s.CPMTimeout), Language: s.Language, Base: strconv.FormatInt(v.Version, 10)}
}

// loadProfile is terminal {tid}'s store and profile versions, newest
// first; false when the page was answered (no such terminal, no database).
func (pg *Pages) loadProfile(w http.ResponseWriter, r *http.Request, p auth.Principal) (*profileView, []store.ProfileVersion, bool) {
	tid := r.PathValue("tid")
	shop, err := pg.DB.TerminalStore(r.Context(), tid)
	var versions []store.ProfileVersion
	if err == nil {
		versions, err = pg.DB.Profiles(r.Context(), tid, 20)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		pg.fail(w, r, p, http.StatusNotFound, "No such terminal.")
		return nil, nil, false
	case err != nil:
		pg.Log.Error("profile", "tid", tid, "err", err)
		pg.fail(w, r, p, http.StatusInternalServerError, "The database did not answer. Try again in a moment.")
		return nil, nil, false
	}
	v := &profileView{TID: tid, Store: shop, NoProfile: len(versions) == 0, Languages: Languages}
	for _, x := range versions {
		v.Versions = append(v.Versions, versionRow{Version: pg.clock(time.Unix(0, x.Version)), By: x.By,
			Source: x.Source, Created: pg.clock(x.CreatedAt)})
	}
	if len(versions) > 0 {
		v.Form = fieldsOf(versions[0])
	}
	return v, versions, true
}

// profileForm shows the form filled from the newest version.
func (pg *Pages) profileForm(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	v, _, ok := pg.loadProfile(w, r, p)
	if !ok {
		return
	}
	v.Saved = r.URL.Query().Get("saved") != ""
	pg.render(w, r, http.StatusOK, "profile", v, frame{Title: "Profile of " + v.TID, Tab: "terminals", User: p})
}

// saveProfile makes the form's values the terminal's newest profile
// version, the other settings kept from the version the form was filled
// from; the terminal picks it up on its next upload.
func (pg *Pages) saveProfile(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	v, versions, ok := pg.loadProfile(w, r, p)
	if !ok {
		return
	}
	f, errs := ParseProfileForm(r.PostForm)
	show := func(status int, message string) {
		v.Message = message
		pg.render(w, r, status, "profile", v, frame{Title: "Profile of " + v.TID, Tab: "terminals", User: p})
	}
	switch {
	case v.NoProfile:
		show(http.StatusConflict, "Head office has no profile of this terminal yet: it sends it with its first upload.")
		return
	case len(errs) > 0:
		v.Errors, v.Form = errs, submitted(r)
		show(http.StatusBadRequest, "Nothing was saved: please correct the fields marked below.")
		return
	case f.Base != versions[0].Version:
		show(http.StatusConflict, "The profile was changed meanwhile (by "+versions[0].By+"): nothing was saved. "+
			"This is the newest version; make your change again.")
		return
	}
	settings, err := edited(versions[0].Settings, v.TID, f)
	var version int64
	if err == nil {
		version, err = pg.DB.SaveProfile(r.Context(), v.TID, settings, p.Name, pg.now())
	}
	var refused *api.QueryError
	switch {
	case errors.As(err, &refused):
		show(http.StatusBadRequest, "Nothing was saved: "+refused.Error()+".")
		return
	case err != nil:
		pg.Log.Error("profile save", "tid", v.TID, "err", err)
		show(http.StatusInternalServerError, "Nothing was saved: the database did not answer. Try again in a moment.")
		return
	}
	pg.Log.Info("profile saved", "tid", v.TID, "version", version, "by", p.Name)
	http.Redirect(w, r, "/terminals/"+url.PathEscape(v.TID)+"/profile?saved="+strconv.FormatInt(version, 10), http.StatusSeeOther)
}

// submitted are the form's values as the admin sent them.
func submitted(r *http.Request) profileFields {
	g := r.PostForm.Get
	return profileFields{StoreName: g("store_name"), StoreAddress: g("store_address"), ReceiptHeader: g("receipt_header"),
		ReceiptFooter: g("receipt_footer"), Methods: g("methods"), OrderTimeout: g("order_timeout"),
		CPMTimeout: g("cpm_timeout"), Language: g("language"), Base: g("base")}
}

// edited is base's settings with the form's values set, checked by the
// JSON API's profile check (qrpos/hq/api) with every secret blank.
func edited(base []byte, tid string, f ProfileForm) ([]byte, error) {
	var settings map[string]any
	dec := json.NewDecoder(bytes.NewReader(base))
	dec.UseNumber()
	if err := dec.Decode(&settings); err != nil || settings == nil {
		settings = map[string]any{}
	}
	for k, v := range map[string]any{"tid": tid, "store_name": f.StoreName, "store_address": f.StoreAddress,
		"receipt_header": f.ReceiptHeader, "receipt_footer": f.ReceiptFooter, "methods": f.Methods,
		"order_timeout": f.OrderTimeout, "cpm_timeout": f.CPMTimeout, "language": f.Language} {
		settings[k] = v
	}
	return checked(settings, tid)
}
