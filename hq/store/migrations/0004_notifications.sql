-- The providers' notifications head office received for the chain's
-- merchants, and each terminal's stream of those routed to it.

-- One row per enrolled terminal that ever had a notification routed to it
-- or opened its stream: the last event id given out (ids of one terminal
-- are given out under this row's lock, so they commit in order) and the
-- highest the terminal said it holds (its Last-Event-ID).
CREATE TABLE relay_terminals (
    tid          text PRIMARY KEY REFERENCES terminals (tid),
    last_id      bigint NOT NULL DEFAULT 0,
    acked        bigint NOT NULL DEFAULT 0,
    connected_at timestamptz
);

CREATE TABLE notifications (
    id          bigserial PRIMARY KEY,
    merchant    text NOT NULL,
    provider    text NOT NULL,
    body        bytea NOT NULL,             -- the raw body, byte for byte: the signature covers it
    header      jsonb NOT NULL,             -- the headers a provider's handler may verify
    body_hash   bytea NOT NULL,             -- sha256 of body: a provider sending the same bytes again
    received_at timestamptz NOT NULL,
    order_no    text NOT NULL,              -- the out_trade_no (a refund's refund_no) it names
    tid         text,                       -- the terminal it is routed to; NULL: not routed
    event_id    bigint,                     -- that terminal's event id
    flag        text NOT NULL DEFAULT '',   -- why it is not relayed: unroutable, unknown_terminal
    CHECK ((tid IS NULL) = (event_id IS NULL)),
    CHECK ((tid IS NULL) = (flag <> '')),
    UNIQUE (merchant, provider, body_hash),
    UNIQUE (tid, event_id)
);
CREATE INDEX notifications_received ON notifications (received_at);
