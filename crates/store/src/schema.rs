//! The one portable diesel schema for both backends, written by hand.
//!
//! `diesel print-schema` would emit backend-specific types (`Timestamptz`, `Bool` vs `Integer`),
//! so this file is kept in step with `migrations/postgres` and `migrations/sqlite` manually and
//! uses only SQL types that `MultiBackend` supports: `Text`, `BigInt`, `Integer`, `Bool`,
//! `Timestamp`. Ids are UUIDv7 strings, JSON documents are `Text`, timestamps are naive UTC.
//! The migration tests query every table through it, so a drift fails there.

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        email_normalized -> Text,
        name -> Text,
        password_hash -> Text,
        session_epoch -> BigInt,
        dietary_restrictions -> Text,
        cooking_skill_level -> Nullable<Text>,
        budget_consciousness -> Nullable<Text>,
        muted_notification_types -> Text,
        active_home_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    homes (id) {
        id -> Text,
        name -> Text,
        description -> Nullable<Text>,
        owner_id -> Text,
        timezone -> Text,
        currency -> Text,
        monthly_budget_minor -> Nullable<BigInt>,
        household_size -> Nullable<Integer>,
        shared_dietary_restrictions -> Text,
        last_seq -> BigInt,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    memberships (id) {
        id -> Text,
        home_id -> Text,
        user_id -> Text,
        role -> Text,
        joined_at -> Timestamp,
    }
}

diesel::table! {
    invites (id) {
        id -> Text,
        home_id -> Text,
        inviter_id -> Text,
        code_hash -> Text,
        role -> Text,
        max_uses -> Nullable<Integer>,
        uses -> Integer,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    receipts (id) {
        id -> Text,
        home_id -> Text,
        merchant -> Nullable<Text>,
        purchased_at -> Nullable<Timestamp>,
        currency -> Text,
        total_minor -> Nullable<BigInt>,
        item_count -> Integer,
        scanned_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    items (id) {
        id -> Text,
        home_id -> Text,
        name -> Text,
        name_normalized -> Text,
        description -> Nullable<Text>,
        category -> Text,
        quantity_milli -> BigInt,
        unit -> Text,
        location -> Nullable<Text>,
        expires_at -> Nullable<Timestamp>,
        is_checked -> Bool,
        is_recurring -> Bool,
        recurring_interval -> Nullable<Text>,
        recurring_last_added_at -> Nullable<Timestamp>,
        price_minor -> Nullable<BigInt>,
        store -> Nullable<Text>,
        notes -> Nullable<Text>,
        receipt_id -> Nullable<Text>,
        added_by -> Nullable<Text>,
        client_id -> Nullable<Text>,
        version -> BigInt,
        date_added -> Timestamp,
        last_updated -> Timestamp,
    }
}

diesel::table! {
    grocery_lists (id) {
        id -> Text,
        home_id -> Text,
        name -> Text,
        description -> Nullable<Text>,
        is_active -> Bool,
        is_default -> Bool,
        completed_at -> Nullable<Timestamp>,
        total_budget_minor -> Nullable<BigInt>,
        estimated_cost_minor -> Nullable<BigInt>,
        recurring_schedule -> Nullable<Text>,
        schedule_day_of_week -> Nullable<Integer>,
        schedule_day_of_month -> Nullable<Integer>,
        next_reset_at -> Nullable<Timestamp>,
        last_reset_at -> Nullable<Timestamp>,
        round_number -> Integer,
        position -> Integer,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    list_items (id) {
        id -> Text,
        list_id -> Text,
        item_id -> Text,
        quantity_milli -> BigInt,
        is_completed -> Bool,
        completed_at -> Nullable<Timestamp>,
        notes -> Nullable<Text>,
        estimated_price_minor -> Nullable<BigInt>,
        position -> Integer,
        added_by -> Nullable<Text>,
        version -> BigInt,
        added_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    chat_threads (id) {
        id -> Text,
        home_id -> Text,
        title -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        purpose -> Nullable<Text>,
    }
}

diesel::table! {
    chat_messages (id) {
        id -> Text,
        thread_id -> Text,
        user_id -> Nullable<Text>,
        role -> Text,
        content -> Text,
        intent -> Nullable<Text>,
        tool_calls -> Nullable<Text>,
        ui -> Nullable<Text>,
        metadata -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    chat_usage (id) {
        id -> Text,
        home_id -> Text,
        thread_id -> Nullable<Text>,
        user_id -> Nullable<Text>,
        model -> Text,
        prompt_tokens -> BigInt,
        completion_tokens -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        home_id -> Text,
        user_id -> Nullable<Text>,
        /// The SQL column is `type`, a Rust keyword.
        #[sql_name = "type"]
        notification_type -> Text,
        title -> Text,
        body -> Nullable<Text>,
        ref_id -> Nullable<Text>,
        dedupe_key -> Nullable<Text>,
        count -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        once_key -> Nullable<Text>,
        data -> Nullable<Text>,
    }
}

diesel::table! {
    notification_reads (notification_id, user_id) {
        notification_id -> Text,
        user_id -> Text,
        read_at -> Timestamp,
    }
}

diesel::table! {
    usage_events (id) {
        id -> Text,
        home_id -> Text,
        item_id -> Nullable<Text>,
        item_name -> Text,
        item_name_normalized -> Text,
        actor_id -> Nullable<Text>,
        action -> Text,
        quantity_milli -> Nullable<BigInt>,
        created_at -> Timestamp,
        price_minor -> Nullable<BigInt>,
        store -> Nullable<Text>,
        category -> Nullable<Text>,
        receipt_id -> Nullable<Text>,
        spent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    home_events (home_id, seq) {
        home_id -> Text,
        seq -> BigInt,
        kind -> Text,
        entity_id -> Nullable<Text>,
        payload -> Text,
        actor_kind -> Text,
        actor_user_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        user_id -> Text,
        family_id -> Text,
        token_hash -> Text,
        issued_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        replaced_by -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> Text,
        key -> Text,
        method -> Text,
        path -> Text,
        request_hash -> Text,
        status_code -> Integer,
        response_body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    job_claims (job, scope_key, window_key) {
        job -> Text,
        scope_key -> Text,
        window_key -> Text,
        claimed_by -> Text,
        claimed_at -> Timestamp,
        completed_at -> Nullable<Timestamp>,
    }
}

// Only one `joinable!` per table pair is allowed, so the users <-> homes pairs that have two
// foreign keys (owner_id, active_home_id) use the more common join; write the other `ON` clause
// explicitly where needed.
diesel::joinable!(homes -> users (owner_id));
diesel::joinable!(memberships -> homes (home_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(invites -> homes (home_id));
diesel::joinable!(invites -> users (inviter_id));
diesel::joinable!(receipts -> homes (home_id));
diesel::joinable!(receipts -> users (scanned_by));
diesel::joinable!(items -> homes (home_id));
diesel::joinable!(items -> receipts (receipt_id));
diesel::joinable!(items -> users (added_by));
diesel::joinable!(grocery_lists -> homes (home_id));
diesel::joinable!(list_items -> grocery_lists (list_id));
diesel::joinable!(list_items -> items (item_id));
diesel::joinable!(list_items -> users (added_by));
diesel::joinable!(chat_threads -> homes (home_id));
diesel::joinable!(chat_threads -> users (created_by));
diesel::joinable!(chat_messages -> chat_threads (thread_id));
diesel::joinable!(chat_messages -> users (user_id));
diesel::joinable!(chat_usage -> homes (home_id));
diesel::joinable!(chat_usage -> chat_threads (thread_id));
diesel::joinable!(chat_usage -> users (user_id));
diesel::joinable!(notifications -> homes (home_id));
diesel::joinable!(notifications -> users (user_id));
diesel::joinable!(notification_reads -> notifications (notification_id));
diesel::joinable!(notification_reads -> users (user_id));
diesel::joinable!(usage_events -> homes (home_id));
diesel::joinable!(usage_events -> users (actor_id));
diesel::joinable!(home_events -> homes (home_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(idempotency_keys -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    homes,
    memberships,
    invites,
    receipts,
    items,
    grocery_lists,
    list_items,
    chat_threads,
    chat_messages,
    chat_usage,
    notifications,
    notification_reads,
    usage_events,
    home_events,
    refresh_tokens,
    idempotency_keys,
    job_claims,
);
