//! `/api/homes/:homeId/lists/*`: grocery lists ([`routes`]) and their entries ([`entries`]).
//! Handlers parse and validate; `ListService` decides.

pub mod entries;
pub mod routes;

use crate::error::{ApiError, FieldError};
use pantry_core::lists::ListError;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// How a refused list operation is answered.
pub(crate) fn list_error(error: ListError) -> ApiError {
    match error {
        ListError::HomeNotFound => ApiError::not_found("Home not found"),
        ListError::ListNotFound => ApiError::not_found("List not found"),
        ListError::EntryNotFound => ApiError::not_found("List item not found"),
        ListError::ItemNotFound => ApiError::not_found("Item not found"),
        ListError::Forbidden(why) => ApiError::forbidden(format!("Forbidden: {why}")),
        ListError::StaleList(current) => ApiError::stale(&*current),
        ListError::StaleEntry(current) => ApiError::stale(&*current),
        ListError::Conflict(why) => ApiError::conflict(why),
        ListError::Repo(e) => e.into(),
    }
}

// `{ids: [...]}` of the reorder routes.
/// The new order: these ids first, in this order; the others keep their order after them.
#[derive(Deserialize, ToSchema)]
#[schema(as = Reorder)]
pub(crate) struct ReorderBody {
    /// 1 to 1000 ids, each once.
    #[schema(required = true, nullable = false, min_items = 1, max_items = 1000)]
    ids: Option<Vec<Uuid>>,
}

impl ReorderBody {
    /// The ids: present, 1 to [`limits::REORDER_IDS`] of them, each once.
    ///
    /// [`limits::REORDER_IDS`]: pantry_core::lists::list::limits::REORDER_IDS
    pub(crate) fn ids(self) -> Result<Vec<Uuid>, ApiError> {
        use pantry_core::lists::list::limits::REORDER_IDS;
        let refuse = |msg: String| ApiError::validation(vec![FieldError::new("ids", msg)]);
        let ids = self.ids.ok_or_else(|| refuse("is required".to_owned()))?;
        if ids.is_empty() || ids.len() > REORDER_IDS {
            return Err(refuse(format!("must list 1 to {REORDER_IDS} ids")));
        }
        let mut seen = std::collections::HashSet::new();
        if !ids.iter().all(|id| seen.insert(*id)) {
            return Err(refuse("must not repeat an id".to_owned()));
        }
        Ok(ids)
    }
}
