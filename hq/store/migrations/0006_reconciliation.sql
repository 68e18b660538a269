-- Reconciliation with the providers (qrpos/hq/reconcile): each run of a
-- day, how each merchant credential went, and the day's differences. A
-- run that finishes replaces the day's differences; the runs stay.

CREATE TABLE reconcile_runs (
    id          bigserial PRIMARY KEY,
    day         date NOT NULL,              -- the chain's day
    by          text NOT NULL,              -- 'nightly', 'command line' or the admin who started it
    nightly     boolean NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,                -- NULL: running (or its process died)
    error       text NOT NULL DEFAULT '',   -- the run as a whole failed: its differences replaced nothing
    differences int NOT NULL DEFAULT 0
);
CREATE INDEX reconcile_runs_day ON reconcile_runs (day, id);

CREATE TABLE reconcile_merchants (
    run_id    bigint NOT NULL REFERENCES reconcile_runs (id) ON DELETE CASCADE,
    merchant  text NOT NULL,
    provider  text NOT NULL,
    stores    text[] NOT NULL,              -- of the terminals it served
    terminals int NOT NULL,
    records   int NOT NULL,                 -- records the provider listed or answered
    queries   int NOT NULL,                 -- sales and refunds asked about one by one
    error     text NOT NULL DEFAULT '',     -- '': asked; else why it could not be
    PRIMARY KEY (run_id, merchant)
);

CREATE TABLE reconcile_differences (
    id             bigserial PRIMARY KEY,
    day            date NOT NULL,
    run_id         bigint NOT NULL REFERENCES reconcile_runs (id) ON DELETE CASCADE,
    merchant       text NOT NULL,
    provider       text NOT NULL,
    tid            text NOT NULL,           -- the terminal it is about ('' : none enrolled)
    store          text NOT NULL,
    kind           text NOT NULL,
    title          text NOT NULL,
    todo           text NOT NULL,           -- what to do about it
    out_trade_no   text NOT NULL,
    refund_no      text NOT NULL,
    provider_ref   text NOT NULL,
    method         text NOT NULL,
    record_tid     text NOT NULL,           -- the terminal the provider's record names
    here_minor     bigint NOT NULL,         -- what the journal says ('' state: nothing)
    here_currency  text NOT NULL,
    here_state     text NOT NULL,
    there_minor    bigint NOT NULL,         -- what the provider says
    there_currency text NOT NULL,
    there_state    text NOT NULL,
    at             timestamptz,
    reason         text NOT NULL
);
CREATE INDEX reconcile_differences_day ON reconcile_differences (day, store, tid);
