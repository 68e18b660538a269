-- What people query, kept up to date from newly stored entries in the
-- batch's transaction. An order or refund row holds its newest state.

CREATE TABLE orders (
    tid              text NOT NULL,
    out_trade_no     text NOT NULL,
    store            text NOT NULL,
    journal_id       text NOT NULL,
    seq              bigint NOT NULL,
    provider         text NOT NULL,
    method           text NOT NULL,
    mode             text NOT NULL,
    amount_minor     bigint NOT NULL,
    currency         text NOT NULL,
    refunded_minor   bigint NOT NULL,
    state            text NOT NULL,
    provider_ref     text NOT NULL,
    auth_code_masked text NOT NULL,
    reason           text NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    updated_ns       bigint NOT NULL,
    PRIMARY KEY (tid, out_trade_no)
);
CREATE INDEX orders_created ON orders (created_at);
CREATE INDEX orders_store_created ON orders (store, created_at);
CREATE INDEX orders_no ON orders (out_trade_no text_pattern_ops);
CREATE INDEX orders_ref ON orders (provider_ref text_pattern_ops) WHERE provider_ref <> '';
CREATE INDEX orders_amount ON orders (amount_minor, created_at);

CREATE TABLE refunds (
    tid          text NOT NULL,
    refund_no    text NOT NULL,
    out_trade_no text NOT NULL,
    store        text NOT NULL,
    journal_id   text NOT NULL,
    seq          bigint NOT NULL,
    amount_minor bigint NOT NULL,
    currency     text NOT NULL,
    state        text NOT NULL,
    provider_ref text NOT NULL,
    reason       text NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    updated_ns   bigint NOT NULL,
    PRIMARY KEY (tid, refund_no)
);
CREATE INDEX refunds_order ON refunds (tid, out_trade_no);
CREATE INDEX refunds_created ON refunds (created_at);

CREATE TABLE order_events (
    journal_id   text NOT NULL,
    seq          bigint NOT NULL,
    tid          text NOT NULL,
    out_trade_no text NOT NULL,
    at           timestamptz NOT NULL,
    at_ns        bigint NOT NULL,
    kind         text NOT NULL,
    state_from   text NOT NULL,
    state_to     text NOT NULL,
    detail       text NOT NULL,
    PRIMARY KEY (journal_id, seq)
);
CREATE INDEX order_events_order ON order_events (tid, out_trade_no, at_ns);
