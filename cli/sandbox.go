package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"qrpos/cli/command"
	"qrpos/payments/sandbox"
)

func init() {
	register(command.Command{Name: "sandbox", Summary: "serve both providers' sandbox (eftPay VMP and QFPay) until interrupted", Run: runSandbox})
}

func runSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := command.NewFlags("sandbox", stderr)
	addr := fs.String("addr", "127.0.0.1:8099", "listen address")
	user := fs.String("eftpay-user", sandbox.DemoEftpayUser, "eftPay user_confirm_key the sandbox accepts")
	secret := fs.String("eftpay-secret", sandbox.DemoEftpaySecret, "eftPay signing secret")
	appCode := fs.String("qfpay-appcode", sandbox.DemoQFPayAppCode, "QFPay X-QF-APPCODE the sandbox accepts")
	key := fs.String("qfpay-key", sandbox.DemoQFPayKey, "QFPay client key")
	clock := fs.Duration("clock-window", 5*time.Minute, "eftPay: how far a request's time may be off")
	if err := command.ParseFlags(fs, args); err != nil {
		return err
	}
	sb := sandbox.New(sandbox.Config{EftpayUser: *user, EftpaySecret: *secret, QFPayAppCode: *appCode, QFPayKey: *key, ClockWindow: *clock})
	defer sb.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "sandbox listening on %s\n  eftPay base URL: %s/VMP\n  QFPay base URL:  %s\n  pay an order:    curl -d out_trade_no=NO %s/sandbox/pay\n  list orders:     curl %s/sandbox/orders\n",
		ln.Addr(), base, base, base, base)
	srv := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
