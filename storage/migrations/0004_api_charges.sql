-- The local API's idempotency keys: each Idempotency-Key a till sent with
-- a charge, and the charge it made. The key is reserved (charge_id '')
-- before the engine journals the order, and bound to the order right
-- after; a key reserved but never bound (the program stopped in between)
-- is settled the next time the key comes (Journal.RecoverReservation).
CREATE TABLE api_charges (
    idem_key     TEXT    PRIMARY KEY,
    token_id     TEXT    NOT NULL,            -- who sent it: "socket" or "token:" + a hash prefix, never the token
    request_hash TEXT    NOT NULL,            -- SHA-256 of the request as the API read it
    charge_id    TEXT    NOT NULL DEFAULT '', -- the out_trade_no the charge started under; '' while reserved
    reference    TEXT    NOT NULL DEFAULT '', -- the till's own reference
    created_at   INTEGER NOT NULL,            -- unix nanoseconds: when the key was reserved
    -- The number the charge runs under now when the provider made it take a
    -- fresh one (already used there); '' while it is charge_id.
    out_trade_no TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX api_charges_charge ON api_charges (charge_id) WHERE charge_id != '';
CREATE INDEX api_charges_current ON api_charges (out_trade_no) WHERE out_trade_no != '';
