-- The local API's idempotency keys for refunds: each Idempotency-Key a till
-- sent with a refund, and the refund it made. As with charges (0004), the
-- key is reserved (refund_no '') before the engine journals the refund and
-- bound to it right after; a key reserved but never bound (the program
-- stopped in between) is settled the next time the key comes
-- (Journal.RecoverRefundReservation). The amount is the one the request
-- resolved to ("all that is left" becomes a number), so that a key sent
-- again after other refunds still names the same refund.
CREATE TABLE api_refunds (
    idem_key     TEXT    PRIMARY KEY,
    token_id     TEXT    NOT NULL,            -- who sent it: "socket" or "token:" + a hash prefix, never the token
    request_hash TEXT    NOT NULL,            -- SHA-256 of the request as the API read it (never the PIN)
    out_trade_no TEXT    NOT NULL,            -- the sale refunded (the number it runs under)
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency     TEXT    NOT NULL,
    refund_no    TEXT    NOT NULL DEFAULT '', -- the refund it made; '' while reserved
    created_at   INTEGER NOT NULL             -- unix nanoseconds: when the key was reserved
);
CREATE UNIQUE INDEX api_refunds_refund ON api_refunds (refund_no) WHERE refund_no != '';
