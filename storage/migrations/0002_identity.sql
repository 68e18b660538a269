-- Identity, receipts that belong to their refund, and what recovery needs
-- to find a receipt a crash lost.

-- meta holds facts about the journal itself; 'journal_id' (16 random bytes,
-- hex) is written by the program in the same transaction as this migration.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The refund a refund receipt belongs to ('' for every other kind).
ALTER TABLE print_queue ADD COLUMN refund_no TEXT NOT NULL DEFAULT '';

-- Refund receipts queued before this column existed name no refund: pair
-- the k-th refund receipt of an order with the k-th refund of that order
-- that became done.
UPDATE print_queue SET refund_no = coalesce((
    SELECT d.refund_no FROM (
        SELECT r.refund_no, r.order_id,
               row_number() OVER (PARTITION BY r.order_id ORDER BY r.updated_at, r.id) AS n
        FROM refunds r WHERE r.state = 'done') d
    WHERE d.order_id = print_queue.order_id
      AND d.n = (SELECT count(*) FROM print_queue p
                 WHERE p.order_id = print_queue.order_id AND p.kind = 'refund' AND p.id <= print_queue.id)), '')
WHERE kind = 'refund' AND order_id IS NOT NULL;

-- Whether a receipt was ever queued for a sale or a refund. Kept by the
-- triggers below (print jobs are never deleted), so that recovery finds the
-- receipts a crash lost through a small partial index instead of reading
-- every order of the journal.
ALTER TABLE orders ADD COLUMN sale_receipt INTEGER NOT NULL DEFAULT 0;
ALTER TABLE refunds ADD COLUMN receipt INTEGER NOT NULL DEFAULT 0;

UPDATE orders SET sale_receipt = 1
WHERE id IN (SELECT order_id FROM print_queue WHERE kind = 'sale' AND order_id IS NOT NULL);
UPDATE refunds SET receipt = 1
WHERE refund_no IN (SELECT refund_no FROM print_queue WHERE kind = 'refund' AND refund_no != '');

CREATE TRIGGER print_queue_sale_receipt AFTER INSERT ON print_queue
WHEN NEW.kind = 'sale' AND NEW.order_id IS NOT NULL
BEGIN
    UPDATE orders SET sale_receipt = 1 WHERE id = NEW.order_id;
END;

CREATE TRIGGER print_queue_refund_receipt AFTER INSERT ON print_queue
WHEN NEW.kind = 'refund' AND NEW.refund_no != ''
BEGIN
    UPDATE refunds SET receipt = 1 WHERE refund_no = NEW.refund_no;
END;

-- The queries of MissingReceipts repeat these WHERE clauses word for word.
CREATE INDEX orders_missing_receipt ON orders (id)
WHERE sale_receipt = 0 AND state IN ('paid', 'partly_refunded', 'refunded');
CREATE INDEX refunds_missing_receipt ON refunds (id)
WHERE receipt = 0 AND state = 'done';
