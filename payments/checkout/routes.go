package checkout

import "qrpos/payments"

// Routes is the cashier's choice of wallets at this terminal: one method
// per wallet and mode, the one that serves it here. When several providers
// offer a wallet, the profile's `methods` list decides: its first method of
// that wallet and mode is the route (with no list, the catalogue's order).
// The cashier sees each wallet once; which provider serves it is the
// manager's choice, per terminal.
func (p Profile) Routes() []payments.Method {
	offered := p.Offered()
	if len(p.Methods) > 0 {
		byID := map[string]payments.Method{}
		for _, m := range offered {
			byID[m.ID()] = m
		}
		ordered := make([]payments.Method, 0, len(offered))
		for _, id := range p.Methods {
			if m, ok := byID[id]; ok {
				ordered = append(ordered, m)
				delete(byID, id)
			}
		}
		offered = ordered
	}
	type key struct {
		w payments.Wallet
		m payments.Mode
	}
	seen := map[key]bool{}
	var out []payments.Method
	for _, m := range offered {
		k := key{m.Wallet, m.Mode}
		if !seen[k] {
			seen[k] = true
			out = append(out, m)
		}
	}
	return out
}

// Route is the method that serves wallet w in mode at this terminal.
func (p Profile) Route(w payments.Wallet, mode payments.Mode) (payments.Method, bool) {
	for _, m := range p.Routes() {
		if m.Wallet == w && m.Mode == mode {
			return m, true
		}
	}
	return payments.Method{}, false
}

// RouteCode is the customer-code method for a scanned code: the route of
// the wallet the code's shape names, else a routed method whose provider
// takes that wallet on it (QFPay's unified code), else the one that takes
// any wallet, else the first customer-code method. False when the terminal
// offers none.
func (p Profile) RouteCode(code string) (payments.Method, bool) {
	w := payments.ClassifyAuthCode(code)
	var cpm []payments.Method
	for _, m := range p.Routes() {
		if m.Mode == payments.CPM {
			cpm = append(cpm, m)
		}
	}
	if len(cpm) == 0 {
		return payments.Method{}, false
	}
	for _, m := range cpm {
		if w != payments.AnyWallet && m.Wallet == w {
			return m, true
		}
	}
	for _, m := range cpm {
		if info, ok := payments.LookupProvider(m.Provider); ok && w != payments.AnyWallet && info.CPM != nil && info.CPM(m, w) {
			return m, true
		}
	}
	for _, m := range cpm {
		if m.Wallet == payments.AnyWallet {
			return m, true
		}
	}
	return cpm[0], true
}
