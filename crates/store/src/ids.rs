//! Reading stored ids back. Ids are written as TEXT UUIDs by this crate only, so one that does
//! not parse means the row was written by something else: a storage fault, not bad input.

use pantry_core::repo_error::RepoError;
use uuid::Uuid;

/// Parses the id in `table.column`; `RepoError::Storage` naming the column when it is not a
/// UUID.
pub(crate) fn parse_stored_id(table: &str, column: &str, text: &str) -> Result<Uuid, RepoError> {
    Uuid::parse_str(text)
        .map_err(|_| RepoError::Storage(format!("{table}.{column}: invalid id {text:?}")))
}
