-- Pantry Pixie initial schema (SQLite).
--
-- Keep this file and migrations/postgres/<same name>/up.sql logically identical: same tables,
-- columns (in the same order), defaults, constraint and index names. Differences are only
-- where the dialects differ:
--   timestamps     TIMESTAMP (diesel stores naive UTC text; PostgreSQL: TIMESTAMP(3))
--   booleans       INTEGER 0/1 with a CHECK (PostgreSQL: BOOLEAN); diesel's Bool maps both
--   users.active_home_id references homes before homes exists: SQLite resolves foreign keys
--   when rows are written, so the constraint is declared inline (PostgreSQL adds it by ALTER)
-- Conventions shared with PostgreSQL:
--   ids            TEXT, app-generated UUIDv7
--   timestamps     always written by the application (no DEFAULT CURRENT_TIMESTAMP)
--   money          BIGINT minor units (*_minor); quantities BIGINT thousandths (quantity_milli)
--   JSON           TEXT
-- Enumerations that the domain treats as closed sets are CHECK constraints; open-ended labels
-- (notification type, usage action, recurring interval) are validated by the domain only, so
-- adding a value needs no table rebuild here.

CREATE TABLE users (
    id                       TEXT         NOT NULL,
    email                    TEXT         NOT NULL,
    email_normalized         TEXT         NOT NULL,
    name                     TEXT         NOT NULL,
    password_hash            TEXT         NOT NULL,
    -- Bumped to invalidate every access token issued before (logout everywhere, password change).
    session_epoch            BIGINT       NOT NULL DEFAULT 0,
    dietary_restrictions     TEXT         NOT NULL DEFAULT '[]',
    cooking_skill_level      TEXT,
    budget_consciousness     TEXT,
    muted_notification_types TEXT         NOT NULL DEFAULT '[]',
    active_home_id           TEXT,
    created_at               TIMESTAMP    NOT NULL,
    updated_at               TIMESTAMP    NOT NULL,
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_active_home_id_fkey
        FOREIGN KEY (active_home_id) REFERENCES homes (id) ON DELETE SET NULL,
    CONSTRAINT users_email_normalized_key UNIQUE (email_normalized),
    CONSTRAINT users_session_epoch_check CHECK (session_epoch >= 0),
    CONSTRAINT users_cooking_skill_level_check
        CHECK (cooking_skill_level IN ('beginner', 'intermediate', 'advanced')),
    CONSTRAINT users_budget_consciousness_check
        CHECK (budget_consciousness IN ('low', 'medium', 'high'))
);

CREATE TABLE homes (
    id                          TEXT         NOT NULL,
    name                        TEXT         NOT NULL,
    description                 TEXT,
    -- RESTRICT: a user who owns homes must hand them over or delete them first.
    owner_id                    TEXT         NOT NULL,
    timezone                    TEXT         NOT NULL DEFAULT 'UTC',
    currency                    TEXT         NOT NULL DEFAULT 'USD',
    monthly_budget_minor        BIGINT,
    household_size              INTEGER,
    shared_dietary_restrictions TEXT         NOT NULL DEFAULT '[]',
    -- The change-log counter: incremented (row-locked) by every append to home_events.
    last_seq                    BIGINT       NOT NULL DEFAULT 0,
    version                     BIGINT       NOT NULL DEFAULT 1,
    created_at                  TIMESTAMP    NOT NULL,
    updated_at                  TIMESTAMP    NOT NULL,
    CONSTRAINT homes_pkey PRIMARY KEY (id),
    CONSTRAINT homes_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES users (id) ON DELETE RESTRICT,
    CONSTRAINT homes_currency_check CHECK (length(currency) = 3),
    CONSTRAINT homes_monthly_budget_minor_check CHECK (monthly_budget_minor >= 0),
    CONSTRAINT homes_household_size_check CHECK (household_size >= 1),
    CONSTRAINT homes_last_seq_check CHECK (last_seq >= 0),
    CONSTRAINT homes_version_check CHECK (version >= 1)
);
CREATE INDEX homes_owner_id_idx ON homes (owner_id);

CREATE INDEX users_active_home_id_idx ON users (active_home_id);

CREATE TABLE memberships (
    id        TEXT         NOT NULL,
    home_id   TEXT         NOT NULL,
    user_id   TEXT         NOT NULL,
    role      TEXT         NOT NULL,
    joined_at TIMESTAMP    NOT NULL,
    CONSTRAINT memberships_pkey PRIMARY KEY (id),
    CONSTRAINT memberships_home_id_fkey FOREIGN KEY (home_id) REFERENCES homes (id) ON DELETE CASCADE,
    CONSTRAINT memberships_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT memberships_home_user_key UNIQUE (home_id, user_id),
    CONSTRAINT memberships_role_check CHECK (role IN ('owner', 'admin', 'member', 'viewer'))
);
CREATE INDEX memberships_user_id_idx ON memberships (user_id);

CREATE TABLE invites (
    id         TEXT         NOT NULL,
    home_id    TEXT         NOT NULL,
    inviter_id TEXT         NOT NULL,
    -- Only a hash of the code is stored; the code itself is shown once.
    code_hash  TEXT         NOT NULL,
    -- The role a redeemer joins with.
    role       TEXT         NOT NULL DEFAULT 'member',
    max_uses   INTEGER,
    uses       INTEGER      NOT NULL DEFAULT 0,
    expires_at TIMESTAMP    NOT NULL,
    revoked_at TIMESTAMP   ,
    created_at TIMESTAMP    NOT NULL,
    CONSTRAINT invites_pkey PRIMARY KEY (id),
    CONSTRAINT invites_home_id_fkey FOREIGN KEY (home_id) REFERENCES homes (id) ON DELETE CASCADE,
    CONSTRAINT invites_inviter_id_fkey FOREIGN KEY (inviter_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT invites_code_hash_key UNIQUE (code_hash),
    CONSTRAINT invites_role_check CHECK (role IN ('admin', 'member', 'viewer')),
    CONSTRAINT invites_max_uses_check CHECK (max_uses >= 1),
    CONSTRAINT invites_uses_check CHECK (uses >= 0)
);
CREATE INDEX invites_home_id_idx ON invites (home_id);
CREATE INDEX invites_inviter_id_idx ON invites (inviter_id);

CREATE TABLE receipts (
    id           TEXT         NOT NULL,
    home_id      TEXT         NOT NULL,
    merchant     TEXT,
    purchased_at TIMESTAMP   ,
    currency     TEXT         NOT NULL,
    total_minor  BIGINT,
    item_count   INTEGER      NOT NULL DEFAULT 0,
    scanned_by   TEXT,
    created_at   TIMESTAMP    NOT NULL,
    CONSTRAINT receipts_pkey PRIMARY KEY (id),
    CONSTRAINT receipts_home_id_fkey FOREIGN KEY (home_id) REFERENCES homes (id) ON DELETE CASCADE,
    CONSTRAINT receipts_scanned_by_fkey FOREIGN KEY (scanned_by) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT receipts_total_minor_check CHECK (total_minor >= 0),
    CONSTRAINT receipts_item_count_check CHECK (item_count >= 0)
);
CREATE INDEX receipts_home_id_purchased_at_idx ON receipts (home_id, purchased_at);
CREATE INDEX receipts_scanned_by_idx ON receipts (scanned_by);

CREATE TABLE items (
    id                      TEXT         NOT NULL,
    home_id                 TEXT         NOT NULL,
    name                    TEXT         NOT NULL,
    -- Lower-cased, trimmed name: duplicate detection and usage history lookups.
    name_normalized         TEXT         NOT NULL,
    description             TEXT,
    category                TEXT         NOT NULL DEFAULT 'other',
    quantity_milli          BIGINT       NOT NULL DEFAULT 1000,
    unit                    TEXT         NOT NULL DEFAULT 'piece',
    location                TEXT,
    expires_at              TIMESTAMP   ,
    is_checked              INTEGER      NOT NULL DEFAULT 0,
    is_recurring            INTEGER      NOT NULL DEFAULT 0,
    recurring_interval      TEXT,
    recurring_last_added_at TIMESTAMP   ,
    price_minor             BIGINT,
    store                   TEXT,
    notes                   TEXT,
    receipt_id              TEXT,
    added_by                TEXT,
    -- Id chosen by an offline client, so a replayed create is recognised.
    client_id               TEXT,
    version                 BIGINT       NOT NULL DEFAULT 1,
    date_added              TIMESTAMP    NOT NULL,
    last_updated            TIMESTAMP    NOT NULL,
    CONSTRAINT items_pkey PRIMARY KEY (id),
    CONSTRAINT items_home_id_fkey FOREIGN KEY (home_id) REFERENCES homes (id) ON DELETE CASCADE,
    CONSTRAINT items_receipt_id_fkey FOREIGN KEY (receipt_id) REFERENCES receipts (id) ON DELETE SET NULL,
    CONSTRAINT items_added_by_fkey FOREIGN KEY (added_by) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT items_is_checked_check CHECK (is_checked IN (0, 1)),
    CONSTRAINT items_is_recurring_check CHECK (is_recurring IN (0, 1)),
    CONSTRAINT items_quantity_milli_check CHECK (quantity_milli >= 0),
    CONSTRAINT items_price_minor_check CHECK (price_minor >= 0),
    CONSTRAINT items_version_check CHECK (version >= 1)
);
CREATE INDEX items_home_id_name_normalized_idx ON items (home_id, name_normalized);
CREATE INDEX items_home_id_expires_at_idx ON items (home_id, expires_at);
-- NULLs are distinct in unique indexes on both backends: rows without a client id never clash.
CREATE UNIQUE INDEX items_home_id_client_id_key ON items (home_id, client_id);
CREATE INDEX items_receipt_id_idx ON items (receipt_id);
CREATE INDEX items_added_by_idx ON items (added_by);

CREATE TABLE grocery_lists (
    id                    TEXT         NOT NULL,
    home_id               TEXT         NOT NULL,
    name                  TEXT         NOT NULL,
    description           TEXT,
    is_active             INTEGER      NOT NULL DEFAULT 1,
    is_default            INTEGER      NOT NULL DEFAULT 0,
    completed_at          TIMESTAMP   ,
    total_budget_minor    BIGINT,
    estimated_cost_minor  BIGINT,
    recurring_schedule    TEXT,
    schedule_day_of_week  INTEGER,
    schedule_day_of_month INTEGER,
    next_reset_at         TIMESTAMP   ,
    last_reset_at         TIMESTAMP   ,
    round_number          INTEGER      NOT NULL DEFAULT 0,
    position              INTEGER      NOT NULL DEFAULT 0,
    version               BIGINT       NOT NULL DEFAULT 1,
    created_at            TIMESTAMP    NOT NULL,
    updated_at            TIMESTAMP    NOT NULL,
    CONSTRAINT grocery_lists_pkey PRIMARY KEY (id),
    CONSTRAINT grocery_lists_home_id_fkey FOREIGN KEY (home_id) REFERENCES homes (id) ON DELETE CASCADE,
    CONSTRAINT grocery_lists_is_active_check CHECK (is_active IN (0, 1)),
    CONSTRAINT grocery_lists_is_default_check CHECK (is_default IN (0, 1)),
    CONSTRAINT grocery_lists_total_budget_minor_check CHECK (total_budget_minor >= 0),
    CONSTRAINT grocery_lists_estimated_cost_minor_check CHECK (estimated_cost_minor >= 0),
    CONSTRAINT grocery_lists_recurring_schedule_check
        CHECK (recurring_schedule IN ('weekly', 'biweekly', 'monthly')),
    CONSTRAINT grocery_lists_schedule_day_of_week_check
        CHECK (schedule_day_of_week BETWEEN 0 AND 6),
    CONSTRAINT grocery_lists_schedule_day_of_month_check
        CHECK (schedule_day_of_month BETWEEN 1 AND 31),
    CONSTRAINT grocery_lists_round_number_check CHECK (round_number >= 0),
    CONSTRAINT grocery_lists_version_check CHECK (version >= 1)
);
CREATE INDEX grocery_lists_home_id_position_idx ON grocery_lists (home_id, position);
-- At most one default ("Quick Items") list per home; two concurrent creators cannot both win.
CREATE UNIQUE INDEX grocery_lists_one_default_per_home ON grocery_lists (home_id) WHERE is_default = 1;
-- The scheduler scans lists whose reset is due.
CREATE INDEX grocery_lists_next_reset_at_idx ON grocery_lists (next_reset_at)
    WHERE next_reset_at IS NOT NULL;

CREATE TABLE list_items (
    id                    TEXT         NOT NULL,
    list_id               TEXT         NOT NULL,
    item_id               TEXT         NOT NULL,
    quantity_milli        BIGINT       NOT NULL DEFAULT 1000,
    is_completed          INTEGER      NOT NULL DEFAULT 0,
    completed_at          TIMESTAMP   ,
    notes                 TEXT,
    estimated_price_minor BIGINT,
    position              INTEGER      NOT NULL DEFAULT 0,
    added_by              TEXT,
    version               BIGINT       NOT NULL DEFAULT 1,
    added_at              TIMESTAMP    NOT NULL,
    updated_at            TIMESTAMP    NOT NULL,
    CONSTRAINT list_items_pkey PRIMARY KEY (id),
    CONSTRAINT list_items_list_id_fkey FOREIGN KEY (list_id) REFERENCES grocery_lists (id) ON DELETE CASCADE,
    CONSTRAINT list_items_item_id_fkey FOREIGN KEY (item_id) REFERENCES items (id) ON DELETE CASCADE,
    CONSTRAINT list_items_added_by_fkey FOREIGN KEY (added_by) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT list_items_is_completed_check CHECK (is_completed IN (0, 1)),
    CONSTRAINT list_items_quantity_milli_check CHECK (quantity_milli >= 0),
    CONSTRAINT list_items_estimated_price_minor_check CHECK (estimated_price_minor >= 0),
    CONSTRAINT list_items_version_check CHECK (version >= 1)
);
CREATE INDEX list_items_list_id_position_idx ON list_items (list_id, position);
CREATE INDEX list_items_item_id_idx ON list_items (item_id);
CREATE INDEX list_items_added_by_idx ON list_items (added_by);

CREATE TABLE chat_threads (
    id         TEXT         NOT NULL,
    home_id    TEXT         NOT NULL,
    title      TEXT,
    created_by TEXT,
    created_at TIMESTAMP    NOT NULL,
    updated_at TIMESTAMP    NOT NULL,
    CONSTRAINT chat_threads_pkey PRIMARY KEY (id),
    CONSTRAINT chat_threads_home_id_fkey FOREIGN KEY (home_id) REFERENCES homes (id) ON DELETE CASCADE,
    CONSTRAINT chat_threads_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX chat_threads_home_id_updated_at_idx ON chat_threads (home_id, updated_at);
CREATE INDEX chat_threads_created_by_idx ON chat_threads (created_by);

CREATE TABLE chat_messages (
    id         TEXT         NOT NULL,
    thread_id  TEXT         NOT NULL,
    user_id    TEXT,
    role       TEXT         NOT NULL,
    content    TEXT         NOT NULL,
    intent     TEXT,
    tool_calls TEXT,
    ui         TEXT,
    metadata   TEXT,
    created_at TIMESTAMP    NOT NULL,
    CONSTRAINT chat_messages_pkey PRIMARY KEY (id),
    CONSTRAINT chat_messages_thread_id_fkey FOREIGN KEY (thread_id) REFERENCES chat_threads (id) ON DELETE CASCADE,
    CONSTRAINT chat_messages_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT chat_messages_role_check CHECK (role IN ('user', 'assistant', 'system', 'tool'))
);
-- Messages of a thread in a stable order even within one millisecond (ids are UUIDv7).
CREATE INDEX chat_messages_thread_id_created_at_id_idx ON chat_messages (thread_id, created_at, id);
CREATE INDEX chat_messages_user_id_idx ON chat_messages (user_id);

CREATE TABLE notifications (
    id         TEXT         NOT NULL,
    home_id    TEXT         NOT NULL,
    -- NULL: addressed to the whole household.
    user_id    TEXT,
    type       TEXT         NOT NULL,
    title      TEXT         NOT NULL,
    body       TEXT,
    ref_id     TEXT,
    -- Repeats with the same key are coalesced into one row (count + 1).
    dedupe_key TEXT,
    count      INTEGER      NOT NULL DEFAULT 1,
    created_at TIMESTAMP    NOT NULL,
    updated_at TIMESTAMP    NOT NULL,
    CONSTRAINT notifications_pkey PRIMARY KEY (id),
    CONSTRAINT notifications_home_id_fkey FOREIGN KEY (home_id) REFERENCES homes (id) ON DELETE CASCADE,
    CONSTRAINT notifications_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT notifications_count_check CHECK (count >= 1)
);
CREATE INDEX notifications_home_id_updated_at_idx ON notifications (home_id, updated_at);
CREATE INDEX notifications_home_id_dedupe_key_idx ON notifications (home_id, dedupe_key);
CREATE INDEX notifications_user_id_idx ON notifications (user_id);

-- Read state per reader, so a household-wide notification is read or unread for each member.
CREATE TABLE notification_reads (
    notification_id TEXT         NOT NULL,
    user_id         TEXT         NOT NULL,
    read_at         TIMESTAMP    NOT NULL,
    CONSTRAINT notification_reads_pkey PRIMARY KEY (notification_id, user_id),
    CONSTRAINT notification_reads_notification_id_fkey
        FOREIGN KEY (notification_id) REFERENCES notifications (id) ON DELETE CASCADE,
    CONSTRAINT notification_reads_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX notification_reads_user_id_idx ON notification_reads (user_id);

CREATE TABLE usage_events (
    id                   TEXT         NOT NULL,
    home_id              TEXT         NOT NULL,
    -- No foreign key: the history (and the predictions built on it) outlives the item.
    item_id              TEXT,
    item_name            TEXT         NOT NULL,
    item_name_normalized TEXT         NOT NULL,
    actor_id             TEXT,
    action               TEXT         NOT NULL,
    quantity_milli       BIGINT,
    created_at           TIMESTAMP    NOT NULL,
    CONSTRAINT usage_events_pkey PRIMARY KEY (id),
    CONSTRAINT usage_events_home_id_fkey FOREIGN KEY (home_id) REFERENCES homes (id) ON DELETE CASCADE,
    CONSTRAINT usage_events_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX usage_events_home_id_item_name_normalized_created_at_idx
    ON usage_events (home_id, item_name_normalized, created_at);
CREATE INDEX usage_events_home_id_created_at_idx ON usage_events (home_id, created_at);
CREATE INDEX usage_events_actor_id_idx ON usage_events (actor_id);

-- The per-home change log. seq is gap-free per home, assigned from homes.last_seq.
CREATE TABLE home_events (
    home_id       TEXT         NOT NULL,
    seq           BIGINT       NOT NULL,
    kind          TEXT         NOT NULL,
    entity_id     TEXT,
    payload       TEXT         NOT NULL,
    actor_kind    TEXT         NOT NULL,
    -- No foreign key: attribution survives the user's deletion.
    actor_user_id TEXT,
    created_at    TIMESTAMP    NOT NULL,
    CONSTRAINT home_events_pkey PRIMARY KEY (home_id, seq),
    CONSTRAINT home_events_home_id_fkey FOREIGN KEY (home_id) REFERENCES homes (id) ON DELETE CASCADE,
    CONSTRAINT home_events_seq_check CHECK (seq >= 1),
    CONSTRAINT home_events_actor_kind_check CHECK (actor_kind IN ('user', 'pixie', 'system'))
);

CREATE TABLE refresh_tokens (
    id           TEXT         NOT NULL,
    user_id      TEXT         NOT NULL,
    -- All tokens descended from one login; reuse of a rotated token revokes the family.
    family_id    TEXT         NOT NULL,
    token_hash   TEXT         NOT NULL,
    issued_at    TIMESTAMP    NOT NULL,
    expires_at   TIMESTAMP    NOT NULL,
    used_at      TIMESTAMP   ,
    revoked_at   TIMESTAMP   ,
    replaced_by  TEXT,
    user_agent   TEXT,
    last_used_at TIMESTAMP   ,
    CONSTRAINT refresh_tokens_pkey PRIMARY KEY (id),
    CONSTRAINT refresh_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX refresh_tokens_family_id_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_id_idx ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_expires_at_idx ON refresh_tokens (expires_at);

-- Stored responses of mutations sent with an Idempotency-Key, replayed on retry.
CREATE TABLE idempotency_keys (
    user_id       TEXT         NOT NULL,
    "key"         TEXT         NOT NULL,
    method        TEXT         NOT NULL,
    path          TEXT         NOT NULL,
    request_hash  TEXT         NOT NULL,
    status_code   INTEGER      NOT NULL,
    response_body TEXT         NOT NULL,
    created_at    TIMESTAMP    NOT NULL,
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (user_id, "key"),
    CONSTRAINT idempotency_keys_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);

-- Scheduled work that must run once across replicas: inserting the claim row wins the window.
CREATE TABLE job_claims (
    job          TEXT         NOT NULL,
    scope_key    TEXT         NOT NULL,
    window_key   TEXT         NOT NULL,
    claimed_by   TEXT         NOT NULL,
    claimed_at   TIMESTAMP    NOT NULL,
    completed_at TIMESTAMP   ,
    CONSTRAINT job_claims_pkey PRIMARY KEY (job, scope_key, window_key)
);
CREATE INDEX job_claims_claimed_at_idx ON job_claims (claimed_at);
