package ui

// The manager's routing: for each wallet the terminal can take, which
// provider serves it here, or off. The cashier then sees each wallet once
// (checkout.Profile.Routes); the profile keeps the choice as its `methods`
// list, one method per wallet and mode.

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"qrpos/payments"
)

// route is one row of the routing: a wallet in a mode, the methods that
// can serve it (one per provider), and the manager's choice.
type route struct {
	wallet  payments.Wallet
	mode    payments.Mode
	methods []payments.Method // by provider, in the catalogue's order
	choice  *widget.Select
}

// routeRows lists the wallets and modes some provider offers, QR codes
// first, in the catalogue's order.
func routeRows() []*route {
	var rows []*route
	find := func(w payments.Wallet, mode payments.Mode) *route {
		for _, r := range rows {
			if r.wallet == w && r.mode == mode {
				return r
			}
		}
		r := &route{wallet: w, mode: mode}
		rows = append(rows, r)
		return r
	}
	for _, mode := range []payments.Mode{payments.MPM, payments.CPM} {
		for _, m := range payments.Methods() {
			if m.Mode == mode {
				r := find(m.Wallet, mode)
				r.methods = append(r.methods, m)
			}
		}
	}
	return rows
}

// routingForm is the routing as the profile has it, one choice per row.
func (s *settingsScreen) routingForm() fyne.CanvasObject {
	t := s.t
	s.routes = routeRows()
	box := container.NewVBox()
	var mode payments.Mode
	for _, r := range s.routes {
		if r.mode != mode {
			mode = r.mode
			title := "settings.routes_" + string(mode) // settings.routes_MPM, settings.routes_CPM
			box.Add(sectionTitle(t.tr.T(title)))
		}
		off := t.tr.T("settings.route_off")
		opts := []string{off}
		for _, m := range r.methods {
			opts = append(opts, m.Provider.Title())
		}
		r.choice = widget.NewSelect(opts, nil)
		r.choice.SetSelected(off)
		if m, ok := t.prof.Route(r.wallet, r.mode); ok {
			r.choice.SetSelected(m.Provider.Title())
		}
		s.shown.remember(r.choice)
		box.Add(container.New(columnsLayout{shares: []float32{0.5, 0.5}, minWidth: 300},
			widget.NewLabel(t.walletName(r.methods[0])), r.choice))
	}
	return box
}

// routedMethods is the profile's methods list as the routing stands.
func (s *settingsScreen) routedMethods() []string {
	var ids []string
	for _, r := range s.routes {
		for _, m := range r.methods {
			if r.choice.Selected == m.Provider.Title() {
				ids = append(ids, m.ID())
			}
		}
	}
	return ids
}
