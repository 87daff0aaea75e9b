//! The tools Pixie may call. Each runs through the same use case as the REST route, as
//! `Actor::pixie(asking user)`, so it is authorized, logged in the change log with
//! `actorKind: "pixie"` and broadcast like any other change.
//!
//! No tool takes a home: the home is the one the conversation is in ([`ToolContext`]), and
//! every id or name an argument carries is looked up inside that home only.

mod cards;
mod insights;
mod lists;
mod pantry;
mod receipts;
mod specs;

use crate::change_log::Actor;
use crate::insights::{BudgetService, PredictionService};
use crate::items::{ItemError, ItemService};
use crate::lists::{ListError, ListService};
use crate::pixie::model::{ToolCall, ToolSpec};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::sync::Arc;
use uuid::Uuid;

pub use receipts::{
    PRESENT_RECEIPT_REVIEW, present_receipt_review, receipt_message, receipt_review_card,
    receipt_review_spec,
};
pub use specs::tool_specs;

/// Where and for whom a tool runs.
#[derive(Debug, Clone, Copy)]
pub struct ToolContext {
    /// The home of the conversation; the only home a tool can touch.
    pub home_id: Uuid,
    /// The member who asked; Pixie acts on their behalf and with their role.
    pub user_id: Uuid,
    /// A list the client had open when asking, used when the request names none.
    pub scoped_list: Option<Uuid>,
    /// Now, by the turn's clock (expiry dates are computed from it).
    pub now: DateTime<Utc>,
}

impl ToolContext {
    fn actor(&self) -> Actor {
        Actor::pixie(self.user_id)
    }
}

/// What running a tool call produced.
#[derive(Debug, Clone, PartialEq)]
pub enum ToolOutcome {
    /// It ran (successfully or not); `result` goes back to the model, `ui` to the client.
    Ran {
        /// `{"ok": bool, "message": "...", ...}` for the model to read.
        result: Value,
        /// A card to show with the reply (`{"type": ..., "data": ...}`), if the tool has one.
        ui: Option<Value>,
    },
    /// The arguments did not fit the tool's schema; the text says why (for a repair round).
    Invalid(String),
}

impl ToolOutcome {
    fn ok(message: impl Into<String>, data: Value) -> ToolOutcome {
        let mut result = json!({ "ok": true, "message": message.into() });
        if let (Value::Object(into), Value::Object(from)) = (&mut result, data) {
            into.extend(from);
        }
        ToolOutcome::Ran { result, ui: None }
    }

    fn failed(message: impl Into<String>) -> ToolOutcome {
        ToolOutcome::Ran {
            result: json!({ "ok": false, "message": message.into() }),
            ui: None,
        }
    }

    fn with_ui(self, card: Value) -> ToolOutcome {
        match self {
            ToolOutcome::Ran { result, .. } => ToolOutcome::Ran {
                result,
                ui: Some(card),
            },
            invalid => invalid,
        }
    }
}

/// The use cases behind the tools.
pub struct Toolbox {
    items: Arc<ItemService>,
    lists: Arc<ListService>,
    budget: Arc<BudgetService>,
    predictions: Arc<PredictionService>,
}

impl Toolbox {
    /// The tools over the pantry, list and insight use cases.
    pub fn new(
        items: Arc<ItemService>,
        lists: Arc<ListService>,
        budget: Arc<BudgetService>,
        predictions: Arc<PredictionService>,
    ) -> Toolbox {
        Toolbox {
            items,
            lists,
            budget,
            predictions,
        }
    }

    /// The tools to offer the model.
    pub fn specs(&self) -> Vec<ToolSpec> {
        tool_specs()
    }

    /// Runs one call. Errors of the store become a failed result the model can talk about;
    /// they are never silently dropped.
    pub async fn run(&self, ctx: &ToolContext, call: &ToolCall) -> ToolOutcome {
        match call.name.as_str() {
            "addItem" => pantry::add_item(&self.items, ctx, &call.arguments).await,
            "listItems" => pantry::list_items(&self.items, ctx, &call.arguments).await,
            "removeItem" => pantry::remove_item(&self.items, ctx, &call.arguments).await,
            "consumeItem" => pantry::consume_item(&self.items, ctx, &call.arguments).await,
            "checkItem" => pantry::check_item(&self.items, ctx, &call.arguments).await,
            "setRecurring" => pantry::set_recurring(&self.items, ctx, &call.arguments).await,
            "suggestMeals" => pantry::suggest_meals(&self.items, ctx, &call.arguments).await,
            "addToList" => lists::add_to_list(&self.lists, ctx, &call.arguments).await,
            "listGroceryLists" => lists::overview(&self.lists, ctx, &call.arguments).await,
            "showGroceryListEditor" => lists::editor(&self.lists, ctx, &call.arguments).await,
            "checkOffListItem" => lists::check_off(&self.lists, ctx, &call.arguments).await,
            "queryBudget" => insights::query_budget(&self.budget, ctx, &call.arguments).await,
            "checkPredictions" => {
                insights::check_predictions(&self.predictions, ctx, &call.arguments).await
            }
            other => ToolOutcome::Invalid(format!(
                "there is no tool named \"{other}\"; use one of the tools offered"
            )),
        }
    }
}

/// What to tell the model when a pantry use case refused.
fn item_failure(error: ItemError) -> ToolOutcome {
    match error {
        ItemError::Forbidden(_) => {
            ToolOutcome::failed("This member can only view the home, not change it.")
        }
        ItemError::HomeNotFound => ToolOutcome::failed("This home is not available any more."),
        ItemError::NotFound => ToolOutcome::failed("That item is not in the pantry any more."),
        ItemError::Stale(_) => ToolOutcome::failed("Someone changed that item just now."),
        ItemError::Conflict(why) => ToolOutcome::failed(format!("That did not work: {why}.")),
        ItemError::Repo(_) => ToolOutcome::failed("The pantry could not be reached just now."),
    }
}

/// What to tell the model when a list use case refused.
fn list_failure(error: ListError) -> ToolOutcome {
    match error {
        ListError::Forbidden(_) => {
            ToolOutcome::failed("This member can only view the home, not change it.")
        }
        ListError::HomeNotFound => ToolOutcome::failed("This home is not available any more."),
        ListError::ListNotFound => ToolOutcome::failed("That list does not exist in this home."),
        ListError::EntryNotFound | ListError::ItemNotFound => {
            ToolOutcome::failed("That entry is not on the list any more.")
        }
        ListError::StaleList(_) | ListError::StaleEntry(_) => {
            ToolOutcome::failed("Someone changed that list just now.")
        }
        ListError::Conflict(why) => ToolOutcome::failed(format!("That did not work: {why}.")),
        ListError::Repo(_) => ToolOutcome::failed("The lists could not be reached just now."),
    }
}
