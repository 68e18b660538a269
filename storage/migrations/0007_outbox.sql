-- The outbox for head office (qrpos/hq/wire): every change the journal
-- records is also an entry here, written by the triggers below in the same
-- transaction as the change, so that neither exists without the other.
-- seq strictly increases with no gap (writes are serialised and a rolled
-- back transaction takes its seq back; AUTOINCREMENT never reuses the seq
-- of a pruned entry). The body is JSON in exactly the shape of the wire
-- type of its kind (storage/outbox_test.go holds every body, of the
-- triggers and of the rows enqueued here, to it). The triggers build the
-- body from NEW directly: a trigger is compiled into every statement that
-- may fire it, and the journal prepares its statements on each call.
CREATE TABLE outbox (
    seq  INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT    NOT NULL, -- order, event, refund, print, audit, profile
    at   INTEGER NOT NULL, -- unix nanoseconds: when the change happened
    body TEXT    NOT NULL  -- JSON, the wire body of its kind
);

-- How far head office holds the outbox: acked is the upload cursor (every
-- entry up to it is at head office), uploaded_at the last answer from head
-- office, profile_version the last profile version from head office the
-- terminal applied (unix nanoseconds).
CREATE TABLE outbox_cursor (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    acked           INTEGER NOT NULL DEFAULT 0,
    uploaded_at     INTEGER NOT NULL DEFAULT 0,
    profile_version INTEGER NOT NULL DEFAULT 0
);
INSERT INTO outbox_cursor (id) VALUES (1);

-- When the cursor moved, one row per hour at most: every entry up to acked
-- was acked at or before at. Pruning reads it (entries acked long ago).
CREATE TABLE outbox_acks (
    since INTEGER PRIMARY KEY, -- when this row was started
    at    INTEGER NOT NULL,
    acked INTEGER NOT NULL
);

-- What the journal holds already goes first, oldest first within each kind:
-- the orders as they stand, then their refunds, events and print jobs, the
-- audit log and the profiles.
INSERT INTO outbox (kind, at, body)
    SELECT 'order', updated_at, json_object(
        'out_trade_no', out_trade_no, 'tid', tid, 'provider', provider, 'method', method, 'mode', mode,
        'amount_minor', amount_minor, 'currency', currency, 'refunded_minor', refunded_minor, 'state', state,
        'provider_ref', provider_ref, 'auth_code_masked', auth_code_masked, 'reason', reason,
        'created_at', created_at, 'updated_at', updated_at)
    FROM orders ORDER BY id;
INSERT INTO outbox (kind, at, body)
    SELECT 'refund', updated_at, json_object(
        'refund_no', refund_no, 'out_trade_no', (SELECT o.out_trade_no FROM orders o WHERE o.id = order_id),
        'amount_minor', amount_minor, 'currency', currency, 'state', state, 'provider_ref', provider_ref,
        'reason', reason, 'created_at', created_at, 'updated_at', updated_at)
    FROM refunds ORDER BY id;
INSERT INTO outbox (kind, at, body)
    SELECT 'event', at, json_object(
        'id', id, 'out_trade_no', (SELECT o.out_trade_no FROM orders o WHERE o.id = order_id),
        'at', at, 'kind', kind, 'state_from', state_from, 'state_to', state_to, 'detail', detail)
    FROM order_events ORDER BY id;
-- A print job goes without its payload: the receipt stays on the terminal.
INSERT INTO outbox (kind, at, body)
    SELECT 'print', max(created_at, printed_at), json_object(
        'id', id, 'out_trade_no', coalesce((SELECT o.out_trade_no FROM orders o WHERE o.id = order_id), ''),
        'kind', kind, 'state', state, 'attempts', attempts, 'last_error', last_error,
        'created_at', created_at, 'printed_at', printed_at)
    FROM print_queue ORDER BY id;
INSERT INTO outbox (kind, at, body)
    SELECT 'audit', at, json_object('id', id, 'at', at, 'tid', tid, 'actor', actor, 'action', action, 'detail', detail)
    FROM audit_log ORDER BY id;
-- The settings are embedded as JSON (the engine writes JSON; anything else
-- goes as a string rather than refuse the write).
INSERT INTO outbox (kind, at, body)
    SELECT 'profile', updated_at, json_object('tid', tid,
        'settings', CASE WHEN json_valid(settings) THEN json(settings) ELSE json_quote(settings) END,
        'updated_at', updated_at)
    FROM profiles ORDER BY tid;

CREATE TRIGGER outbox_order_insert AFTER INSERT ON orders
BEGIN
    INSERT INTO outbox (kind, at, body) VALUES ('order', NEW.updated_at, json_object(
        'out_trade_no', NEW.out_trade_no, 'tid', NEW.tid, 'provider', NEW.provider, 'method', NEW.method, 'mode', NEW.mode,
        'amount_minor', NEW.amount_minor, 'currency', NEW.currency, 'refunded_minor', NEW.refunded_minor, 'state', NEW.state,
        'provider_ref', NEW.provider_ref, 'auth_code_masked', NEW.auth_code_masked, 'reason', NEW.reason,
        'created_at', NEW.created_at, 'updated_at', NEW.updated_at));
END;

-- Only a change head office sees: not the receipt mark, settled or the QR.
CREATE TRIGGER outbox_order_update AFTER UPDATE ON orders
WHEN OLD.out_trade_no IS NOT NEW.out_trade_no OR OLD.tid IS NOT NEW.tid OR OLD.provider IS NOT NEW.provider
  OR OLD.method IS NOT NEW.method OR OLD.mode IS NOT NEW.mode OR OLD.amount_minor IS NOT NEW.amount_minor
  OR OLD.currency IS NOT NEW.currency OR OLD.refunded_minor IS NOT NEW.refunded_minor OR OLD.state IS NOT NEW.state
  OR OLD.provider_ref IS NOT NEW.provider_ref OR OLD.auth_code_masked IS NOT NEW.auth_code_masked
  OR OLD.reason IS NOT NEW.reason OR OLD.created_at IS NOT NEW.created_at OR OLD.updated_at IS NOT NEW.updated_at
BEGIN
    INSERT INTO outbox (kind, at, body) VALUES ('order', NEW.updated_at, json_object(
        'out_trade_no', NEW.out_trade_no, 'tid', NEW.tid, 'provider', NEW.provider, 'method', NEW.method, 'mode', NEW.mode,
        'amount_minor', NEW.amount_minor, 'currency', NEW.currency, 'refunded_minor', NEW.refunded_minor, 'state', NEW.state,
        'provider_ref', NEW.provider_ref, 'auth_code_masked', NEW.auth_code_masked, 'reason', NEW.reason,
        'created_at', NEW.created_at, 'updated_at', NEW.updated_at));
END;

CREATE TRIGGER outbox_event_insert AFTER INSERT ON order_events
BEGIN
    INSERT INTO outbox (kind, at, body) VALUES ('event', NEW.at, json_object(
        'id', NEW.id, 'out_trade_no', (SELECT o.out_trade_no FROM orders o WHERE o.id = NEW.order_id),
        'at', NEW.at, 'kind', NEW.kind, 'state_from', NEW.state_from, 'state_to', NEW.state_to, 'detail', NEW.detail));
END;

CREATE TRIGGER outbox_refund_insert AFTER INSERT ON refunds
BEGIN
    INSERT INTO outbox (kind, at, body) VALUES ('refund', NEW.updated_at, json_object(
        'refund_no', NEW.refund_no, 'out_trade_no', (SELECT o.out_trade_no FROM orders o WHERE o.id = NEW.order_id),
        'amount_minor', NEW.amount_minor, 'currency', NEW.currency, 'state', NEW.state, 'provider_ref', NEW.provider_ref,
        'reason', NEW.reason, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at));
END;

-- Not the receipt mark.
CREATE TRIGGER outbox_refund_update AFTER UPDATE ON refunds
WHEN OLD.refund_no IS NOT NEW.refund_no OR OLD.order_id IS NOT NEW.order_id OR OLD.amount_minor IS NOT NEW.amount_minor
  OR OLD.currency IS NOT NEW.currency OR OLD.state IS NOT NEW.state OR OLD.provider_ref IS NOT NEW.provider_ref
  OR OLD.reason IS NOT NEW.reason OR OLD.created_at IS NOT NEW.created_at OR OLD.updated_at IS NOT NEW.updated_at
BEGIN
    INSERT INTO outbox (kind, at, body) VALUES ('refund', NEW.updated_at, json_object(
        'refund_no', NEW.refund_no, 'out_trade_no', (SELECT o.out_trade_no FROM orders o WHERE o.id = NEW.order_id),
        'amount_minor', NEW.amount_minor, 'currency', NEW.currency, 'state', NEW.state, 'provider_ref', NEW.provider_ref,
        'reason', NEW.reason, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at));
END;

CREATE TRIGGER outbox_print_insert AFTER INSERT ON print_queue
BEGIN
    INSERT INTO outbox (kind, at, body) VALUES ('print', max(NEW.created_at, NEW.printed_at), json_object(
        'id', NEW.id, 'out_trade_no', coalesce((SELECT o.out_trade_no FROM orders o WHERE o.id = NEW.order_id), ''),
        'kind', NEW.kind, 'state', NEW.state, 'attempts', NEW.attempts, 'last_error', NEW.last_error,
        'created_at', NEW.created_at, 'printed_at', NEW.printed_at));
END;

-- Not the refund_no the receipt is paired with. A failed attempt records
-- no time of its own: its entry takes SQLite's clock (milliseconds).
CREATE TRIGGER outbox_print_update AFTER UPDATE ON print_queue
WHEN OLD.order_id IS NOT NEW.order_id OR OLD.kind IS NOT NEW.kind OR OLD.state IS NOT NEW.state
  OR OLD.attempts IS NOT NEW.attempts OR OLD.last_error IS NOT NEW.last_error
  OR OLD.created_at IS NOT NEW.created_at OR OLD.printed_at IS NOT NEW.printed_at
BEGIN
    INSERT INTO outbox (kind, at, body) VALUES ('print',
        CASE WHEN NEW.printed_at IS NOT OLD.printed_at THEN NEW.printed_at
             ELSE CAST(unixepoch('subsec') * 1000 AS INTEGER) * 1000000 END,
        json_object(
        'id', NEW.id, 'out_trade_no', coalesce((SELECT o.out_trade_no FROM orders o WHERE o.id = NEW.order_id), ''),
        'kind', NEW.kind, 'state', NEW.state, 'attempts', NEW.attempts, 'last_error', NEW.last_error,
        'created_at', NEW.created_at, 'printed_at', NEW.printed_at));
END;

CREATE TRIGGER outbox_audit_insert AFTER INSERT ON audit_log
BEGIN
    INSERT INTO outbox (kind, at, body) VALUES ('audit', NEW.at, json_object('id', NEW.id, 'at', NEW.at, 'tid', NEW.tid, 'actor', NEW.actor, 'action', NEW.action, 'detail', NEW.detail));
END;

CREATE TRIGGER outbox_profile_insert AFTER INSERT ON profiles
BEGIN
    INSERT INTO outbox (kind, at, body) VALUES ('profile', NEW.updated_at, json_object('tid', NEW.tid,
        'settings', CASE WHEN json_valid(NEW.settings) THEN json(NEW.settings) ELSE json_quote(NEW.settings) END,
        'updated_at', NEW.updated_at));
END;

CREATE TRIGGER outbox_profile_update AFTER UPDATE ON profiles
WHEN OLD.tid IS NOT NEW.tid OR OLD.settings IS NOT NEW.settings OR OLD.updated_at IS NOT NEW.updated_at
BEGIN
    INSERT INTO outbox (kind, at, body) VALUES ('profile', NEW.updated_at, json_object('tid', NEW.tid,
        'settings', CASE WHEN json_valid(NEW.settings) THEN json(NEW.settings) ELSE json_quote(NEW.settings) END,
        'updated_at', NEW.updated_at));
END;
