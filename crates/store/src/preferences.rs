//! A user's own preferences in the `users` row: the diet and muted notification types as JSON
//! arrays in TEXT columns, the two levels as TEXT under CHECK constraints.
//! [`StoreAccounts`](crate::StoreAccounts) serves the port methods from here.

use crate::connection::AnyConnection;
use crate::error::to_repo_error;
use crate::schema::users;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pantry_core::accounts::preferences::{
    BudgetConsciousness, CookingSkill, NotificationType, UserPreferences, UserPreferencesEdit,
};
use pantry_core::repo_error::RepoError;
use uuid::Uuid;

/// The user's preferences, `None` without such a user.
pub(crate) async fn load(
    conn: &mut AnyConnection,
    user_id: Uuid,
) -> Result<Option<UserPreferences>, RepoError> {
    let row: Option<PreferencesRow> = users::table
        .find(user_id.to_string())
        .select((
            users::dietary_restrictions,
            users::cooking_skill_level,
            users::budget_consciousness,
            users::muted_notification_types,
        ))
        .first(conn)
        .await
        .optional()
        .map_err(to_repo_error)?;
    row.map(|row| row.into_preferences(user_id)).transpose()
}

/// Writes the fields `edit` names and `updated_at`; `NotFound` without such a user.
pub(crate) async fn update(
    conn: &mut AnyConnection,
    user_id: Uuid,
    edit: &UserPreferencesEdit,
    at: DateTime<Utc>,
) -> Result<(), RepoError> {
    let dietary = edit
        .dietary_restrictions
        .as_ref()
        .map(|list| to_json(&list.iter().map(String::as_str).collect::<Vec<_>>()))
        .transpose()?;
    let muted = edit
        .muted_notification_types
        .as_ref()
        .map(|types| to_json(&types.iter().map(|t| t.as_str()).collect::<Vec<_>>()))
        .transpose()?;
    let changes = PreferenceChanges {
        dietary_restrictions: dietary.as_deref(),
        cooking_skill_level: edit
            .cooking_skill_level
            .map(|level| level.map(CookingSkill::as_str)),
        budget_consciousness: edit
            .budget_consciousness
            .map(|level| level.map(BudgetConsciousness::as_str)),
        muted_notification_types: muted.as_deref(),
    };
    // updated_at is always set, so the changeset is never empty.
    let updated = diesel::update(users::table.find(user_id.to_string()))
        .set((&changes, users::updated_at.eq(at.naive_utc())))
        .execute(conn)
        .await
        .map_err(to_repo_error)?;
    if updated == 0 {
        return Err(RepoError::NotFound);
    }
    Ok(())
}

fn to_json(list: &[&str]) -> Result<String, RepoError> {
    serde_json::to_string(list)
        .map_err(|err| RepoError::Storage(format!("preferences not serialisable: {err}")))
}

/// The fields an edit sets: `None` leaves a column alone, `Some(None)` writes NULL.
#[derive(AsChangeset)]
#[diesel(table_name = users)]
struct PreferenceChanges<'a> {
    dietary_restrictions: Option<&'a str>,
    cooking_skill_level: Option<Option<&'a str>>,
    budget_consciousness: Option<Option<&'a str>>,
    muted_notification_types: Option<&'a str>,
}

#[derive(Queryable)]
struct PreferencesRow {
    dietary_restrictions: String,
    cooking_skill_level: Option<String>,
    budget_consciousness: Option<String>,
    muted_notification_types: String,
}

impl PreferencesRow {
    fn into_preferences(self, user_id: Uuid) -> Result<UserPreferences, RepoError> {
        let corrupt = |column: &str| {
            RepoError::Storage(format!("users.{column} of {user_id}: not a known value"))
        };
        let cooking_skill_level = match self.cooking_skill_level.as_deref() {
            Some(text) => {
                Some(CookingSkill::parse(text).ok_or_else(|| corrupt("cooking_skill_level"))?)
            }
            None => None,
        };
        let budget_consciousness = match self.budget_consciousness.as_deref() {
            Some(text) => Some(
                BudgetConsciousness::parse(text).ok_or_else(|| corrupt("budget_consciousness"))?,
            ),
            None => None,
        };
        // Rows imported from the earlier server may hold `null` or retired notification types:
        // those read as "nothing" rather than making the account unreadable.
        let muted = strings(&self.muted_notification_types)
            .iter()
            .filter_map(|t| NotificationType::parse(t))
            .fold(Vec::new(), |mut muted, t| {
                if !muted.contains(&t) {
                    muted.push(t);
                }
                muted
            });
        Ok(UserPreferences {
            dietary_restrictions: strings(&self.dietary_restrictions),
            cooking_skill_level,
            budget_consciousness,
            muted_notification_types: muted,
        })
    }
}

/// The strings of a JSON array; anything else reads as empty.
fn strings(json: &str) -> Vec<String> {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Array(items)) => items
            .into_iter()
            .filter_map(|item| match item {
                serde_json::Value::String(s) => Some(s),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::strings;

    #[test]
    fn legacy_json_reads_leniently() {
        assert_eq!(strings(r#"["vegan","halal"]"#), ["vegan", "halal"]);
        assert_eq!(strings(r#"["vegan",3,null]"#), ["vegan"]);
        assert!(strings("null").is_empty());
        assert!(strings("not json").is_empty());
    }
}
