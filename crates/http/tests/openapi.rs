//! The OpenAPI document: it is what `docs/openapi.json` says, it names exactly the routes the
//! server serves, the real responses match the schemas it documents, and its reference page
//! works under the server's own CSP.

#[macro_use]
mod support;

use actix_web::http::header;
use pantry_store::test_support::TestDb;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use support::{CapturedLog, Person, status};

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
const UPDATE_HINT: &str = "UPDATE_OPENAPI=1 cargo test -p pantry-http --test openapi";

async fn sqlite_state() -> (TestDb, pantry_http::AppState) {
    let db = TestDb::sqlite().await;
    let state = support::state(&db.db, CapturedLog::default().logger());
    (db, state)
}

/// The document as the server serves it.
async fn served_document() -> (String, Value) {
    let (_db, state) = sqlite_state().await;
    let app = app!(state);
    let reply = send!(app, "GET", "/api/openapi.json", None);
    assert_eq!(status(&reply), 200, "{:?}", reply.body);
    assert_eq!(
        reply.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/json"
    );
    let text = String::from_utf8(reply.body.to_vec()).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    (text, doc)
}

#[actix_web::test]
async fn the_served_document_is_the_committed_snapshot() {
    let (served, doc) = served_document().await;
    // The raw document, not wrapped in the success envelope.
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc.get("success").is_none() && doc.get("data").is_none());

    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(SNAPSHOT, format!("{served}\n")).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    if committed.trim_end() == served.trim_end() {
        return;
    }
    let first_difference = committed
        .lines()
        .zip(served.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| committed.lines().count().min(served.lines().count()));
    panic!(
        "docs/openapi.json differs from the generated document (first at line {}):\n  \
         committed: {:?}\n  generated: {:?}\nIf the API change is intended, regenerate it with\n  \
         {UPDATE_HINT}\nand review the diff before committing.",
        first_difference + 1,
        committed.lines().nth(first_difference).unwrap_or("<end>"),
        served.lines().nth(first_difference).unwrap_or("<end>"),
    );
}

// ---- Routes and document agree ---------------------------------------------------------------

/// Served but deliberately not in the document: the reference page's own script and
/// stylesheet are not API, and the live-update socket (`/api/ws`, and `/ws` for the earlier
/// clients) is a WebSocket upgrade, which OpenAPI cannot describe; `docs/live.md` does.
const UNDOCUMENTED: &[&str] = &["/api/docs/docs.js", "/api/docs/docs.css", "/api/ws", "/ws"];

/// A test-only route that answers the app's resource map, from which the registered patterns
/// are read.
const ROUTE_DUMP: &str = "/__test/routes";

/// The real app (production routes and pipeline) plus [`ROUTE_DUMP`], with every response
/// telling which registered pattern the router matched (`x-test-route`; empty when none did,
/// i.e. the router's own 404).
macro_rules! routed_app {
    ($state:expr) => {{
        let production = ::pantry_http::routes::RouteTable::production();
        let probes = production.probes.clone();
        let routes = ::pantry_http::routes::RouteTable {
            probes: ::std::sync::Arc::new(move |cfg: &mut ::actix_web::web::ServiceConfig| {
                probes(cfg);
                cfg.service(
                    ::actix_web::web::resource(ROUTE_DUMP)
                        .route(::actix_web::web::get().to(dump_routes)),
                );
            }),
            ..production
        };
        let pipeline = ::pantry_http::Pipeline::new(support::config(), $state.log.clone());
        ::actix_web::test::init_service(
            ::pantry_http::build_app($state.clone(), pipeline, routes)
                .wrap(::actix_web::middleware::from_fn(record_matched_route)),
        )
        .await
    }};
}

async fn dump_routes(req: actix_web::HttpRequest) -> String {
    format!("{:#?}", req.resource_map())
}

async fn record_matched_route(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    let matched = res.request().match_pattern().unwrap_or_default();
    res.headers_mut().insert(
        header::HeaderName::from_static("x-test-route"),
        header::HeaderValue::from_str(&matched).unwrap(),
    );
    Ok(res)
}

fn matched_route(reply: &support::Reply) -> String {
    reply
        .headers
        .get("x-test-route")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// The full pattern of every resource in the pretty `Debug` form of actix's `ResourceMap`:
/// each `ResourceMap {` opens a node whose first `patterns: Single("...")` is its own pattern;
/// nodes with `nodes: None` are resources, the others scopes whose patterns prefix their
/// children's. (actix has no public way to list routes; the caller checks every pattern found
/// against the router itself, so a change of this format fails loudly instead of silently.)
fn registered_patterns(dump: &str) -> Vec<String> {
    struct Node {
        indent: usize,
        pattern: Option<String>,
        leaf: bool,
    }
    let mut stack: Vec<Node> = Vec::new();
    let mut found = Vec::new();
    let mut pattern_next = false;
    for line in dump.lines() {
        let indent = line.len() - line.trim_start().len();
        let text = line.trim();
        if pattern_next {
            pattern_next = false;
            let literal = text.trim_end_matches(',');
            let pattern: String = serde_json::from_str(literal)
                .unwrap_or_else(|e| panic!("unexpected pattern literal {literal:?}: {e}"));
            if let Some(node) = stack.last_mut().filter(|n| n.pattern.is_none()) {
                node.pattern = Some(pattern);
            }
        } else if text == "ResourceMap {" {
            stack.push(Node {
                indent,
                pattern: None,
                leaf: false,
            });
        } else if text == "patterns: Single(" {
            pattern_next = true;
        } else if text.starts_with("patterns:") {
            panic!("multi-pattern resources are not supported by this test: {text}");
        } else if text == "nodes: None," {
            if let Some(node) = stack.last_mut() {
                node.leaf = true;
            }
        } else if text.starts_with('}') && stack.last().is_some_and(|n| n.indent == indent) {
            let node = stack.pop().unwrap();
            if node.leaf {
                let prefix: String = stack.iter().filter_map(|n| n.pattern.clone()).collect();
                found.push(format!("{prefix}{}", node.pattern.unwrap_or_default()));
            }
        }
    }
    found
}

/// `pattern` with every `{param}` replaced by a fresh UUID.
fn fill(pattern: &str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').expect("unclosed {") + start;
        out.push_str(&rest[..start]);
        out.push_str(&uuid::Uuid::now_v7().to_string());
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fn documented_operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if [
                "get", "put", "post", "delete", "patch", "head", "options", "trace",
            ]
            .contains(&method.as_str())
            {
                ops.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    ops
}

#[actix_web::test]
async fn every_served_route_is_documented_and_every_documented_route_is_served() {
    let (_, doc) = served_document().await;
    let (_db, state) = sqlite_state().await;
    let app = routed_app!(state);

    let dump = send!(app, "GET", ROUTE_DUMP, None);
    assert_eq!(status(&dump), 200);
    let patterns = registered_patterns(std::str::from_utf8(&dump.body).unwrap());
    for known in ["/health", "/api/auth/login", "/api/homes/{home_id}"] {
        assert!(
            patterns.iter().any(|p| p == known),
            "the route dump was not read: {known} missing from {patterns:?}"
        );
    }

    // Which methods each registered pattern serves: a method no route uses answers the
    // router's 405 with `Allow` listing the ones it does.
    let mut served = BTreeSet::new();
    for pattern in patterns.iter().filter(|p| p.as_str() != ROUTE_DUMP) {
        let reply = send!(app, "TRACE", fill(pattern), None);
        assert_eq!(
            matched_route(&reply),
            *pattern,
            "the router does not match {pattern} as read from the route dump"
        );
        assert_eq!(
            status(&reply),
            405,
            "{pattern} answers any method; give each route a method guard"
        );
        let allow = reply.headers.get(header::ALLOW).unwrap().to_str().unwrap();
        for method in allow.split(',').map(str::trim).filter(|m| !m.is_empty()) {
            served.insert((method.to_owned(), pattern.clone()));
        }
    }
    for path in UNDOCUMENTED {
        assert!(
            served.remove(&("GET".to_owned(), (*path).to_owned())),
            "{path} is listed as undocumented but is not served; remove it from UNDOCUMENTED"
        );
    }

    let documented = documented_operations(&doc);
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(
        undocumented.is_empty(),
        "served but not in the OpenAPI document (annotate the handler with #[utoipa::path] and \
         add it to paths(...) in crates/http/src/openapi.rs): {undocumented:?}"
    );
    assert!(
        unserved.is_empty(),
        "documented but not served (path or method differs from the route table): {unserved:?}"
    );

    // And directly: each documented operation, called as documented, reaches a handler rather
    // than the router's "no route" 404 or wrong-method 405. Handler 404s ("Home not found")
    // still carry the matched pattern; the router's own 404 carries none.
    for (method, path) in &documented {
        let reply = send!(app, method.as_str(), fill(path), None);
        assert_eq!(
            matched_route(&reply),
            *path,
            "{method} {path} reached no route: {} {:?}",
            status(&reply),
            reply.body
        );
        assert_ne!(status(&reply), 405, "{method} {path}: {:?}", reply.body);
    }

    // The check can fail: an unknown path matches nothing.
    let unknown = send!(app, "GET", "/api/no-such-route", None);
    assert_eq!(status(&unknown), 404);
    assert_eq!(matched_route(&unknown), "");
}

// ---- Mirrored enums ------------------------------------------------------------------------------

fn all_roles() -> Vec<pantry_core::homes::role::Role> {
    use pantry_core::homes::role::Role;
    // Exhaustive, so a new role fails to compile here until the document knows it.
    match Role::Viewer {
        Role::Viewer | Role::Member | Role::Admin | Role::Owner => {}
    }
    vec![Role::Viewer, Role::Member, Role::Admin, Role::Owner]
}

fn all_actor_kinds() -> Vec<pantry_core::change_log::ActorKind> {
    use pantry_core::change_log::ActorKind;
    match ActorKind::User {
        ActorKind::User | ActorKind::Pixie | ActorKind::System => {}
    }
    vec![ActorKind::User, ActorKind::Pixie, ActorKind::System]
}

fn all_categories() -> Vec<pantry_core::items::Category> {
    use pantry_core::items::Category;
    match Category::Dairy {
        Category::Dairy
        | Category::Meat
        | Category::Produce
        | Category::Grains
        | Category::Pantry
        | Category::Frozen
        | Category::Beverages
        | Category::Snacks
        | Category::Condiments
        | Category::Spices
        | Category::Baking
        | Category::Other => {}
    }
    Category::ALL.to_vec()
}

fn all_units() -> Vec<pantry_core::items::Unit> {
    use pantry_core::items::Unit;
    match Unit::Piece {
        Unit::Piece
        | Unit::Gram
        | Unit::Kg
        | Unit::Ml
        | Unit::Liter
        | Unit::Oz
        | Unit::Lb
        | Unit::Cup
        | Unit::Tbsp
        | Unit::Tsp
        | Unit::Bunch
        | Unit::Dozen
        | Unit::Loaf
        | Unit::Bottle
        | Unit::Box
        | Unit::Bag
        | Unit::Package
        | Unit::Jar => {}
    }
    Unit::ALL.to_vec()
}

fn all_intervals() -> Vec<pantry_core::items::item::RecurringInterval> {
    use pantry_core::items::item::RecurringInterval;
    match RecurringInterval::Daily {
        RecurringInterval::Daily
        | RecurringInterval::Weekly
        | RecurringInterval::Biweekly
        | RecurringInterval::Monthly => {}
    }
    vec![
        RecurringInterval::Daily,
        RecurringInterval::Weekly,
        RecurringInterval::Biweekly,
        RecurringInterval::Monthly,
    ]
}

fn all_schedules() -> Vec<pantry_core::lists::ListSchedule> {
    use pantry_core::lists::ListSchedule;
    match ListSchedule::Weekly {
        ListSchedule::Weekly | ListSchedule::Biweekly | ListSchedule::Monthly => {}
    }
    vec![
        ListSchedule::Weekly,
        ListSchedule::Biweekly,
        ListSchedule::Monthly,
    ]
}

fn all_cooking_skills() -> Vec<pantry_core::accounts::preferences::CookingSkill> {
    use pantry_core::accounts::preferences::CookingSkill;
    match CookingSkill::Beginner {
        CookingSkill::Beginner | CookingSkill::Intermediate | CookingSkill::Advanced => {}
    }
    vec![
        CookingSkill::Beginner,
        CookingSkill::Intermediate,
        CookingSkill::Advanced,
    ]
}

fn all_budget_levels() -> Vec<pantry_core::accounts::preferences::BudgetConsciousness> {
    use pantry_core::accounts::preferences::BudgetConsciousness;
    match BudgetConsciousness::Low {
        BudgetConsciousness::Low | BudgetConsciousness::Medium | BudgetConsciousness::High => {}
    }
    vec![
        BudgetConsciousness::Low,
        BudgetConsciousness::Medium,
        BudgetConsciousness::High,
    ]
}

fn all_notification_types() -> Vec<pantry_core::accounts::preferences::NotificationType> {
    use pantry_core::accounts::preferences::NotificationType;
    match NotificationType::RecurringDue {
        NotificationType::RecurringDue
        | NotificationType::ExpiringSoon
        | NotificationType::PartnerActivity
        | NotificationType::SundaySync
        | NotificationType::RunningLow => {}
    }
    NotificationType::ALL.to_vec()
}

fn all_budget_periods() -> Vec<pantry_core::insights::BudgetPeriod> {
    use pantry_core::insights::BudgetPeriod;
    // A match with no wildcard: a new variant fails to compile here until listed.
    let all = vec![BudgetPeriod::Week, BudgetPeriod::Month];
    for p in &all {
        match p {
            BudgetPeriod::Week | BudgetPeriod::Month => {}
        }
    }
    all
}

fn all_trends() -> Vec<pantry_core::insights::budget::Trend> {
    use pantry_core::insights::budget::Trend;
    let all = vec![Trend::Up, Trend::Down, Trend::Stable];
    for t in &all {
        match t {
            Trend::Up | Trend::Down | Trend::Stable => {}
        }
    }
    all
}

fn all_budget_healths() -> Vec<pantry_core::insights::budget::BudgetHealth> {
    use pantry_core::insights::budget::BudgetHealth;
    let all = vec![
        BudgetHealth::OnTrack,
        BudgetHealth::HeadsUp,
        BudgetHealth::Over,
    ];
    for h in &all {
        match h {
            BudgetHealth::OnTrack | BudgetHealth::HeadsUp | BudgetHealth::Over => {}
        }
    }
    all
}

fn wire_values<T: serde::Serialize>(values: Vec<T>) -> Value {
    Value::Array(
        values
            .iter()
            .map(|v| serde_json::to_value(v).unwrap())
            .collect(),
    )
}

#[actix_web::test]
async fn enums_mirrored_from_the_core_list_exactly_its_wire_values() {
    let (_, doc) = served_document().await;
    let schemas = &doc["components"]["schemas"];
    for (name, values) in [
        ("Role", wire_values(all_roles())),
        ("ActorKind", wire_values(all_actor_kinds())),
        ("Category", wire_values(all_categories())),
        ("Unit", wire_values(all_units())),
        ("RecurringInterval", wire_values(all_intervals())),
        ("ListSchedule", wire_values(all_schedules())),
        ("CookingSkill", wire_values(all_cooking_skills())),
        ("BudgetConsciousness", wire_values(all_budget_levels())),
        ("NotificationType", wire_values(all_notification_types())),
        ("BudgetPeriod", wire_values(all_budget_periods())),
        ("Trend", wire_values(all_trends())),
        ("BudgetHealth", wire_values(all_budget_healths())),
    ] {
        assert_eq!(schemas[name]["enum"], values, "{name}");
    }
}

// ---- Mirrored structs ----------------------------------------------------------------------------

/// `value` when `full`, else `None`: every optional field of a mirrored value is checked both
/// ways, with a value (its type) and without (`null`, which the schema must allow).
fn when<T>(full: bool, value: T) -> Option<T> {
    full.then_some(value)
}

fn pantry_item(full: bool) -> pantry_core::items::PantryItem {
    use pantry_core::items::item::RecurringInterval;
    use pantry_core::items::{Category, PantryItem, Quantity, Unit};
    let now = chrono::Utc::now();
    // A fraction is sent as a float, a whole amount as an integer; prices alike.
    PantryItem {
        id: uuid::Uuid::now_v7(),
        home_id: uuid::Uuid::now_v7(),
        name: "Oat milk".to_owned(),
        description: when(full, "unsweetened".to_owned()),
        category: Category::Beverages,
        quantity: Quantity::from_milli(if full { 1_500 } else { 2_000 }).unwrap(),
        unit: Unit::Liter,
        location: when(full, "Fridge".to_owned()),
        expires_at: when(full, now),
        is_checked: full,
        is_recurring: full,
        recurring_interval: when(full, RecurringInterval::Weekly),
        price_minor: when(full, 349),
        store: when(full, "Corner shop".to_owned()),
        notes: when(full, "barista".to_owned()),
        receipt_id: when(full, uuid::Uuid::now_v7()),
        added_by: when(full, uuid::Uuid::now_v7()),
        version: 3,
        date_added: now,
        last_updated: now,
    }
}

fn item_stats() -> pantry_core::items::ItemStats {
    use pantry_core::items::item::CategoryCount;
    use pantry_core::items::{Category, ItemStats};
    ItemStats {
        total: 3,
        checked: 1,
        unchecked: 2,
        by_category: [
            (
                Category::Dairy.as_str(),
                CategoryCount {
                    total: 2,
                    checked: 1,
                },
            ),
            (
                Category::Other.as_str(),
                CategoryCount {
                    total: 1,
                    checked: 0,
                },
            ),
        ]
        .into_iter()
        .collect(),
        expired: 1,
        expiring_soon: 0,
        out_of_stock: 1,
    }
}

fn grocery_list(full: bool) -> pantry_core::lists::GroceryList {
    use pantry_core::lists::{GroceryList, ListSchedule};
    let now = chrono::Utc::now();
    GroceryList {
        id: uuid::Uuid::now_v7(),
        home_id: uuid::Uuid::now_v7(),
        name: "Weekly shop".to_owned(),
        description: when(full, "Saturdays".to_owned()),
        is_active: !full,
        is_default: full,
        completed_at: when(full, now),
        total_budget_minor: when(full, 8_050),
        estimated_cost_minor: when(full, 398),
        recurring_schedule: when(full, ListSchedule::Weekly),
        schedule_day_of_week: when(full, 6),
        schedule_day_of_month: when(full, 31),
        next_reset_at: when(full, now),
        last_reset_at: when(full, now),
        round_number: 2,
        position: 1,
        version: 4,
        created_at: now,
        updated_at: now,
    }
}

fn list_entry(full: bool) -> pantry_core::lists::ListItem {
    use pantry_core::items::Quantity;
    use pantry_core::lists::ListItem;
    let now = chrono::Utc::now();
    ListItem {
        id: uuid::Uuid::now_v7(),
        list_id: uuid::Uuid::now_v7(),
        item_id: uuid::Uuid::now_v7(),
        quantity: Quantity::from_milli(if full { 2_500 } else { 1_000 }).unwrap(),
        is_completed: full,
        completed_at: when(full, now),
        notes: when(full, "the organic one".to_owned()),
        estimated_price_minor: when(full, 199),
        position: 0,
        added_by: when(full, uuid::Uuid::now_v7()),
        version: 2,
        added_at: now,
        updated_at: now,
    }
}

fn entry_with_item(full: bool) -> pantry_core::lists::ListItemWithItem {
    pantry_core::lists::ListItemWithItem {
        entry: list_entry(full),
        item: pantry_item(full),
    }
}

fn home_export(full: bool) -> pantry_core::portability::HomeExport {
    use pantry_core::homes::role::Role;
    use pantry_core::items::item::RecurringInterval;
    use pantry_core::items::{Category, Unit};
    use pantry_core::portability::{
        ExportedHome, ExportedItem, ExportedList, ExportedListItem, ExportedMember,
        ExportedMessage, ExportedThread, FORMAT, HomeExport, VERSION,
    };
    let now = chrono::Utc::now();
    let item_id = uuid::Uuid::now_v7();
    HomeExport {
        format: FORMAT.to_owned(),
        version: VERSION,
        exported_at: now,
        home: ExportedHome {
            name: "Beach House".to_owned(),
            description: when(full, "by the sea".to_owned()),
            timezone: "Europe/Berlin".to_owned(),
            currency: "EUR".to_owned(),
            monthly_budget_minor: when(full, 45_050),
            household_size: when(full, 3),
            shared_dietary_restrictions: vec!["vegetarian".to_owned()],
        },
        members: vec![ExportedMember {
            name: "Alice".to_owned(),
            role: Role::Owner,
            joined_at: now,
        }],
        items: vec![ExportedItem {
            id: item_id,
            name: "Oat milk".to_owned(),
            description: when(full, "unsweetened".to_owned()),
            category: Category::Beverages,
            quantity_milli: 1_500,
            unit: Unit::Liter,
            location: when(full, "Fridge".to_owned()),
            expires_at: when(full, now),
            is_checked: full,
            is_recurring: full,
            recurring_interval: when(full, RecurringInterval::Monthly),
            price_minor: when(full, 349),
            store: when(full, "Corner shop".to_owned()),
            notes: when(full, "barista".to_owned()),
            date_added: now,
            last_updated: now,
        }],
        lists: vec![ExportedList {
            name: "Weekly shop".to_owned(),
            description: when(full, "Saturdays".to_owned()),
            is_active: true,
            is_default: false,
            completed_at: when(full, now),
            total_budget_minor: when(full, 8_000),
            recurring_schedule: when(full, "biweekly".to_owned()),
            schedule_day_of_week: when(full, 6),
            schedule_day_of_month: when(full, 1),
            next_reset_at: when(full, now),
            last_reset_at: when(full, now),
            round_number: 1,
            position: 0,
            created_at: now,
            items: vec![ExportedListItem {
                item_id,
                quantity_milli: 2_000,
                is_completed: full,
                completed_at: when(full, now),
                notes: when(full, "two cartons".to_owned()),
                estimated_price_minor: when(full, 199),
                position: 0,
                added_at: now,
            }],
        }],
        threads: vec![ExportedThread {
            title: when(full, "Curry night".to_owned()),
            created_at: now,
            updated_at: now,
            messages: vec![ExportedMessage {
                role: "assistant".to_owned(),
                content: "Here is a list.".to_owned(),
                intent: when(full, "plan_meal".to_owned()),
                tool_calls: when(full, json!([{"name": "add_to_list"}])),
                ui: when(full, json!({"card": "list"})),
                author_name: when(full, "Alice".to_owned()),
                created_at: now,
            }],
        }],
    }
}

fn budget_summary(full: bool) -> pantry_core::insights::BudgetSummary {
    use pantry_core::insights::SpendGroup;
    use pantry_core::insights::budget::{BudgetPeriod, Ledger, summarize, windows};
    let now = chrono::Utc::now();
    let (window, _) = windows(
        BudgetPeriod::Month,
        now,
        pantry_core::lists::schedule::zone("UTC"),
    );
    let line = SpendGroup {
        category: Some("dairy".into()),
        store: Some("Big C".into()),
        total_minor: 12_050,
        lines: 2,
    };
    let lines = if full { vec![line] } else { Vec::new() };
    summarize(&Ledger {
        period: BudgetPeriod::Month,
        window,
        current: &lines,
        previous: &lines,
        month_to_date: 12_050,
        currency: "EUR",
        monthly_budget: full.then_some(50_000),
    })
}

fn prediction(full: bool) -> pantry_core::insights::Prediction {
    pantry_core::insights::Prediction {
        item_name: "Milk".into(),
        item_id: full.then(uuid::Uuid::now_v7),
        predicted_depletion_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 27).unwrap(),
        predicted_at: chrono::Utc::now(),
        confidence: 0.4,
        interval_days: 7.0,
        restock_count: 4,
        average_quantity: 2.0,
        reasoning: "Based on 4 purchases, usually restocked about every 7 days.".into(),
    }
}

/// Real pantry-core values, serialised as the server sends them, match the schemas mirrored
/// from them exactly: every key the value has is in the schema and every key of the schema is
/// sent and required, with the documented type (nullable exactly where `null` is sent) and enum
/// values. A field added, removed, renamed or retyped on either side fails here.
#[actix_web::test]
async fn core_values_match_their_mirror_schemas() {
    use pantry_core::lists::entry::Bought;
    use pantry_core::lists::{GroceryListWithItems, ListStats};
    let (_, doc) = served_document().await;
    let mut c = Conformance {
        doc,
        seen: BTreeSet::new(),
        errors: Vec::new(),
        exact: true,
    };
    let mut check = |schema: &str, value: Value| {
        let reference = json!({"$ref": format!("#/components/schemas/{schema}")});
        let target = format!("#/components/schemas/{schema}");
        assert!(
            !c.resolve(&target).is_null(),
            "{schema} is not in the document"
        );
        let mut errors = Vec::new();
        c.validate(&reference, &value, schema, &mut errors);
        c.errors.extend(errors);
    };
    for full in [true, false] {
        check(
            "PantryItem",
            serde_json::to_value(pantry_item(full)).unwrap(),
        );
        check(
            "GroceryList",
            serde_json::to_value(grocery_list(full)).unwrap(),
        );
        check("ListItem", serde_json::to_value(list_entry(full)).unwrap());
        check(
            "ListItemWithItem",
            serde_json::to_value(entry_with_item(full)).unwrap(),
        );
        let with_items = GroceryListWithItems::new(
            grocery_list(full),
            vec![entry_with_item(full), entry_with_item(!full)],
        );
        check(
            "ListStats",
            serde_json::to_value(ListStats::of(&with_items)).unwrap(),
        );
        check(
            "GroceryListWithItems",
            serde_json::to_value(with_items).unwrap(),
        );
        let bought = Bought {
            list_item: list_entry(full),
            item: pantry_item(full),
        };
        check("ListItemAndItem", serde_json::to_value(bought).unwrap());
        check(
            "HomeExport",
            serde_json::to_value(home_export(full)).unwrap(),
        );
    }
    check("ItemStats", serde_json::to_value(item_stats()).unwrap());
    for summary in [budget_summary(true), budget_summary(false)] {
        check("BudgetSummary", serde_json::to_value(summary).unwrap());
    }
    for full in [true, false] {
        check(
            "Prediction",
            serde_json::to_value(prediction(full)).unwrap(),
        );
    }
    for full in [true, false] {
        use pantry_core::receipts::{
            ParsedReceipt, RawReceipt, Receipt, ReceiptDetail, RecordedLine,
        };
        let raw: RawReceipt = serde_json::from_value(if full {
            json!({"merchant": "Test Mart", "purchasedAt": "2026-11-28", "currency": "THB", "total": 12.5,
                   "items": [{"name": "Tea", "quantity": 2, "unit": "box", "category": "beverages", "price": 2.5}]})
        } else {
            json!({"items": [{"name": "Tea"}]})
        })
        .unwrap();
        check(
            "ParsedReceipt",
            serde_json::to_value(ParsedReceipt::from_client(raw).unwrap()).unwrap(),
        );
        let now = chrono::Utc::now();
        let receipt = Receipt {
            id: uuid::Uuid::now_v7(),
            home_id: uuid::Uuid::now_v7(),
            merchant: when(full, "Test Mart".to_owned()),
            purchased_at: when(full, now),
            currency: "THB".to_owned(),
            total_minor: when(full, 1250),
            item_count: 1,
            scanned_by: when(full, uuid::Uuid::now_v7()),
            created_at: now,
        };
        check("Receipt", serde_json::to_value(&receipt).unwrap());
        let line = RecordedLine {
            item_id: when(full, uuid::Uuid::now_v7()),
            name: "Tea".to_owned(),
            quantity: when(full, pantry_core::items::Quantity::ONE),
            unit: when(full, pantry_core::items::Unit::Box),
            category: when(full, pantry_core::items::Category::Beverages),
            price_minor: when(full, 250),
        };
        check(
            "ReceiptDetail",
            serde_json::to_value(ReceiptDetail {
                receipt,
                lines: vec![line],
            })
            .unwrap(),
        );
    }
    for full in [true, false] {
        let at = chrono::Utc::now();
        let notice = pantry_core::notifications::Notification {
            id: uuid::Uuid::now_v7(),
            home_id: uuid::Uuid::now_v7(),
            kind: pantry_core::notifications::NoticeKind::RunningLow,
            title: "Running low on Coffee".to_owned(),
            body: when(full, "Soon".to_owned()),
            ref_id: when(full, "low:coffee".to_owned()),
            data: when(full, json!({"itemName": "Coffee"})),
            count: 1,
            recipient: when(full, uuid::Uuid::now_v7()),
            read: full,
            created_at: at,
            updated_at: at,
        };
        check("Notification", serde_json::to_value(notice).unwrap());
    }
    assert!(
        c.errors.is_empty(),
        "core values differ from their mirror schemas (crates/http/src/openapi/mirrors.rs):\n{}",
        c.errors.join("\n")
    );
}

// ---- The reference page ------------------------------------------------------------------------

/// The values of `attribute` in every `<tag ...>` of `html` (a tiny scanner: the page is ours).
fn attributes(html: &str, tag: &str, attribute: &str) -> Vec<String> {
    let mut found = Vec::new();
    for chunk in html.split(&format!("<{tag}")).skip(1) {
        let head = &chunk[..chunk.find('>').unwrap()];
        let key = format!("{attribute}=\"");
        if let Some(at) = head.find(&key) {
            let value = &head[at + key.len()..];
            found.push(value[..value.find('"').unwrap()].to_owned());
        }
    }
    found
}

#[actix_web::test]
async fn the_docs_page_loads_only_same_origin_files_the_csp_allows() {
    let (_db, state) = sqlite_state().await;
    let app = app!(state);
    let page = send!(app, "GET", "/api/docs", None);
    assert_eq!(status(&page), 200);
    assert_eq!(
        page.headers.get(header::CONTENT_TYPE).unwrap(),
        "text/html; charset=utf-8"
    );
    // The page is served under the same strict policy as everything else.
    let csp = page
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("style-src 'self'"));
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));

    let html = std::str::from_utf8(&page.body).unwrap();
    // What that policy would block: inline scripts, inline styles, handlers, other origins.
    for script in html.split("<script").skip(1) {
        let end = script.find("</script>").unwrap();
        let (head, inner) = script[..end].split_once('>').unwrap();
        assert!(head.contains("src=\""), "inline script: {script}");
        assert!(inner.trim().is_empty(), "inline script body: {script}");
    }
    for forbidden in [
        "<style",
        " style=",
        " onload=",
        " onclick=",
        "http://",
        "https://",
        "//cdn",
    ] {
        assert!(!html.contains(forbidden), "{forbidden} in the page");
    }

    // Every referenced file is served from here, as what it is.
    let scripts = attributes(html, "script", "src");
    let styles = attributes(html, "link", "href");
    assert!(!scripts.is_empty() && !styles.is_empty());
    let expected = scripts
        .iter()
        .map(|s| (s, "text/javascript; charset=utf-8"))
        .chain(styles.iter().map(|s| (s, "text/css; charset=utf-8")));
    for (relative, content_type) in expected {
        assert!(
            !relative.starts_with('/') && !relative.contains(':'),
            "{relative} must be relative to the page, so a path prefix in front of /api keeps working"
        );
        // Relative to `/api/docs`, i.e. to `/api/`.
        let asset = send!(app, "GET", format!("/api/{relative}"), None);
        assert_eq!(status(&asset), 200, "{relative}");
        assert_eq!(
            asset.headers.get(header::CONTENT_TYPE).unwrap(),
            content_type
        );
        let text = std::str::from_utf8(&asset.body).unwrap();
        for forbidden in ["eval(", "new Function", "innerHTML", "http://", "https://"] {
            assert!(!text.contains(forbidden), "{forbidden} in {relative}");
        }
    }
    // The script reads the document from the same origin, relative to the page as well.
    let script = send!(app, "GET", format!("/api/{}", scripts[0]), None);
    assert!(
        std::str::from_utf8(&script.body)
            .unwrap()
            .contains("\"openapi.json\"")
    );
}

// ---- Real responses match the documented schemas ---------------------------------------------

/// Checks real responses against the document and remembers which operations it saw succeed.
struct Conformance {
    doc: Value,
    seen: BTreeSet<(String, String)>,
    errors: Vec<String>,
    /// Also require every property an object schema names to be sent and marked required:
    /// for mirrors of core types, which always send every field.
    exact: bool,
}

impl Conformance {
    /// Checks `reply` to `method template` against the response the document gives for its
    /// status.
    fn check(&mut self, method: &str, template: &str, reply: &support::Reply) -> Value {
        let status = reply.status.as_u16();
        let at = format!("{method} {template} -> {status}");
        let operation = &self.doc["paths"][template][method.to_lowercase()];
        if operation.is_null() {
            self.errors.push(format!("{at}: operation not documented"));
            return Value::Null;
        }
        let mut response = &operation["responses"][status.to_string()];
        if let Some(reference) = response["$ref"].as_str() {
            response = self.resolve(reference);
        }
        if response.is_null() {
            self.errors
                .push(format!("{at}: status not documented: {:?}", reply.body));
            return Value::Null;
        }
        let body: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
        let schema = response["content"]["application/json"]["schema"].clone();
        let mut errors = Vec::new();
        self.validate(&schema, &body, "body", &mut errors);
        self.errors
            .extend(errors.into_iter().map(|e| format!("{at}: {e}")));
        if reply.status.is_success() {
            self.seen.insert((method.to_owned(), template.to_owned()));
        }
        body
    }

    fn resolve(&self, reference: &str) -> &Value {
        let pointer = reference.strip_prefix('#').unwrap();
        self.doc.pointer(pointer).unwrap_or(&Value::Null)
    }

    /// A small JSON Schema check: what our document uses (`$ref`, `type`, `oneOf`, `enum`,
    /// `properties`/`required`, `additionalProperties`/`propertyNames`, `items`, the `uuid` and
    /// `date-time` formats). Properties the schema does not name are errors, as are `null`s in
    /// properties not marked required (fields that are always sent must be required, even when
    /// nullable). In `exact` mode, so is every property of the schema that was not sent or is
    /// not required.
    fn validate(&self, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        if let Some(reference) = schema["$ref"].as_str() {
            let target = self.resolve(reference).clone();
            return self.validate(&target, value, at, errors);
        }
        if let Some(branches) = schema["oneOf"].as_array() {
            let fits = branches.iter().any(|branch| {
                let mut branch_errors = Vec::new();
                self.validate(branch, value, at, &mut branch_errors);
                branch_errors.is_empty()
            });
            if !fits {
                errors.push(format!("{at}: {value} fits no oneOf branch"));
            }
            return;
        }
        let types: Vec<&str> = match &schema["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let fits_type = |t: &str| match t {
            "null" => value.is_null(),
            "boolean" => value.is_boolean(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "string" => value.is_string(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            _ => false,
        };
        if !types.is_empty() && !types.iter().any(|t| fits_type(t)) {
            errors.push(format!("{at}: {value} is not {types:?}"));
            return;
        }
        if let Some(values) = schema["enum"].as_array()
            && !values.contains(value)
        {
            errors.push(format!("{at}: {value} not in {values:?}"));
        }
        if let Some(text) = value.as_str() {
            let ok = match schema["format"].as_str() {
                Some("uuid") => uuid::Uuid::parse_str(text).is_ok(),
                Some("date-time") => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
                _ => true,
            };
            if !ok {
                errors.push(format!("{at}: {text:?} is not a {}", schema["format"]));
            }
        }
        if let (Some(object), Some(properties)) =
            (value.as_object(), schema["properties"].as_object())
        {
            let required: Vec<&str> = schema["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for name in &required {
                if !object.contains_key(*name) {
                    errors.push(format!("{at}: required {name} is missing"));
                }
            }
            for (name, field) in object {
                let here = format!("{at}.{name}");
                match properties.get(name) {
                    None => errors.push(format!("{here}: not in the schema")),
                    Some(_) if field.is_null() && !required.contains(&name.as_str()) => {
                        errors.push(format!("{here}: sent as null but not required"))
                    }
                    Some(property) => self.validate(property, field, &here, errors),
                }
            }
            if self.exact {
                for name in properties.keys() {
                    if !object.contains_key(name) {
                        errors.push(format!("{at}.{name}: in the schema but not sent"));
                    } else if !required.contains(&name.as_str()) {
                        errors.push(format!("{at}.{name}: always sent but not required"));
                    }
                }
            }
        }
        if let Some(object) = value.as_object() {
            if let Some(values) = schema.get("additionalProperties").filter(|s| s.is_object()) {
                for (name, field) in object {
                    self.validate(values, field, &format!("{at}.{name}"), errors);
                }
            }
            if let Some(names) = schema.get("propertyNames") {
                for name in object.keys() {
                    let key = Value::String(name.clone());
                    self.validate(names, &key, &format!("{at} key {name:?}"), errors);
                }
            }
        }
        if let (Some(items), Some(schema)) = (value.as_array(), schema.get("items")) {
            for (i, item) in items.iter().enumerate() {
                self.validate(schema, item, &format!("{at}[{i}]"), errors);
            }
        }
    }
}

/// A request like `send!`'s, with extra headers (`if-match`, `idempotency-key`).
async fn call_with<S, B>(
    app: &S,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<Value>,
    headers: &[(&'static str, String)],
) -> support::Reply
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody + 'static,
{
    let mut request = support::req(method, uri, token, body);
    for (name, value) in headers {
        request.headers_mut().insert(
            header::HeaderName::from_static(name),
            header::HeaderValue::from_str(value).unwrap(),
        );
    }
    support::call(app, request).await
}

/// `template` with its `{param}`s replaced by `args`, in order.
fn with_args(template: &str, args: &[&dyn std::fmt::Display]) -> String {
    let mut uri = template.to_owned();
    for arg in args {
        let start = uri.find('{').unwrap();
        let end = uri[start..].find('}').unwrap() + start;
        uri.replace_range(start..=end, &arg.to_string());
    }
    assert!(!uri.contains('{'), "{template}: too few arguments");
    uri
}

macro_rules! conform {
    ($c:expr, $app:expr, $method:expr, $template:expr, [$($arg:expr),*], $token:expr $(, $body:expr)?) => {{
        let uri = with_args($template, &[$(&$arg as &dyn std::fmt::Display),*]);
        let reply = send!($app, $method, uri, $token $(, $body)?);
        $c.check($method, $template, &reply)
    }};
}

macro_rules! on_both_backends {
    ($sqlite:ident, $postgres:ident, $scenario:ident) => {
        #[actix_web::test]
        async fn $sqlite() {
            let db = TestDb::sqlite().await;
            $scenario(support::state(&db.db, CapturedLog::default().logger()), &db).await;
        }
        #[actix_web::test]
        async fn $postgres() {
            let Some(db) = TestDb::postgres().await else {
                return;
            };
            $scenario(support::state(&db.db, CapturedLog::default().logger()), &db).await;
        }
    };
}

on_both_backends!(
    responses_match_the_document_sqlite,
    responses_match_the_document_postgres,
    responses_match_the_document
);

/// Every documented operation, called for real, answers what the document says: the status
/// is listed and the body fits its schema. Errors are checked too.
async fn responses_match_the_document(mut state: pantry_http::AppState, db: &TestDb) {
    // Receipts are read by the fake vision model.
    let vision = pantry_openai::fake::FakeOpenAi::start_repeating(
        pantry_openai::fake::Reply::text(&[
            r#"{"merchant": "Test Mart", "purchasedAt": "2026-11-28", "currency": null, "total": 2.5, "items": [{"name": "Tea", "quantity": 1, "unit": "box", "category": "beverages", "price": 2.5}, {"name": "Oddity", "quantity": null, "unit": null, "category": null, "price": null}]}"#,
        ]),
    );
    state.receipts = support::receipt_service(
        &db.db,
        std::sync::Arc::new(pantry_openai::OpenAiModel::new(vision.config()).unwrap()),
    );
    let (_, doc) = served_document().await;
    let mut c = Conformance {
        doc: doc.clone(),
        seen: BTreeSet::new(),
        errors: Vec::new(),
        exact: false,
    };
    let app = app!(state);
    let password = "a long kitchen password";

    conform!(c, app, "GET", "/health", [], None);
    conform!(c, app, "GET", "/ready", [], None);
    conform!(c, app, "GET", "/api/openapi.json", [], None);
    let bad = conform!(
        c,
        app,
        "POST",
        "/api/auth/register",
        [],
        None,
        json!({"email": "not an email", "password": "short", "name": ""})
    );
    assert!(!bad["details"].as_array().unwrap().is_empty(), "{bad}");
    conform!(
        c,
        app,
        "POST",
        "/api/auth/register",
        [],
        None,
        json!({"email": "dave@example.com", "password": password, "name": "Dave"})
    );
    let alice = sign_up!(app, "alice");
    let bob = sign_up!(app, "bob");
    let carol = sign_up!(app, "carol");
    let taken = send!(
        app,
        "POST",
        "/api/auth/register",
        None,
        json!({"email": "alice@example.com", "password": password, "name": "Alice"})
    );
    c.check("POST", "/api/auth/register", &taken);
    let session = conform!(
        c,
        app,
        "POST",
        "/api/auth/login",
        [],
        None,
        json!({"email": "alice@example.com", "password": password})
    );
    conform!(
        c,
        app,
        "POST",
        "/api/auth/login",
        [],
        None,
        json!({"email": "alice@example.com", "password": "wrong password"})
    );
    let refresh_token = session["data"]["refreshToken"].as_str().unwrap().to_owned();
    let pair = conform!(
        c,
        app,
        "POST",
        "/api/auth/refresh",
        [],
        None,
        json!({"refreshToken": refresh_token})
    );
    conform!(
        c,
        app,
        "POST",
        "/api/auth/refresh",
        [],
        None,
        json!({"refreshToken": refresh_token})
    );
    conform!(
        c,
        app,
        "POST",
        "/api/auth/logout",
        [],
        None,
        json!({"refreshToken": pair["data"]["refreshToken"]})
    );
    conform!(c, app, "GET", "/api/auth/me", [], Some(&alice.token));
    conform!(c, app, "GET", "/api/auth/me", [], None);

    // Homes and members.
    let a = Some(alice.token.as_str());
    conform!(c, app, "GET", "/api/homes", [], a);
    let beach = conform!(
        c,
        app,
        "POST",
        "/api/homes",
        [],
        a,
        json!({"name": "Beach House"})
    );
    let beach = beach["data"]["id"].as_str().unwrap().to_owned();
    conform!(c, app, "GET", "/api/homes/{home_id}", [beach], a);
    conform!(
        c,
        app,
        "GET",
        "/api/homes/{home_id}",
        [uuid::Uuid::now_v7()],
        a
    );
    conform!(
        c,
        app,
        "PUT",
        "/api/homes/{home_id}",
        [beach],
        a,
        json!({"monthlyBudget": "120.50", "householdSize": 3, "description": "by the sea"})
    );
    conform!(
        c,
        app,
        "PATCH",
        "/api/homes/{home_id}",
        [beach],
        a,
        json!({"monthlyBudget": null, "householdSize": 99})
    );
    let edited = conform!(
        c,
        app,
        "PATCH",
        "/api/homes/{home_id}",
        [beach],
        a,
        json!({"description": null})
    );
    let version = edited["data"]["version"].as_i64().unwrap();
    let stale = [("if-match", format!("W/\"{}\"", version - 1))];
    for method in ["PUT", "PATCH"] {
        let reply = call_with(
            &app,
            method,
            &with_args("/api/homes/{home_id}", &[&beach]),
            a,
            Some(json!({"name": "X"})),
            &stale,
        )
        .await;
        let stale_home = c.check(method, "/api/homes/{home_id}", &reply);
        assert_eq!(
            (status(&reply), &stale_home["code"]),
            (409, &json!("STALE_VERSION"))
        );
        assert_eq!(stale_home["current"]["version"], version);
        assert_eq!(stale_home["current"]["role"], "owner");
    }

    // Invites: with and without a body; bob joins as member, carol as viewer.
    let invite = conform!(
        c,
        app,
        "POST",
        "/api/homes/{home_id}/invites",
        [beach],
        a,
        json!({"maxUses": null, "expiresInDays": 2})
    );
    let code = invite["data"]["code"].as_str().unwrap().to_owned();
    let invite_id = invite["data"]["invite"]["id"].as_str().unwrap().to_owned();
    conform!(c, app, "POST", "/api/homes/{home_id}/invites", [beach], a);
    conform!(
        c,
        app,
        "POST",
        "/api/homes/{home_id}/invites",
        [beach],
        a,
        json!({"maxUses": 0})
    );
    conform!(c, app, "GET", "/api/homes/{home_id}/invites", [beach], a);
    conform!(c, app, "GET", "/api/invites/{code}", [code], None);
    conform!(
        c,
        app,
        "GET",
        "/api/invites/{code}",
        ["0123456789abcdef0123"],
        None
    );
    conform!(
        c,
        app,
        "POST",
        "/api/invites/{code}/accept",
        [code],
        Some(&bob.token)
    );
    conform!(
        c,
        app,
        "POST",
        "/api/invites/{code}/accept",
        [code],
        Some(&bob.token)
    );
    conform!(
        c,
        app,
        "GET",
        "/api/homes/{home_id}/invites",
        [beach],
        Some(&bob.token)
    );
    conform!(
        c,
        app,
        "DELETE",
        "/api/homes/{home_id}/invites/{invite_id}",
        [beach, invite_id],
        a
    );
    conform!(
        c,
        app,
        "POST",
        "/api/invites/{code}/accept",
        [code],
        Some(&carol.token)
    );
    let viewer = conform!(
        c,
        app,
        "POST",
        "/api/homes/{home_id}/invites",
        [beach],
        a,
        json!({"role": "viewer"})
    );
    let viewer_code = viewer["data"]["code"].as_str().unwrap().to_owned();
    conform!(
        c,
        app,
        "POST",
        "/api/invites/{code}/accept",
        [viewer_code],
        Some(&carol.token)
    );

    conform!(c, app, "GET", "/api/homes/{home_id}/members", [beach], a);
    conform!(
        c,
        app,
        "PATCH",
        "/api/homes/{home_id}/members/{user_id}",
        [beach, carol.id],
        a,
        json!({"role": "member"})
    );
    conform!(
        c,
        app,
        "PATCH",
        "/api/homes/{home_id}/members/{user_id}",
        [beach, carol.id],
        a,
        json!({"role": "chef"})
    );
    conform!(
        c,
        app,
        "PATCH",
        "/api/homes/{home_id}/members/{user_id}",
        [beach, alice.id],
        Some(&bob.token),
        json!({"role": "viewer"})
    );
    conform!(
        c,
        app,
        "PATCH",
        "/api/homes/{home_id}/members/{user_id}",
        [beach, alice.id],
        a,
        json!({"role": "admin"})
    );
    conform!(c, app, "GET", "/api/homes/{home_id}/changes", [beach], a);
    conform!(c, app, "GET", "/api/homes/{home_id}/changes", [beach], a);
    let page = send!(
        app,
        "GET",
        format!("/api/homes/{beach}/changes?since=1&limit=2"),
        a
    );
    c.check("GET", "/api/homes/{home_id}/changes", &page);
    let invalid = send!(app, "GET", format!("/api/homes/{beach}/changes?limit=0"), a);
    c.check("GET", "/api/homes/{home_id}/changes", &invalid);
    conform!(
        c,
        app,
        "POST",
        "/api/homes/{home_id}/activate",
        [beach],
        Some(&bob.token)
    );
    conform!(c, app, "POST", "/api/homes/{home_id}/leave", [beach], a);
    conform!(
        c,
        app,
        "POST",
        "/api/homes/{home_id}/leave",
        [beach],
        Some(&bob.token)
    );
    conform!(
        c,
        app,
        "DELETE",
        "/api/homes/{home_id}/members/{user_id}",
        [beach, alice.id],
        a
    );
    conform!(
        c,
        app,
        "POST",
        "/api/homes/{home_id}/transfer",
        [beach],
        a,
        json!({"userId": carol.id})
    );
    conform!(
        c,
        app,
        "DELETE",
        "/api/homes/{home_id}/members/{user_id}",
        [beach, alice.id],
        Some(&carol.token)
    );
    conform!(c, app, "DELETE", "/api/homes/{home_id}", [beach], a);
    conform!(
        c,
        app,
        "DELETE",
        "/api/homes/{home_id}",
        [beach],
        Some(&carol.token)
    );

    // The pantry, grocery lists, activity, preferences, export and import: erin's own home,
    // with finn as a viewer in it.
    let erin = sign_up!(app, "erin");
    let finn = sign_up!(app, "finn");
    let e = Some(erin.token.as_str());
    let home = erin.home;
    let invite = send!(
        app,
        "POST",
        format!("/api/homes/{home}/invites"),
        e,
        json!({"role": "viewer"})
    );
    let code = invite.json()["data"]["code"].as_str().unwrap().to_owned();
    let joined = send!(
        app,
        "POST",
        format!("/api/invites/{code}/accept"),
        Some(&finn.token)
    );
    assert_eq!(status(&joined), 200, "{:?}", joined.body);
    // Bound to erin's home, where finn is a viewer.
    let finn_token = joined.json()["data"]["token"].as_str().unwrap().to_owned();
    let f = Some(finn_token.as_str());

    const ITEMS: &str = "/api/homes/{home_id}/items";
    const ITEM: &str = "/api/homes/{home_id}/items/{item_id}";
    let oat = conform!(
        c,
        app,
        "POST",
        ITEMS,
        [home],
        e,
        json!({"name": "Oat milk", "quantity": "1.5", "unit": "liter", "category": "beverages",
               "location": "Fridge", "expiresAt": "2030-01-31", "price": "3.49",
               "notes": "barista", "store": "Corner shop", "description": "unsweetened",
               "isRecurring": true, "recurringInterval": "weekly"})
    );
    let oat = oat["data"]["id"].as_str().unwrap().to_owned();
    let merged = send!(
        app,
        "POST",
        with_args(ITEMS, &[&home]),
        e,
        json!({"name": "oat milk", "quantity": 500, "unit": "ml", "location": "fridge"})
    );
    c.check("POST", ITEMS, &merged);
    assert_eq!(status(&merged), 201, "{:?}", merged.body);
    assert_eq!(merged.headers.get("pixie-merged").unwrap(), "true");
    let bread_id = uuid::Uuid::now_v7();
    let bread = json!({"id": bread_id, "name": "Bread"});
    conform!(c, app, "POST", ITEMS, [home], e, bread.clone());
    let replay = conform!(c, app, "POST", ITEMS, [home], e, bread.clone());
    assert_eq!(replay["data"]["id"], bread_id.to_string());
    conform!(
        c,
        app,
        "POST",
        ITEMS,
        [home],
        e,
        json!({"name": "", "unit": "parsec"})
    );
    conform!(c, app, "POST", ITEMS, [home], f, json!({"name": "Stolen"}));
    let sugar = conform!(c, app, "POST", ITEMS, [home], e, json!({"name": "Sugar"}));
    let sugar = sugar["data"]["id"].as_str().unwrap().to_owned();
    // The same Idempotency-Key for another request: 422, nothing ran.
    let key = [("idempotency-key", "openapi-key-1".to_owned())];
    let first = call_with(
        &app,
        "POST",
        &with_args(ITEMS, &[&home]),
        e,
        Some(json!({"name": "Tea"})),
        &key,
    )
    .await;
    c.check("POST", ITEMS, &first);
    let reused = call_with(
        &app,
        "POST",
        &with_args(ITEMS, &[&home]),
        e,
        Some(json!({"name": "Coffee"})),
        &key,
    )
    .await;
    c.check("POST", ITEMS, &reused);
    assert_eq!(status(&reused), 422, "{:?}", reused.body);

    conform!(c, app, "GET", ITEMS, [home], f);
    let filtered = send!(
        app,
        "GET",
        format!("/api/homes/{home}/items?category=beverages&inStock=true&expiringWithin=3650"),
        e
    );
    c.check("GET", ITEMS, &filtered);
    assert_eq!(filtered.json()["data"].as_array().unwrap().len(), 1);
    let bad_filter = send!(
        app,
        "GET",
        format!("/api/homes/{home}/items?category=furniture"),
        e
    );
    c.check("GET", ITEMS, &bad_filter);
    conform!(c, app, "GET", ITEMS, [uuid::Uuid::now_v7()], e);
    let stats = conform!(c, app, "GET", "/api/homes/{home_id}/items/stats", [home], e);
    assert!(
        stats["data"]["byCategory"]["beverages"].is_object(),
        "{stats}"
    );
    conform!(c, app, "GET", ITEM, [home, oat], f);
    conform!(c, app, "GET", ITEM, [home, uuid::Uuid::now_v7()], e);
    conform!(
        c,
        app,
        "PUT",
        ITEM,
        [home, oat],
        e,
        json!({"quantity": 2, "location": null, "price": null, "isChecked": true})
    );
    conform!(
        c,
        app,
        "PUT",
        ITEM,
        [home, oat],
        e,
        json!({"quantity": "lots"})
    );
    conform!(c, app, "PUT", ITEM, [home, oat], f, json!({"name": "Mine"}));
    let edited = conform!(
        c,
        app,
        "PATCH",
        ITEM,
        [home, oat],
        e,
        json!({"notes": null, "expiresAt": 1924905600000_i64})
    );
    let version = edited["data"]["version"].as_i64().unwrap();
    let stale = [("if-match", format!("\"{}\"", version - 1))];
    let reply = call_with(
        &app,
        "PATCH",
        &with_args(ITEM, &[&home, &oat]),
        e,
        Some(json!({"name": "X"})),
        &stale,
    )
    .await;
    let stale_item = c.check("PATCH", ITEM, &reply);
    assert_eq!(
        (status(&reply), &stale_item["code"]),
        (409, &json!("STALE_VERSION"))
    );
    assert_eq!(stale_item["current"]["version"], version);
    let reply = call_with(
        &app,
        "PUT",
        &with_args(ITEM, &[&home, &oat]),
        e,
        Some(json!({"name": "X"})),
        &stale,
    )
    .await;
    c.check("PUT", ITEM, &reply);
    assert_eq!(status(&reply), 409);
    conform!(
        c,
        app,
        "PATCH",
        "/api/homes/{home_id}/items/{item_id}/toggle",
        [home, oat],
        e
    );
    conform!(
        c,
        app,
        "POST",
        "/api/homes/{home_id}/items/{item_id}/toggle",
        [home, oat],
        e
    );
    conform!(
        c,
        app,
        "POST",
        "/api/homes/{home_id}/items/{item_id}/toggle",
        [home, oat],
        f
    );
    const CONSUME: &str = "/api/homes/{home_id}/items/{item_id}/consume";
    conform!(
        c,
        app,
        "POST",
        CONSUME,
        [home, sugar],
        e,
        json!({"quantity": "0.25"})
    );
    conform!(
        c,
        app,
        "POST",
        CONSUME,
        [home, sugar],
        e,
        json!({"quantity": 0})
    );
    conform!(
        c,
        app,
        "POST",
        CONSUME,
        [home, sugar],
        e,
        json!({"quantity": 5})
    );
    let nothing = conform!(
        c,
        app,
        "POST",
        CONSUME,
        [home, sugar],
        e,
        json!({"quantity": 1})
    );
    assert_eq!(nothing["code"], "CONFLICT", "{nothing}");
    let stale_delete = send!(
        app,
        "DELETE",
        format!("/api/homes/{home}/items/{sugar}?version=1"),
        e
    );
    c.check("DELETE", ITEM, &stale_delete);
    assert_eq!(status(&stale_delete), 409);
    conform!(c, app, "DELETE", ITEM, [home, sugar], f);
    conform!(c, app, "DELETE", ITEM, [home, sugar], e);
    conform!(c, app, "DELETE", ITEM, [home, sugar], e);

    // Grocery lists.
    const LISTS: &str = "/api/homes/{home_id}/lists";
    const LIST: &str = "/api/homes/{home_id}/lists/{list_id}";
    let default = conform!(
        c,
        app,
        "GET",
        "/api/homes/{home_id}/lists/default",
        [home],
        f
    );
    let default = default["data"]["id"].as_str().unwrap().to_owned();
    let weekly = conform!(
        c,
        app,
        "POST",
        LISTS,
        [home],
        e,
        json!({"name": "Weekly shop", "description": "Saturdays", "totalBudget": "80",
               "recurringSchedule": "weekly", "scheduleDayOfWeek": 6,
               "items": [{"itemId": oat, "quantity": 2, "notes": "the organic one",
                          "estimatedPrice": "1.99"}]})
    );
    let weekly = weekly["data"]["id"].as_str().unwrap().to_owned();
    let party_id = uuid::Uuid::now_v7();
    let party = json!({"id": party_id, "name": "Party"});
    conform!(c, app, "POST", LISTS, [home], e, party.clone());
    let again = conform!(c, app, "POST", LISTS, [home], e, party);
    assert_eq!(again["data"]["id"], party_id.to_string());
    conform!(
        c,
        app,
        "POST",
        LISTS,
        [home],
        e,
        json!({"name": "", "scheduleDayOfWeek": 9})
    );
    conform!(c, app, "POST", LISTS, [home], f, json!({"name": "Mine"}));
    conform!(
        c,
        app,
        "POST",
        LISTS,
        [home],
        e,
        json!({"name": "Ghost", "items": [{"itemId": uuid::Uuid::now_v7()}]})
    );

    // Entries.
    const ENTRIES: &str = "/api/homes/{home_id}/lists/{list_id}/items";
    const ENTRY: &str = "/api/homes/{home_id}/lists/{list_id}/items/{entry_id}";
    let entry_id = uuid::Uuid::now_v7();
    let entry = json!({"id": entry_id, "itemId": bread_id, "quantity": "2"});
    conform!(c, app, "POST", ENTRIES, [home, weekly], e, entry.clone());
    conform!(c, app, "POST", ENTRIES, [home, weekly], e, entry);
    let more = send!(
        app,
        "POST",
        with_args(ENTRIES, &[&home, &weekly]),
        e,
        json!({"itemId": oat})
    );
    c.check("POST", ENTRIES, &more);
    assert_eq!(more.headers.get("pixie-merged").unwrap(), "true");
    conform!(
        c,
        app,
        "POST",
        ENTRIES,
        [home, weekly],
        e,
        json!({"quantity": 0})
    );
    conform!(
        c,
        app,
        "POST",
        ENTRIES,
        [home, weekly],
        f,
        json!({"itemId": oat})
    );
    conform!(
        c,
        app,
        "POST",
        ENTRIES,
        [home, weekly],
        e,
        json!({"itemId": uuid::Uuid::now_v7()})
    );
    const BY_NAME: &str = "/api/homes/{home_id}/lists/{list_id}/items/by-name";
    conform!(
        c,
        app,
        "POST",
        BY_NAME,
        [home, weekly],
        e,
        json!({"name": "Eggs", "quantity": 12, "unit": "piece", "category": "dairy"})
    );
    conform!(
        c,
        app,
        "POST",
        BY_NAME,
        [home, weekly],
        e,
        json!({"name": ""})
    );
    conform!(
        c,
        app,
        "POST",
        BY_NAME,
        [home, uuid::Uuid::now_v7()],
        e,
        json!({"name": "Eggs"})
    );
    conform!(
        c,
        app,
        "PUT",
        ENTRY,
        [home, weekly, entry_id],
        e,
        json!({"quantity": "2.5", "notes": "wholemeal", "estimatedPrice": "0.99"})
    );
    let edited = conform!(
        c,
        app,
        "PATCH",
        ENTRY,
        [home, weekly, entry_id],
        e,
        json!({"notes": null})
    );
    let version = edited["data"]["version"].as_i64().unwrap();
    let stale = [("if-match", format!("{}", version - 1))];
    let path = with_args(ENTRY, &[&home, &weekly, &entry_id]);
    let reply = call_with(&app, "PUT", &path, e, Some(json!({"quantity": 1})), &stale).await;
    c.check("PUT", ENTRY, &reply);
    assert_eq!(status(&reply), 409);
    let reply = call_with(
        &app,
        "PATCH",
        &path,
        e,
        Some(json!({"quantity": 1})),
        &stale,
    )
    .await;
    c.check("PATCH", ENTRY, &reply);
    conform!(
        c,
        app,
        "PATCH",
        ENTRY,
        [home, weekly, entry_id],
        e,
        json!({"quantity": 0})
    );
    conform!(
        c,
        app,
        "PATCH",
        ENTRY,
        [home, weekly, entry_id],
        f,
        json!({"quantity": 1})
    );
    const TOGGLE: &str = "/api/homes/{home_id}/lists/{list_id}/items/{entry_id}/toggle";
    conform!(c, app, "PATCH", TOGGLE, [home, weekly, entry_id], e);
    conform!(c, app, "POST", TOGGLE, [home, weekly, entry_id], e);
    conform!(
        c,
        app,
        "POST",
        TOGGLE,
        [home, weekly, uuid::Uuid::now_v7()],
        e
    );
    const BOUGHT: &str = "/api/homes/{home_id}/lists/{list_id}/items/{entry_id}/bought";
    conform!(c, app, "POST", BOUGHT, [home, weekly, entry_id], e);
    conform!(c, app, "POST", BOUGHT, [home, weekly, entry_id], e);
    conform!(c, app, "POST", BOUGHT, [home, weekly, entry_id], f);
    const REORDER_ENTRIES: &str = "/api/homes/{home_id}/lists/{list_id}/items/reorder";
    conform!(
        c,
        app,
        "POST",
        REORDER_ENTRIES,
        [home, weekly],
        e,
        json!({"ids": [entry_id]})
    );
    conform!(
        c,
        app,
        "POST",
        REORDER_ENTRIES,
        [home, weekly],
        e,
        json!({"ids": []})
    );
    conform!(
        c,
        app,
        "POST",
        REORDER_ENTRIES,
        [home, weekly],
        e,
        json!({"ids": [uuid::Uuid::now_v7()]})
    );
    let full = conform!(c, app, "GET", LISTS, [home], f);
    let weekly_read = full["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == weekly.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        weekly_read["items"].as_array().unwrap().len(),
        3,
        "{weekly_read}"
    );
    conform!(c, app, "GET", LIST, [home, weekly], f);
    conform!(c, app, "GET", LIST, [home, uuid::Uuid::now_v7()], e);
    conform!(
        c,
        app,
        "GET",
        "/api/homes/{home_id}/lists/{list_id}/stats",
        [home, weekly],
        f
    );
    let stale_remove = send!(app, "DELETE", format!("{path}?version=1"), e);
    c.check("DELETE", ENTRY, &stale_remove);
    assert_eq!(status(&stale_remove), 409);
    conform!(c, app, "DELETE", ENTRY, [home, weekly, entry_id], f);
    conform!(c, app, "DELETE", ENTRY, [home, weekly, entry_id], e);
    conform!(c, app, "DELETE", ENTRY, [home, weekly, entry_id], e);

    // The lists themselves.
    conform!(
        c,
        app,
        "PUT",
        LIST,
        [home, weekly],
        e,
        json!({"description": null, "recurringSchedule": "monthly", "scheduleDayOfMonth": 31})
    );
    conform!(
        c,
        app,
        "PUT",
        LIST,
        [home, weekly],
        e,
        json!({"scheduleDayOfMonth": 0})
    );
    let edited = conform!(
        c,
        app,
        "PATCH",
        LIST,
        [home, weekly],
        e,
        json!({"totalBudget": null})
    );
    let version = edited["data"]["version"].as_i64().unwrap();
    conform!(
        c,
        app,
        "PATCH",
        LIST,
        [home, weekly],
        f,
        json!({"name": "Mine"})
    );
    let stale = conform!(
        c,
        app,
        "PUT",
        LIST,
        [home, weekly],
        e,
        json!({"name": "X", "version": 1})
    );
    assert_eq!(stale["current"]["version"], version, "{stale}");
    conform!(
        c,
        app,
        "PATCH",
        LIST,
        [home, weekly],
        e,
        json!({"name": "X", "version": 1})
    );
    for (method, action) in [
        ("PATCH", "complete"),
        ("POST", "complete"),
        ("PATCH", "uncomplete"),
        ("POST", "uncomplete"),
        ("PATCH", "reset"),
        ("POST", "reset"),
    ] {
        let template = format!("/api/homes/{{home_id}}/lists/{{list_id}}/{action}");
        let reply = send!(app, method, with_args(&template, &[&home, &weekly]), e);
        c.check(method, &template, &reply);
        assert_eq!(status(&reply), 200, "{method} {action}: {:?}", reply.body);
        let refused = send!(app, method, with_args(&template, &[&home, &weekly]), f);
        c.check(method, &template, &refused);
        assert_eq!(status(&refused), 403, "{method} {action}");
        let missing = send!(
            app,
            method,
            with_args(&template, &[&home, &uuid::Uuid::now_v7()]),
            e
        );
        c.check(method, &template, &missing);
    }
    const REORDER_LISTS: &str = "/api/homes/{home_id}/lists/reorder";
    conform!(
        c,
        app,
        "POST",
        REORDER_LISTS,
        [home],
        e,
        json!({"ids": [weekly, party_id]})
    );
    conform!(
        c,
        app,
        "POST",
        REORDER_LISTS,
        [home],
        e,
        json!({"ids": [weekly, weekly]})
    );
    conform!(
        c,
        app,
        "POST",
        REORDER_LISTS,
        [home],
        f,
        json!({"ids": [weekly]})
    );
    let stale_delete = send!(
        app,
        "DELETE",
        format!("/api/homes/{home}/lists/{weekly}?version=1"),
        e
    );
    c.check("DELETE", LIST, &stale_delete);
    assert!(
        stale_delete.json()["current"].is_object(),
        "{:?}",
        stale_delete.body
    );
    conform!(c, app, "DELETE", LIST, [home, default], e);
    conform!(c, app, "DELETE", LIST, [home, weekly], f);
    conform!(c, app, "DELETE", LIST, [home, party_id], e);

    // Activity, preferences, export and import.
    const ACTIVITY: &str = "/api/homes/{home_id}/activity";
    let feed = conform!(c, app, "GET", ACTIVITY, [home], f);
    assert!(
        feed["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|entry| entry["itemId"].is_string())
    );
    let page = send!(
        app,
        "GET",
        format!("/api/homes/{home}/activity?limit=2&before=5"),
        e
    );
    c.check("GET", ACTIVITY, &page);
    let bad_page = send!(
        app,
        "GET",
        format!("/api/homes/{home}/activity?limit=0&before=x"),
        e
    );
    c.check("GET", ACTIVITY, &bad_page);
    conform!(c, app, "GET", ACTIVITY, [uuid::Uuid::now_v7()], e);

    // The inbox: finn (a viewer) reads and marks; erin acts on a running-low notice.
    const INBOX: &str = "/api/homes/{home_id}/notifications";
    const READ: &str = "/api/homes/{home_id}/notifications/{id}/read";
    const ADD_TO_LIST: &str = "/api/homes/{home_id}/notifications/{id}/add-to-list";
    let low = state
        .notifications
        .notify(
            &pantry_core::change_log::Actor::system(),
            home,
            &pantry_core::notifications::NewNotice {
                recipient: None,
                kind: pantry_core::notifications::NoticeKind::RunningLow,
                title: "Running low on Coffee".to_owned(),
                body: Some("You usually buy more about now.".to_owned()),
                ref_id: None,
                once_key: None,
                data: Some(json!({"itemName": "Coffee"})),
            },
        )
        .await
        .unwrap()
        .unwrap()
        .id;
    let inbox = conform!(c, app, "GET", INBOX, [home], f);
    assert!(!inbox["data"].as_array().unwrap().is_empty(), "{inbox}");
    let unread = send!(
        app,
        "GET",
        format!("/api/homes/{home}/notifications?unread=true&limit=1"),
        f
    );
    c.check("GET", INBOX, &unread);
    let bad = send!(
        app,
        "GET",
        format!("/api/homes/{home}/notifications?limit=x"),
        f
    );
    c.check("GET", INBOX, &bad);
    conform!(c, app, "GET", INBOX, [uuid::Uuid::now_v7()], f);
    conform!(c, app, "PATCH", READ, [home, low], f);
    conform!(c, app, "PATCH", READ, [home, uuid::Uuid::now_v7()], f);
    conform!(
        c,
        app,
        "POST",
        "/api/homes/{home_id}/notifications/read-all",
        [home],
        f
    );
    conform!(c, app, "POST", ADD_TO_LIST, [home, low], f);
    conform!(c, app, "POST", ADD_TO_LIST, [home, low], e);
    conform!(c, app, "POST", ADD_TO_LIST, [home, low], e);
    let partner = inbox["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["type"] == "partner_activity")
        .map(|n| n["id"].as_str().unwrap().to_owned());
    if let Some(partner) = partner {
        conform!(c, app, "POST", ADD_TO_LIST, [home, partner], f);
    }

    // Chat, answered by offline Pixie.
    const THREADS: &str = "/api/homes/{home_id}/chat/threads";
    const THREAD: &str = "/api/homes/{home_id}/chat/threads/{thread_id}";
    const MESSAGES: &str = "/api/homes/{home_id}/chat/threads/{thread_id}/messages";
    let thread = conform!(c, app, "POST", THREADS, [home], e);
    let thread = thread["data"]["id"].as_str().unwrap().to_owned();
    conform!(c, app, "POST", THREADS, [home], e, json!({"title": ""}));
    conform!(c, app, "GET", THREADS, [home], f);
    conform!(c, app, "GET", THREAD, [home, thread], f);
    conform!(
        c,
        app,
        "PATCH",
        THREAD,
        [home, thread],
        f,
        json!({"title": "Dinner"})
    );
    conform!(
        c,
        app,
        "PATCH",
        THREAD,
        [home, thread],
        e,
        json!({"title": "Dinner"})
    );
    let turn = conform!(
        c,
        app,
        "POST",
        MESSAGES,
        [home, thread],
        e,
        json!({"content": "add 2 milk and bread to the list"})
    );
    assert_eq!(
        turn["data"]["assistantMessage"]["ui"]["type"], "grocery-list",
        "{turn}"
    );
    conform!(
        c,
        app,
        "POST",
        MESSAGES,
        [home, thread],
        e,
        json!({"content": ""})
    );
    conform!(c, app, "GET", MESSAGES, [home, thread], f);
    let older = send!(
        app,
        "GET",
        format!("/api/homes/{home}/chat/threads/{thread}/messages?limit=1&before=x"),
        f
    );
    c.check("GET", MESSAGES, &older);
    conform!(c, app, "GET", "/api/homes/{home_id}/chat/usage", [home], f);
    const BUDGET: &str = "/api/homes/{home_id}/budget";
    const PREDICTIONS: &str = "/api/homes/{home_id}/predictions";
    let both = conform!(c, app, "GET", BUDGET, [home], f);
    assert!(both["data"]["week"]["total"].is_number(), "{both}");
    for query in ["?period=month", "?period=year"] {
        let reply = send!(app, "GET", format!("/api/homes/{home}/budget{query}"), f);
        c.check("GET", BUDGET, &reply);
    }
    conform!(c, app, "GET", BUDGET, [uuid::Uuid::now_v7()], e);
    let soon = conform!(c, app, "GET", PREDICTIONS, [home], f);
    assert!(soon["data"]["predictions"].is_array(), "{soon}");
    let bad = send!(
        app,
        "GET",
        format!("/api/homes/{home}/predictions?period=0"),
        f
    );
    c.check("GET", PREDICTIONS, &bad);
    conform!(c, app, "GET", PREDICTIONS, [uuid::Uuid::now_v7()], e);

    // Receipts: scan (erin; finn only reads), confirm, list and read.
    const RECEIPTS: &str = "/api/homes/{home_id}/receipts";
    const SCAN: &str = "/api/homes/{home_id}/receipts/scan";
    const CONFIRM: &str = "/api/homes/{home_id}/receipts/confirm";
    let png = json!({"image": "data:image/png;base64,iVBORw0KGgo="});
    let scanned = conform!(c, app, "POST", SCAN, [home], e, png.clone());
    conform!(c, app, "POST", SCAN, [home], f, png.clone());
    conform!(
        c,
        app,
        "POST",
        SCAN,
        [home],
        e,
        json!({"image": "https://example.com/r.png"})
    );
    conform!(c, app, "POST", SCAN, [uuid::Uuid::now_v7()], e, png);
    let confirmed = conform!(c, app, "POST", CONFIRM, [home], e, scanned["data"].clone());
    conform!(c, app, "POST", CONFIRM, [home], e, json!({"items": []}));
    conform!(
        c,
        app,
        "POST",
        CONFIRM,
        [home],
        f,
        json!({"items": [{"name": "Tea"}]})
    );
    let receipt = confirmed["data"]["receiptId"].as_str().unwrap().to_owned();
    conform!(c, app, "GET", RECEIPTS, [home], f);
    let bad_page = send!(app, "GET", format!("/api/homes/{home}/receipts?limit=0"), f);
    c.check("GET", RECEIPTS, &bad_page);
    conform!(
        c,
        app,
        "GET",
        "/api/homes/{home_id}/receipts/{receipt_id}",
        [home, receipt],
        f
    );
    conform!(
        c,
        app,
        "GET",
        "/api/homes/{home_id}/receipts/{receipt_id}",
        [home, uuid::Uuid::now_v7()],
        f
    );
    conform!(c, app, "DELETE", THREAD, [home, thread], e);
    conform!(c, app, "GET", THREAD, [home, thread], e);
    const PREFERENCES: &str = "/api/users/me/preferences";
    conform!(c, app, "GET", PREFERENCES, [], e);
    let bad_home = send!(app, "GET", format!("{PREFERENCES}?homeId=nope"), e);
    c.check("GET", PREFERENCES, &bad_home);
    let other_home = send!(
        app,
        "GET",
        format!("{PREFERENCES}?homeId={}", uuid::Uuid::now_v7()),
        e
    );
    c.check("GET", PREFERENCES, &other_home);
    conform!(
        c,
        app,
        "PATCH",
        PREFERENCES,
        [],
        e,
        json!({"dietaryRestrictions": ["vegan"], "cookingSkillLevel": "intermediate",
               "budgetConsciousness": "high", "mutedNotificationTypes": ["sunday_sync"],
               "householdSize": 3, "sharedDietaryRestrictions": ["nut-free"],
               "monthlyBudget": "250.50"})
    );
    conform!(
        c,
        app,
        "PATCH",
        PREFERENCES,
        [],
        f,
        json!({"householdSize": 2})
    );
    conform!(
        c,
        app,
        "PATCH",
        PREFERENCES,
        [],
        f,
        json!({"cookingSkillLevel": "chef"})
    );
    conform!(c, app, "PATCH", PREFERENCES, [], f, json!({}));
    let finn_own = send!(
        app,
        "PATCH",
        format!("{PREFERENCES}?homeId={}", finn.home),
        f,
        json!({"cookingSkillLevel": null, "monthlyBudget": null})
    );
    c.check("PATCH", PREFERENCES, &finn_own);
    assert_eq!(status(&finn_own), 200, "{:?}", finn_own.body);
    let export = conform!(c, app, "GET", "/api/homes/{home_id}/export", [home], f);
    assert!(!export["items"].as_array().unwrap().is_empty(), "{export}");
    conform!(
        c,
        app,
        "GET",
        "/api/homes/{home_id}/export",
        [uuid::Uuid::now_v7()],
        e
    );
    conform!(c, app, "POST", "/api/homes/import", [], f, export);
    conform!(
        c,
        app,
        "POST",
        "/api/homes/import",
        [],
        f,
        json!({"format": "pantry-pixie/home-export", "version": 99,
               "exportedAt": "2026-12-04T09:00:00Z", "home": {"name": "", "timezone": "Mars/Base",
               "currency": "XXX", "description": null, "monthlyBudgetMinor": null,
               "householdSize": null}})
    );

    // Sessions last: they end alice's tokens.
    conform!(
        c,
        app,
        "POST",
        "/api/auth/password",
        [],
        a,
        json!({"currentPassword": "not it", "newPassword": "another long password"})
    );
    let fresh = conform!(
        c,
        app,
        "POST",
        "/api/auth/password",
        [],
        a,
        json!({"currentPassword": password, "newPassword": "another long password"})
    );
    let fresh = fresh["data"]["token"].as_str().unwrap().to_owned();
    conform!(c, app, "POST", "/api/auth/logout-all", [], Some(&fresh));
    conform!(c, app, "POST", "/api/auth/logout-all", [], Some(&fresh));

    // The page itself is HTML; its status is what matters.
    conform!(c, app, "GET", "/api/docs", [], None);

    assert!(
        c.errors.is_empty(),
        "responses differ from the document:\n{}",
        c.errors.join("\n")
    );
    let never: Vec<_> = documented_operations(&doc)
        .into_iter()
        .filter(|op| !c.seen.contains(op))
        .collect();
    assert!(
        never.is_empty(),
        "no successful call checked these operations; add one to responses_match_the_document: \
         {never:?}"
    );
}
