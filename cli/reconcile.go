package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
)

func init() {
	register(Command{Name: "reconcile", Summary: "finish every open order and refund with its provider", Run: runReconcile})
}

func runReconcile(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := NewFlags("reconcile", stderr)
	config := ConfigFlag(fs)
	asJSON := fs.Bool("json", false, "one JSON line per order")
	if err := ParseFlags(fs, args); err != nil {
		return err
	}
	s, err := openSession(ctx, *config, NewLogger(stderr, slog.LevelWarn))
	if err != nil {
		return err
	}
	defer s.Close()
	if s.remote != nil {
		// The running terminal finishes open orders and refunds itself,
		// all the time: say what it is still checking.
		st, err := s.remote.Status(ctx)
		if err != nil {
			return err
		}
		if st.OpenOrders > 0 {
			return &exitError{code: 1, msg: fmt.Sprintf("%d orders still without the provider's final word: the running terminal keeps checking them; they are not charged again",
				st.OpenOrders)}
		}
		if !*asJSON {
			fmt.Fprintln(stdout, "every order is settled (the running terminal checks refunds itself)")
		}
		return nil
	}
	t := s.local
	out := newEventWriter(stdout, *asJSON)
	if err := recoverAndReport(ctx, t.Engine(), out); err != nil {
		return err
	}
	open, err := t.Journal().OpenOrders(ctx)
	if err != nil {
		return err
	}
	refunds, err := t.Journal().OpenRefunds(ctx)
	if err != nil {
		return err
	}
	if len(open)+len(refunds) > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%d orders and %d refunds still without the provider's final word: they are not charged or refunded again; run reconcile later",
			len(open), len(refunds))}
	}
	if !*asJSON {
		fmt.Fprintln(stdout, "every order is settled")
	}
	return nil
}
