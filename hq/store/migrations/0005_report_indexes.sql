-- Indexes for a chain's size (measured by `make hq-scale`: 1,000 terminals,
-- 500 sales a day each, a month of history).
--
-- A day's report reads every order of the day: with the columns it adds up
-- in the index, PostgreSQL answers it from the index alone (an index-only
-- scan once vacuum has visited the table) instead of one heap page visit
-- per order. It also serves the day's lists, so the plain index goes.
CREATE INDEX orders_day ON orders (created_at) INCLUDE (store, tid, provider, method, currency, amount_minor, state);
DROP INDEX orders_created;

-- The report's refunds are those confirmed in the period.
CREATE INDEX refunds_done ON refunds (updated_at) WHERE state = 'done';
