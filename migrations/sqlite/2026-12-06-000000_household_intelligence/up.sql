-- Household intelligence: the purchase ledger behind budgets and receipts, notices that may
-- exist only once, and threads the scheduler writes to. Keep logically identical to
-- migrations/postgres/<same name>/up.sql.

-- Every priced addition is a purchase: its line total, where and when it was bought, its
-- category then and the receipt it came from. Budgets sum these rows rather than items, so a
-- later merge, edit or deletion of the item never rewrites past spending.
ALTER TABLE usage_events ADD COLUMN price_minor BIGINT
    CONSTRAINT usage_events_price_minor_check CHECK (price_minor >= 0);
ALTER TABLE usage_events ADD COLUMN store TEXT;
ALTER TABLE usage_events ADD COLUMN category TEXT;
ALTER TABLE usage_events ADD COLUMN receipt_id TEXT;
ALTER TABLE usage_events ADD COLUMN spent_at TIMESTAMP;
-- Spend in a window (budget) and the lines of one receipt.
CREATE INDEX usage_events_home_id_spent_at_idx ON usage_events (home_id, spent_at);
CREATE INDEX usage_events_receipt_id_idx ON usage_events (receipt_id);

-- A notice that must exist at most once per home (an item's expiry, a week's digest): the
-- unique index makes a second insert fail however many replicas try, and a read notice is
-- never re-created because the row itself stays. NULLs are distinct: other rows never clash.
ALTER TABLE notifications ADD COLUMN once_key TEXT;
-- What an action on the notice needs (JSON: the item's name and id for "add to list"), so
-- nothing is ever parsed back out of the title.
ALTER TABLE notifications ADD COLUMN data TEXT;
CREATE UNIQUE INDEX notifications_home_id_once_key_key ON notifications (home_id, once_key);

-- A thread with a purpose ('sunday_sync') is found by it, not by a title members may rename.
ALTER TABLE chat_threads ADD COLUMN purpose TEXT;
CREATE UNIQUE INDEX chat_threads_home_id_purpose_key ON chat_threads (home_id, purpose);
