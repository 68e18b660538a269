package sandbox

import (
	"sync"

	"qrpos/payments"
)

// Demo settings: each provider half registers, from its init, the settings
// a terminal needs to use it with the demo credentials (its table of the
// profile: base URL under the sandbox's address, keys). Demo mode loops
// over the registered providers and asks DemoSettings for each.

var demos struct {
	sync.Mutex
	byProvider map[payments.Provider]func(baseURL string) payments.Settings
}

// registerDemo is called from a provider half's init.
func registerDemo(p payments.Provider, f func(baseURL string) payments.Settings) {
	demos.Lock()
	defer demos.Unlock()
	if demos.byProvider == nil {
		demos.byProvider = map[payments.Provider]func(string) payments.Settings{}
	}
	demos.byProvider[p] = f
}

// DemoSettings are provider p's settings for a terminal that uses a
// sandbox serving at baseURL ("http://127.0.0.1:8099") with the demo
// credentials; false when the sandbox has no half for p.
func DemoSettings(p payments.Provider, baseURL string) (payments.Settings, bool) {
	demos.Lock()
	f, ok := demos.byProvider[p]
	demos.Unlock()
	if !ok {
		return nil, false
	}
	return f(baseURL), true
}

// DemoProviders are DemoSettings of every provider the sandbox serves, by
// provider: a profile's Providers for a terminal on this sandbox.
func DemoProviders(baseURL string) map[payments.Provider]payments.Settings {
	demos.Lock()
	defer demos.Unlock()
	out := make(map[payments.Provider]payments.Settings, len(demos.byProvider))
	for p, f := range demos.byProvider {
		out[p] = f(baseURL)
	}
	return out
}
