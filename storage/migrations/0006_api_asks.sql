-- Charges a till left to the cashier: it named no method (the cashier
-- chooses how the customer pays) or asked for any wallet's code (the
-- cashier scans it). The till follows such a charge by its ask_id from the
-- start; the key is bound (charge_id) once the cashier's choice has made
-- the order. ask_state: 'waiting' for the cashier; 'charging' from just
-- before the order is journalled (the reservation's time is renewed then,
-- so that Journal.RecoverReservation finds the order after a crash);
-- 'declined' (the cashier), 'withdrawn' (the till cancelled), 'expired'
-- (nobody chose in time, or the terminal stopped first) when it ended
-- without a sale. Other keys have ask_id '' and ask_state ''.
ALTER TABLE api_charges ADD COLUMN ask_id TEXT NOT NULL DEFAULT '';
ALTER TABLE api_charges ADD COLUMN ask_state TEXT NOT NULL DEFAULT '';
ALTER TABLE api_charges ADD COLUMN amount_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_charges ADD COLUMN currency TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX api_charges_ask ON api_charges (ask_id) WHERE ask_id != '';
