-- Tokens each Pixie turn used, charged to a home (and the member who asked), for budgets and
-- usage reports. Keep logically identical to migrations/sqlite/<same name>/up.sql.
-- The row outlives its thread and its user (both SET NULL): usage already spent still counts.
CREATE TABLE chat_usage (
    id                TEXT         NOT NULL,
    home_id           TEXT         NOT NULL,
    thread_id         TEXT,
    user_id           TEXT,
    model             TEXT         NOT NULL,
    prompt_tokens     BIGINT       NOT NULL,
    completion_tokens BIGINT       NOT NULL,
    created_at        TIMESTAMP(3) NOT NULL,
    CONSTRAINT chat_usage_pkey PRIMARY KEY (id),
    CONSTRAINT chat_usage_home_id_fkey FOREIGN KEY (home_id) REFERENCES homes (id) ON DELETE CASCADE,
    CONSTRAINT chat_usage_thread_id_fkey FOREIGN KEY (thread_id) REFERENCES chat_threads (id) ON DELETE SET NULL,
    CONSTRAINT chat_usage_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT chat_usage_prompt_tokens_check CHECK (prompt_tokens >= 0),
    CONSTRAINT chat_usage_completion_tokens_check CHECK (completion_tokens >= 0)
);
-- A home's usage since some moment (usage_since).
CREATE INDEX chat_usage_home_id_created_at_idx ON chat_usage (home_id, created_at);
-- Deleting a thread or a user sets their references here to NULL.
CREATE INDEX chat_usage_thread_id_idx ON chat_usage (thread_id);
CREATE INDEX chat_usage_user_id_idx ON chat_usage (user_id);
