-- The journal: orders, their append-only event log, refunds, the receipt
-- print queue, terminal profiles, the manager audit log and the counters.

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

CREATE TABLE orders (
    id               INTEGER PRIMARY KEY,
    out_trade_no     TEXT    NOT NULL UNIQUE,
    tid              TEXT    NOT NULL,
    provider         TEXT    NOT NULL,
    method           TEXT    NOT NULL,
    mode             TEXT    NOT NULL,
    amount_minor     INTEGER NOT NULL CHECK (amount_minor > 0),
    currency         TEXT    NOT NULL,
    refunded_minor   INTEGER NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor),
    state            TEXT    NOT NULL,
    settled          INTEGER NOT NULL DEFAULT 0,
    provider_ref     TEXT    NOT NULL DEFAULT '',
    qr_code          TEXT    NOT NULL DEFAULT '',
    auth_code_masked TEXT    NOT NULL DEFAULT '',
    reason           TEXT    NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL, -- unix nanoseconds, UTC
    updated_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL DEFAULT 0
);
-- Recovery reads only the orders that are not settled, oldest first.
CREATE INDEX orders_open ON orders (created_at, id) WHERE settled = 0;
CREATE INDEX orders_tid_created ON orders (tid, created_at);

CREATE TABLE order_events (
    id         INTEGER PRIMARY KEY,
    order_id   INTEGER NOT NULL REFERENCES orders (id),
    at         INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    state_from TEXT    NOT NULL DEFAULT '',
    state_to   TEXT    NOT NULL DEFAULT '',
    detail     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX order_events_order ON order_events (order_id, id);

CREATE TABLE refunds (
    id           INTEGER PRIMARY KEY,
    refund_no    TEXT    NOT NULL UNIQUE,
    order_id     INTEGER NOT NULL REFERENCES orders (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency     TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    provider_ref TEXT    NOT NULL DEFAULT '',
    reason       TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX refunds_order ON refunds (order_id);

CREATE TABLE print_queue (
    id         INTEGER PRIMARY KEY,
    order_id   INTEGER REFERENCES orders (id),
    kind       TEXT    NOT NULL,          -- sale, refund, report, reprint, test
    payload    BLOB    NOT NULL,          -- the receipt as plain values (JSON)
    state      TEXT    NOT NULL DEFAULT 'queued', -- queued, printed
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    printed_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX print_queue_queued ON print_queue (id) WHERE state = 'queued';

CREATE TABLE profiles (
    tid        TEXT PRIMARY KEY,
    settings   TEXT    NOT NULL, -- JSON, owned by the engine
    updated_at INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,
    tid    TEXT    NOT NULL,
    actor  TEXT    NOT NULL,
    action TEXT    NOT NULL,
    detail TEXT    NOT NULL DEFAULT ''
);
