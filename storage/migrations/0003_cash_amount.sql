-- What a customer paying in another currency actually paid (QFPay cash_fee,
-- cash_fee_type and exchange_rate: a mainland wallet paying a Hong Kong
-- merchant), as the provider's record says it.
ALTER TABLE orders ADD COLUMN cash_minor    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN cash_currency TEXT    NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN exchange_rate TEXT    NOT NULL DEFAULT '';
