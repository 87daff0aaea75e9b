//! Grocery-list tools: add by name, tick off, and the list cards.

use super::pantry::{arguments, quantity_of, unit_of};
use super::{ToolContext, ToolOutcome, cards, list_failure};
use crate::items::item::normalize_name;
use crate::lists::entry::ItemByName;
use crate::lists::{GroceryListWithItems, ListError, ListService, NewList};
use crate::pixie::arguments::{flag, number_or_string, one_or_many, parse_arguments};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

/// Words people (and models) wrap a list's name in: "the weekend shopping list".
const FILLER: [&str; 6] = ["the", "my", "our", "list", "shopping", "grocery"];

fn core_name(name: &str) -> String {
    normalize_name(name)
        .split(' ')
        .filter(|w| !FILLER.contains(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The list a request means: by name (exact, then partial, ignoring filler words; created
/// when `create_missing` and nothing matches), else the list the client had open, else the
/// default list. Only lists of the conversation's home are ever considered.
async fn resolve(
    lists: &ListService,
    ctx: &ToolContext,
    name: Option<&str>,
    create_missing: bool,
) -> Result<Option<GroceryListWithItems>, ListError> {
    let actor = ctx.actor();
    let wanted = name.map(core_name).filter(|n| !n.is_empty());
    if let Some(wanted) = wanted {
        let all = lists.lists(&actor, ctx.home_id).await?;
        let exact = all.iter().position(|l| core_name(&l.list.name) == wanted);
        let partial = || {
            all.iter()
                .position(|l| core_name(&l.list.name).contains(&wanted))
        };
        if let Some(i) = exact.or_else(partial) {
            return Ok(all.into_iter().nth(i));
        }
        if !create_missing {
            return Ok(None);
        }
        let title = title_case(&wanted);
        let created = lists
            .create(&actor, ctx.home_id, NewList::named(title))
            .await?
            .into_inner();
        return lists.get(&actor, ctx.home_id, created.id).await.map(Some);
    }
    if let Some(scoped) = ctx.scoped_list {
        match lists.get(&actor, ctx.home_id, scoped).await {
            Ok(list) => return Ok(Some(list)),
            Err(ListError::ListNotFound) => {}
            Err(e) => return Err(e),
        }
    }
    let default = lists.default_list(&actor, ctx.home_id).await?;
    lists.get(&actor, ctx.home_id, default.id).await.map(Some)
}

fn title_case(name: &str) -> String {
    name.split(' ')
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wanted {
    name: String,
    #[serde(default, deserialize_with = "number_or_string")]
    quantity: Option<f64>,
    unit: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AddToListArgs {
    #[serde(deserialize_with = "one_or_many")]
    items: Vec<Wanted>,
    list_name: Option<String>,
}

pub(super) async fn add_to_list(lists: &ListService, ctx: &ToolContext, raw: &str) -> ToolOutcome {
    let args: AddToListArgs = arguments!(raw);
    if args.items.is_empty() || args.items.len() > 50 {
        return ToolOutcome::Invalid("items must hold 1 to 50 entries".to_owned());
    }
    let mut wanted = Vec::with_capacity(args.items.len());
    for item in &args.items {
        let Ok(name) = crate::items::item::parse_name(&item.name) else {
            return ToolOutcome::Invalid(
                "every item needs a name of 1 to 255 characters".to_owned(),
            );
        };
        let quantity = match quantity_of(item.quantity) {
            Ok(q) => q,
            Err(why) => return ToolOutcome::Invalid(why),
        };
        let (unit, _) = unit_of(item.unit.as_deref());
        wanted.push(ItemByName {
            name,
            quantity,
            unit,
            category: None,
        });
    }
    let list = match resolve(lists, ctx, args.list_name.as_deref(), true).await {
        Ok(Some(list)) => list,
        Ok(None) => return ToolOutcome::failed("That list does not exist in this home."),
        Err(e) => return list_failure(e),
    };
    let mut added = Vec::new();
    for want in wanted {
        let label = match want.unit {
            Some(unit) => format!("{} {} {}", want.quantity, unit.as_str(), want.name),
            None if want.quantity == crate::items::Quantity::ONE => want.name.clone(),
            None => format!("{} {}", want.quantity, want.name),
        };
        match lists
            .add_by_name(&ctx.actor(), ctx.home_id, list.list.id, want)
            .await
        {
            Ok(_) => added.push(label),
            Err(e) => {
                if added.is_empty() {
                    return list_failure(e);
                }
                // Keep what was added; say where it stopped.
                break;
            }
        }
    }
    let after = match lists.get(&ctx.actor(), ctx.home_id, list.list.id).await {
        Ok(after) => after,
        Err(e) => return list_failure(e),
    };
    let message = format!("Added {} to {}.", join_words(&added), after.list.name);
    ToolOutcome::ok(message, json!({ "listId": after.list.id, "added": added }))
        .with_ui(cards::grocery_list(&after))
}

/// "a", "a and b", "a, b and c".
pub(crate) fn join_words(words: &[String]) -> String {
    match words {
        [] => "nothing".to_owned(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OverviewArgs {
    #[serde(default, deserialize_with = "flag")]
    include_completed: Option<bool>,
}

pub(super) async fn overview(lists: &ListService, ctx: &ToolContext, raw: &str) -> ToolOutcome {
    let args: OverviewArgs = arguments!(raw);
    let all = match lists.lists(&ctx.actor(), ctx.home_id).await {
        Ok(all) => all,
        Err(e) => return list_failure(e),
    };
    let shown: Vec<GroceryListWithItems> = all
        .into_iter()
        .filter(|l| l.list.is_active || args.include_completed.unwrap_or(false))
        .collect();
    let names: Vec<String> = shown
        .iter()
        .map(|l| {
            format!(
                "{} ({} of {} done)",
                l.list.name, l.completed_items, l.total_items
            )
        })
        .collect();
    let message = format!(
        "{} list{}: {}.",
        shown.len(),
        if shown.len() == 1 { "" } else { "s" },
        join_words(&names)
    );
    ToolOutcome::ok(message, json!({ "count": shown.len() })).with_ui(cards::overview(&shown))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EditorArgs {
    list_id: Option<String>,
    list_name: Option<String>,
}

pub(super) async fn editor(lists: &ListService, ctx: &ToolContext, raw: &str) -> ToolOutcome {
    let args: EditorArgs = arguments!(raw);
    let by_id = match args
        .list_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(text) => match Uuid::parse_str(text) {
            Ok(id) => Some(id),
            Err(_) => return ToolOutcome::Invalid(format!("listId \"{text}\" is not a list id")),
        },
    };
    let found = match by_id {
        // An id from another home is simply not found here.
        Some(id) => lists.get(&ctx.actor(), ctx.home_id, id).await.map(Some),
        None => resolve(lists, ctx, args.list_name.as_deref(), false).await,
    };
    let list = match found {
        Ok(Some(list)) => list,
        Ok(None) => {
            return ToolOutcome::failed(format!(
                "There is no list called {} in this home.",
                args.list_name.unwrap_or_default().trim()
            ));
        }
        Err(e) => return list_failure(e),
    };
    let open: Vec<String> = list
        .items
        .iter()
        .filter(|i| !i.entry.is_completed)
        .map(|i| i.item.name.clone())
        .collect();
    let message = if open.is_empty() {
        format!("{} has nothing left to buy.", list.list.name)
    } else {
        format!("{} still needs {}.", list.list.name, join_words(&open))
    };
    ToolOutcome::ok(message, json!({ "listId": list.list.id })).with_ui(cards::editor(&list))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CheckOffArgs {
    name: String,
    list_name: Option<String>,
}

pub(super) async fn check_off(lists: &ListService, ctx: &ToolContext, raw: &str) -> ToolOutcome {
    let args: CheckOffArgs = arguments!(raw);
    let wanted = normalize_name(&args.name);
    let candidates = if args.list_name.is_some() || ctx.scoped_list.is_some() {
        match resolve(lists, ctx, args.list_name.as_deref(), false).await {
            Ok(Some(list)) => vec![list],
            Ok(None) => return ToolOutcome::failed("That list does not exist in this home."),
            Err(e) => return list_failure(e),
        }
    } else {
        match lists.lists(&ctx.actor(), ctx.home_id).await {
            Ok(all) => all.into_iter().filter(|l| l.list.is_active).collect(),
            Err(e) => return list_failure(e),
        }
    };
    let matches = |name: &str| {
        let have = normalize_name(name);
        have == wanted || have.trim_end_matches('s') == wanted.trim_end_matches('s')
    };
    for list in &candidates {
        if let Some(entry) = list
            .items
            .iter()
            .find(|i| !i.entry.is_completed && matches(&i.item.name))
        {
            return match lists
                .toggle_entry(&ctx.actor(), ctx.home_id, list.list.id, entry.entry.id)
                .await
            {
                Ok(_) => match lists.get(&ctx.actor(), ctx.home_id, list.list.id).await {
                    Ok(after) => ToolOutcome::ok(
                        format!("Ticked {} off {}.", entry.item.name, after.list.name),
                        json!({ "listId": after.list.id }),
                    )
                    .with_ui(cards::grocery_list(&after)),
                    Err(e) => list_failure(e),
                },
                Err(e) => list_failure(e),
            };
        }
    }
    ToolOutcome::failed(format!("{} is not on an open list.", args.name.trim()))
}
