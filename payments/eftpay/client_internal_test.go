package eftpay

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"qrpos/payments"
)

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Answers that cannot be believed, from a real HTTP server on loopback:
// the outcome is unknown, never a refusal or a success.
func TestUnbelievableAnswers(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
	}{
		{"larger than MaxBody", http.StatusOK, `{"return_status":"00","pad":"` + strings.Repeat("x", MaxBody) + `"}`},
		{"HTML error page", http.StatusOK, "<html>maintenance</html>"},
		{"HTTP 404", http.StatusNotFound, `{"return_status":"-1"}`},
		{"HTTP 500 with a refusal", http.StatusInternalServerError, `{"return_status":"-22"}`},
		{"empty", http.StatusOK, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			c, err := New(Config{BaseURL: srv.URL, UserConfirmKey: "u", Secret: "s", Logger: discard()})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Call(context.Background(), "pay", "N1", map[string]string{"service": "x"})
			var pe *payments.ProviderError
			if !errors.Is(err, payments.ErrOutcomeUnknown) || errors.As(err, &pe) {
				t.Fatalf("err = %v, want ErrOutcomeUnknown only", err)
			}
			if !strings.Contains(err.Error(), "N1") {
				t.Fatalf("error %q does not name the order", err)
			}
		})
	}
}

func TestNewChecksConfig(t *testing.T) {
	good := Config{BaseURL: UATBaseURL, UserConfirmKey: "u", Secret: "s"}
	for name, edit := range map[string]func(*Config){
		"no base URL": func(c *Config) { c.BaseURL = "" },
		"not http":    func(c *Config) { c.BaseURL = "vmp.eftpay.com.cn/VMP" },
		"no user key": func(c *Config) { c.UserConfirmKey = "" },
		"no secret":   func(c *Config) { c.Secret = "" },
	} {
		cfg := good
		edit(&cfg)
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c, err := New(good)
	if err != nil {
		t.Fatal(err)
	}
	if c.url != UATBaseURL+ServicePath || c.cfg.Timeout <= 0 || c.cfg.ConnectTimeout <= 0 {
		t.Fatalf("defaults: %s %+v", c.url, c.cfg)
	}
}
