package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"qrpos/cli/command"
	"qrpos/hq"
	"qrpos/hq/api"
	"qrpos/hq/auth"
	"qrpos/hq/merchants"
	"qrpos/hq/reconcile"
	"qrpos/hq/store"
	"qrpos/hq/web"
	"qrpos/hq/wire"
)

func init() {
	register(command.Command{Name: "hq", Summary: "head office: serve the chain's uploads and API (also: enrol, api-token, user add, migrate, reconcile)", Run: runHQ})
}

// hqStdin is where `pos hq user add` reads the password (tests set it).
var hqStdin io.Reader = os.Stdin

// runHQ is `pos hq [enrol|api-token|user add|migrate|reconcile] --db URL ...`;
// with no subcommand it serves head office.
func runHQ(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	if sub == "user" {
		if len(args) == 0 || args[0] != "add" {
			fmt.Fprintln(stderr, "pos hq user: the command is: pos hq user add --db URL --name N --role admin|viewer [--store S]")
			return command.ErrUsage
		}
		sub, args = "user add", args[1:]
	}
	run, ok := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"": hqServe, "enrol": hqEnrol, "api-token": hqAPIToken, "user add": hqUserAdd, "migrate": hqMigrate, "reconcile": hqReconcile,
	}[sub]
	if !ok {
		fmt.Fprintf(stderr, "pos hq: unknown command %q (use enrol, api-token, user add, migrate, reconcile, or none to serve)\n", sub)
		return command.ErrUsage
	}
	return run(ctx, args, stdout, stderr)
}

// hqFlags are the flags of a `pos hq` command, --db among them.
func hqFlags(name string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := command.NewFlags(name, stderr)
	db := fs.String("db", "", "head office's PostgreSQL, postgres://USER@HOST/DB (a password: in ~/.pgpass or PGPASSWORD)")
	return fs, db
}

// openHQ parses args, checks them (check, when given, prints what is
// wrong) and opens (and migrates) the database.
func openHQ(ctx context.Context, fs *flag.FlagSet, db *string, args []string, check ...func() bool) (*store.DB, error) {
	if err := command.ParseFlags(fs, args); err != nil {
		return nil, err
	}
	if *db == "" {
		fmt.Fprintf(fs.Output(), "%s: --db is required\n", fs.Name())
		return nil, command.ErrUsage
	}
	for _, ok := range check {
		if !ok() {
			return nil, command.ErrUsage
		}
	}
	return store.Open(ctx, *db)
}

func hqServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dbURL := hqFlags("hq", stderr)
	listen := fs.String("listen", "localhost:8080", "address to serve on")
	cert := fs.String("tls-cert", "", "TLS certificate (PEM): terminals upload over HTTPS unless head office is on their loopback")
	key := fs.String("tls-key", "", "the TLS certificate's key (PEM)")
	tz := fs.String("tz", "Asia/Hong_Kong", "the chain's time zone: where its days begin and end")
	merchantsFile := fs.String("merchants", "", "merchant credentials (TOML, mode 0600): head office receives their providers' notifications at /notify/NAME/PROVIDER and relays them to the terminals")
	reconcileAt := fs.String("reconcile-at", reconcile.DefaultAt, "when yesterday's reconciliation with the providers runs each night, HH:MM chain time, or off (with --merchants)")
	var loc *time.Location
	var ms []merchants.Merchant
	var night reconcile.Nightly
	var nightly bool
	db, err := openHQ(ctx, fs, dbURL, args, func() bool {
		var err error
		if loc, err = time.LoadLocation(*tz); err != nil {
			fmt.Fprintf(stderr, "pos hq: --tz: %v\n", err)
			return false
		}
		if night.Hour, night.Minute, nightly, err = reconcile.ParseAt(*reconcileAt); err != nil {
			fmt.Fprintf(stderr, "pos hq: --reconcile-at: %v\n", err)
			return false
		}
		if *merchantsFile != "" {
			if ms, err = merchants.Load(*merchantsFile); err != nil {
				fmt.Fprintf(stderr, "pos hq: --merchants: %v\n", err)
				return false
			}
		}
		if (*cert == "") != (*key == "") {
			fmt.Fprintln(stderr, "pos hq: --tls-cert and --tls-key go together")
			return false
		}
		return true
	})
	if err != nil {
		return err
	}
	defer db.Close()
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	scheme := "http"
	if *cert != "" {
		scheme = "https"
	}
	log := command.NewLogger(stderr, slog.LevelInfo)
	var runs web.Reconciler
	if len(ms) > 0 {
		runner := &reconcile.Runner{DB: db, Merchants: ms, Location: loc, Log: log.With("component", "reconcile")}
		runs, night.Runner = runner, runner
		defer startReconciliation(ctx, runner, &night, nightly)()
	}
	srv := hq.New(hq.Config{DB: db, Location: loc, Logger: log, Auth: &auth.Authority{DB: db, Secure: *cert != ""}, Merchants: ms, Reconcile: runs})
	fmt.Fprintf(stdout, "head office on %s://%s\n", scheme, l.Addr())
	for _, m := range ms {
		fmt.Fprintf(stdout, "merchant %s: its terminals' notify_url is head office's public address + %s%s\n", m, wire.NotifyPath, m.NotifyName)
	}
	return hq.Serve(ctx, l, srv, *cert, *key)
}

// startReconciliation lets runner start runs (from the web page) and, when
// nightly, runs night until ctx ends. The function it returns stops them
// and waits for them: call it before the database closes.
func startReconciliation(ctx context.Context, runner *reconcile.Runner, night *reconcile.Nightly, nightly bool) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	runner.Context = ctx
	done := make(chan struct{})
	if nightly {
		go func() { night.Run(ctx); close(done) }()
		runner.Log.Info("nightly reconciliation", "at", fmt.Sprintf("%02d:%02d", night.Hour, night.Minute), "tz", runner.Location.String())
	} else {
		close(done)
	}
	return func() {
		cancel()
		<-done
		runner.Wait()
	}
}

// hqReconcile is `pos hq reconcile --db URL --merchants FILE [--day D]
// [--json]`: the day's reconciliation with the providers now, kept at head
// office as a run of the day; each difference on its own line (--json:
// one object each). Exit 1 when there is a difference or a merchant's
// provider could not be asked.
func hqReconcile(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dbURL := hqFlags("hq reconcile", stderr)
	merchantsFile := fs.String("merchants", "", "merchant credentials (TOML, mode 0600): whose providers are asked (required)")
	day := fs.String("day", "", "the chain's day, YYYY-MM-DD (default: yesterday)")
	tz := fs.String("tz", "Asia/Hong_Kong", "the chain's time zone: where its days begin and end")
	asJSON := fs.Bool("json", false, "one JSON object per difference")
	runner := &reconcile.Runner{Log: command.NewLogger(stderr, slog.LevelWarn)}
	db, err := openHQ(ctx, fs, dbURL, args, func() bool {
		var err error
		if runner.Location, err = time.LoadLocation(*tz); err != nil {
			fmt.Fprintf(stderr, "pos hq reconcile: --tz: %v\n", err)
			return false
		}
		if *merchantsFile == "" {
			fmt.Fprintln(stderr, "pos hq reconcile: --merchants is required: the merchants' keys ask the providers")
			return false
		}
		if runner.Merchants, err = merchants.Load(*merchantsFile); err != nil {
			fmt.Fprintf(stderr, "pos hq reconcile: --merchants: %v\n", err)
			return false
		}
		if *day == "" {
			*day = runner.Yesterday(time.Now())
		}
		if _, _, err := runner.Day(*day); err != nil {
			fmt.Fprintf(stderr, "pos hq reconcile: --day: %v\n", err)
			return false
		}
		return true
	})
	if err != nil {
		return err
	}
	defer db.Close()
	runner.DB = db
	res, err := runner.Run(ctx, *day, "command line")
	if err != nil {
		return err
	}
	return printReconciliation(res, runner.Location, *asJSON, stdout, stderr)
}

// printReconciliation writes a run's differences and, on stderr, each
// merchant that could not be asked.
func printReconciliation(res reconcile.Result, loc *time.Location, asJSON bool, stdout, stderr io.Writer) error {
	for _, d := range res.Differences {
		l := api.DifferenceOf(d, loc)
		if asJSON {
			b, _ := json.Marshal(l)
			fmt.Fprintln(stdout, string(b))
			continue
		}
		who := strings.TrimSpace(l.Store + " " + l.TID)
		if who == "" {
			who = "no enrolled terminal"
		}
		no := strings.TrimSpace(l.OutTradeNo + " " + l.RefundNo)
		fmt.Fprintf(stdout, "%s: %s %s %s: provider %s, journal %s; to do: %s\n", who, l.Kind, l.Provider, no,
			sideText(l.ThereAmount, l.ThereCurrency, l.ThereState), sideText(l.HereAmount, l.HereCurrency, l.HereState), l.Todo)
	}
	failed := 0
	for _, m := range res.Run.Merchants {
		if m.Error != "" {
			failed++
			fmt.Fprintf(stderr, "merchant %s (%s): %s\n", m.Merchant, m.Provider, m.Error)
		}
	}
	if !asJSON {
		fmt.Fprintf(stdout, "%s: %d differences; %d of %d merchants asked (run %d)\n", res.Run.Day, len(res.Differences),
			len(res.Run.Merchants)-failed, len(res.Run.Merchants), res.Run.ID)
	}
	if len(res.Differences) > 0 || failed > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%s: %d differences, %d merchants not asked", res.Run.Day, len(res.Differences), failed)}
	}
	return nil
}

// sideText is what one side says ("10.00 HKD paid"), or "nothing".
func sideText(amount, currency, state string) string {
	if s := strings.Join(strings.Fields(amount+" "+currency+" "+state), " "); s != "" {
		return s
	}
	return "nothing"
}

func hqEnrol(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dbURL := hqFlags("hq enrol", stderr)
	tid := fs.String("tid", "", "the terminal's tid (T001)")
	shop := fs.String("store", "", "its store (required the first time)")
	db, err := openHQ(ctx, fs, dbURL, args)
	if err != nil {
		return err
	}
	defer db.Close()
	token, err := hq.Enrol(ctx, db, *tid, *shop)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, token)
	fmt.Fprintf(stderr, "terminal %s enrolled: put the token in its profile's [hq] token; head office keeps only its hash, so this is the only time it is shown\n", *tid)
	return nil
}

func hqAPIToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dbURL := hqFlags("hq api-token", stderr)
	shop := fs.String("store", "", "limit the token to one store's data (default: every store)")
	db, err := openHQ(ctx, fs, dbURL, args)
	if err != nil {
		return err
	}
	defer db.Close()
	token, err := hq.NewAPIToken(ctx, db, *shop)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, token)
	return nil
}

func hqUserAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dbURL := hqFlags("hq user add", stderr)
	name := fs.String("name", "", "the user's login name")
	role := fs.String("role", "viewer", "admin (everything, profiles too) or viewer (reads)")
	shop := fs.String("store", "", "a viewer of one store only (default: every store)")
	db, err := openHQ(ctx, fs, dbURL, args)
	if err != nil {
		return err
	}
	defer db.Close()
	line, err := bufio.NewReader(hqStdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	password := strings.TrimRight(line, "\r\n")
	if err := (&auth.Authority{DB: db}).AddUser(ctx, *name, *role, *shop, password); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s added (%s)\n", *name, *role)
	return nil
}

func hqMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dbURL := hqFlags("hq migrate", stderr)
	db, err := openHQ(ctx, fs, dbURL, args)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "head office's database is at schema version %d\n", v)
	return nil
}
