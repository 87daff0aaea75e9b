//! Shared state handed to every handler.

use crate::auth::jwt::TokenService;
use crate::items::listing_cache::ListingCache;
use crate::live::LiveHub;
use pantry_core::accounts::preferences::PreferencesService;
use pantry_core::accounts::service::AccountService;
use pantry_core::activity::ActivityFeed;
use pantry_core::change_feed::ChangeFeed;
use pantry_core::health::HealthProbe;
use pantry_core::homes::invites::InviteService;
use pantry_core::homes::service::HomeService;
use pantry_core::idempotency::Idempotency;
use pantry_core::insights::{BudgetService, PredictionService};
use pantry_core::items::ItemService;
use pantry_core::lists::ListService;
use pantry_core::notifications::NotificationService;
use pantry_core::pixie::service::ChatService;
use pantry_core::portability::PortabilityService;
use pantry_core::receipts::ReceiptService;
use std::sync::Arc;
use std::time::Instant;

/// Whether Pixie can answer, as reported by `/health` (`agent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AgentStatus {
    /// A language model is configured.
    Ready,
    /// No model is configured; the assistant runs without one.
    Offline,
}

impl AgentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AgentStatus::Ready => "ready",
            AgentStatus::Offline => "offline",
        }
    }
}

/// Application state: ports held as trait objects so handlers stay non-generic.
#[derive(Clone)]
pub struct AppState {
    pub database: Arc<dyn HealthProbe>,
    pub started: Instant,
    pub log: slog::Logger,
    pub accounts: Arc<AccountService>,
    pub tokens: Arc<TokenService>,
    pub homes: Arc<HomeService>,
    pub invites: Arc<InviteService>,
    pub changes: Arc<ChangeFeed>,
    pub items: Arc<ItemService>,
    pub portability: Arc<PortabilityService>,
    pub preferences: Arc<PreferencesService>,
    pub activity: Arc<ActivityFeed>,
    pub idempotency: Arc<Idempotency>,
    pub lists: Arc<ListService>,
    /// Chat threads and Pixie's turns.
    pub chat: Arc<ChatService>,
    /// Receipt scanning (with a vision model) and confirming.
    pub receipts: Arc<ReceiptService>,
    /// Pantry listings as last sent, checked against the home's change-log seq.
    pub item_listings: Arc<ListingCache>,
    /// Each member's inbox of notifications.
    pub notifications: Arc<NotificationService>,
    /// Live sockets and the delivery of the change log to them.
    pub live: LiveHub,
    /// Spending summaries.
    pub budget: Arc<BudgetService>,
    /// Restock predictions.
    pub predictions: Arc<PredictionService>,
}
