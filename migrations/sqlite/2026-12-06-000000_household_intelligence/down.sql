-- Reverse of up.sql.
DROP INDEX chat_threads_home_id_purpose_key;
ALTER TABLE chat_threads DROP COLUMN purpose;
DROP INDEX notifications_home_id_once_key_key;
ALTER TABLE notifications DROP COLUMN data;
ALTER TABLE notifications DROP COLUMN once_key;
DROP INDEX usage_events_receipt_id_idx;
DROP INDEX usage_events_home_id_spent_at_idx;
ALTER TABLE usage_events DROP COLUMN spent_at;
ALTER TABLE usage_events DROP COLUMN receipt_id;
ALTER TABLE usage_events DROP COLUMN category;
ALTER TABLE usage_events DROP COLUMN store;
ALTER TABLE usage_events DROP COLUMN price_minor;
