-- Reverse of up.sql: break the users <-> homes cycle, then drop children before parents.
ALTER TABLE users DROP CONSTRAINT users_active_home_id_fkey;
DROP TABLE job_claims;
DROP TABLE idempotency_keys;
DROP TABLE refresh_tokens;
DROP TABLE home_events;
DROP TABLE usage_events;
DROP TABLE notification_reads;
DROP TABLE notifications;
DROP TABLE chat_messages;
DROP TABLE chat_threads;
DROP TABLE list_items;
DROP TABLE grocery_lists;
DROP TABLE items;
DROP TABLE receipts;
DROP TABLE invites;
DROP TABLE memberships;
DROP TABLE homes;
DROP TABLE users;
