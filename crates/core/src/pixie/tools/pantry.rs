//! Pantry tools: add, read, use up, remove, mark as a staple, and the meal-ideas context.

use super::{ToolContext, ToolOutcome, item_failure};
use crate::items::item::{RecurringInterval, normalize_name, parse_name};
use crate::items::service::EXPIRING_SOON_DAYS;
use crate::items::{
    Category, ItemEdit, ItemFilter, ItemService, NewItem, PantryItem, Quantity, Unit,
};
use crate::pixie::arguments::{flag, number_or_string, parse_arguments};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

/// Parses arguments or returns the validation error for a repair round.
macro_rules! arguments {
    ($raw:expr) => {
        match parse_arguments($raw) {
            Ok(args) => args,
            Err(why) => return ToolOutcome::Invalid(why),
        }
    };
}
pub(super) use arguments;

/// A quantity from a model's number: more than zero, at most three decimals.
pub(super) fn quantity_of(amount: Option<f64>) -> Result<Quantity, String> {
    match amount {
        None => Ok(Quantity::ONE),
        Some(n) if n.is_finite() && n > 0.0 => Quantity::parse(&format!("{:.3}", n))
            .map_err(|_| format!("quantity {n} is out of range")),
        Some(n) => Err(format!("quantity must be more than 0, got {n}")),
    }
}

/// A unit from a model's word. Unknown words ("can", "tin") are not an error: the amount is
/// counted in pieces and the word is kept so the reply can mention it.
pub(super) fn unit_of(word: Option<&str>) -> (Option<Unit>, Option<String>) {
    match word.map(str::trim).filter(|w| !w.is_empty()) {
        None => (None, None),
        Some(w) => match Unit::parse(w) {
            Some(unit) => (Some(unit), None),
            None => (None, Some(w.to_owned())),
        },
    }
}

/// Outcome of looking an item up by the name a person used.
pub(super) enum Found {
    One(Box<PantryItem>),
    None,
    Several(Vec<String>),
}

/// The pantry item a person means by `name`: an exact (normalised) name first, then the only
/// partial match, then the same with a plural "s" dropped.
pub(super) async fn find_item(
    items: &ItemService,
    ctx: &ToolContext,
    name: &str,
) -> Result<Found, crate::items::ItemError> {
    let wanted = normalize_name(name);
    let mut tries = vec![wanted.clone()];
    if let Some(singular) = wanted.strip_suffix("es").filter(|s| s.len() > 2) {
        tries.push(singular.to_owned());
    }
    if let Some(singular) = wanted.strip_suffix('s').filter(|s| s.len() > 1) {
        tries.push(singular.to_owned());
    }
    for attempt in tries {
        let filter = ItemFilter {
            search: Some(attempt.clone()),
            ..ItemFilter::default()
        };
        let matches = items.list(&ctx.actor(), ctx.home_id, &filter).await?;
        if let Some(exact) = matches
            .iter()
            .find(|i| normalize_name(&i.name) == attempt || normalize_name(&i.name) == wanted)
        {
            return Ok(Found::One(Box::new(exact.clone())));
        }
        match matches.len() {
            0 => continue,
            1 => {
                return Ok(matches
                    .into_iter()
                    .next()
                    .map_or(Found::None, |i| Found::One(Box::new(i))));
            }
            _ => {
                return Ok(Found::Several(
                    matches.into_iter().map(|i| i.name).collect(),
                ));
            }
        }
    }
    Ok(Found::None)
}

fn amount_text(quantity: Quantity, unit: Unit) -> String {
    match unit {
        Unit::Piece => quantity.to_string(),
        other => format!("{quantity} {}", other.as_str()),
    }
}

fn days_until(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<i64> {
    // Whole days, rounding up, as the earlier tools did.
    at.map(|at| {
        let seconds = (at - now).num_seconds();
        seconds.div_euclid(86_400) + i64::from(seconds.rem_euclid(86_400) > 0)
    })
}

fn item_summary(item: &PantryItem, now: DateTime<Utc>) -> Value {
    let days = days_until(item.expires_at, now);
    json!({
        "id": item.id,
        "name": item.name,
        "quantity": item.quantity,
        "unit": item.unit.as_str(),
        "category": item.category.as_str(),
        "location": item.location,
        "inStock": !item.quantity.is_zero(),
        "daysUntilExpiry": days,
        "isExpired": days.is_some_and(|d| d < 0),
        "isExpiringSoon": days.is_some_and(|d| (0..=EXPIRING_SOON_DAYS).contains(&d)),
    })
}

/// The one pantry item `name` means, or the answer saying why there is none: nothing by that
/// name ("There is no … in the pantry", then `missing_hint`), or several to choose from.
async fn the_item(
    items: &ItemService,
    ctx: &ToolContext,
    name: &str,
    missing_hint: &str,
) -> Result<Box<PantryItem>, ToolOutcome> {
    match find_item(items, ctx, name).await {
        Ok(Found::One(item)) => Ok(item),
        Ok(Found::None) => Err(ToolOutcome::failed(format!(
            "There is no {} in the pantry{missing_hint}.",
            name.trim()
        ))),
        Ok(Found::Several(names)) => Err(several(name, &names)),
        Err(e) => Err(item_failure(e)),
    }
}

fn several(name: &str, names: &[String]) -> ToolOutcome {
    ToolOutcome::failed(format!(
        "Several pantry items match \"{name}\": {}. Ask which one.",
        names.join(", ")
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AddItemArgs {
    name: String,
    #[serde(default, deserialize_with = "number_or_string")]
    quantity: Option<f64>,
    unit: Option<String>,
    category: Option<String>,
    location: Option<String>,
    #[serde(default, deserialize_with = "number_or_string")]
    expires_in_days: Option<f64>,
    #[serde(default, deserialize_with = "number_or_string")]
    price: Option<f64>,
}

pub(super) async fn add_item(items: &ItemService, ctx: &ToolContext, raw: &str) -> ToolOutcome {
    let args: AddItemArgs = arguments!(raw);
    let Ok(name) = parse_name(&args.name) else {
        return ToolOutcome::Invalid("name must be 1 to 255 characters".to_owned());
    };
    let quantity = match quantity_of(args.quantity) {
        Ok(q) => q,
        Err(why) => return ToolOutcome::Invalid(why),
    };
    let (unit, unknown_unit) = unit_of(args.unit.as_deref());
    let mut item = NewItem::named(name);
    item.quantity = quantity;
    item.unit = unit.unwrap_or(Unit::Piece);
    // An unknown category is not worth a repair round: it is filed under "other".
    item.category = args
        .category
        .as_deref()
        .and_then(Category::parse)
        .unwrap_or(Category::Other);
    item.location = args
        .location
        .map(|l| l.trim().chars().take(100).collect::<String>())
        .filter(|l| !l.is_empty());
    if let Some(days) = args.expires_in_days {
        if !(0.0..=3650.0).contains(&days) {
            return ToolOutcome::Invalid("expiresInDays must be 0 to 3650".to_owned());
        }
        item.expires_at = Some(ctx.now + Duration::days(days.round() as i64));
    }
    if let Some(price) = args.price {
        if !(0.0..=1e9).contains(&price) {
            return ToolOutcome::Invalid("price must be 0 or more".to_owned());
        }
        item.price_minor = Some((price * 100.0).round() as i64);
    }
    if let Some(word) = &unknown_unit {
        item.notes = Some(format!("{quantity} {word}"));
    }
    match items.add(&ctx.actor(), ctx.home_id, item, false).await {
        Ok(added) => {
            let merged = matches!(added, crate::items::item::Added::Merged(_));
            let item = added.item();
            let what = match &unknown_unit {
                Some(word) => format!("{quantity} {word} of {}", item.name),
                None => format!(
                    "{} {}",
                    amount_text(quantity, unit.unwrap_or(Unit::Piece)),
                    item.name
                ),
            };
            let message = if merged {
                format!(
                    "Added {what} to the pantry; there is now {} in total.",
                    amount_text(item.quantity, item.unit)
                )
            } else {
                format!("Added {what} to the pantry.")
            };
            ToolOutcome::ok(message, json!({ "item": item_summary(item, ctx.now) }))
        }
        Err(e) => item_failure(e),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListItemsArgs {
    search: Option<String>,
    category: Option<String>,
    #[serde(default, deserialize_with = "number_or_string")]
    expiring_within_days: Option<f64>,
}

pub(super) async fn list_items(items: &ItemService, ctx: &ToolContext, raw: &str) -> ToolOutcome {
    let args: ListItemsArgs = arguments!(raw);
    let category = match args.category.as_deref().filter(|c| !c.trim().is_empty()) {
        None => None,
        Some(c) => match Category::parse(c) {
            Some(c) => Some(c),
            None => return ToolOutcome::Invalid(format!("unknown category \"{c}\"")),
        },
    };
    let expiring = match args.expiring_within_days {
        None => None,
        Some(d) if (0.0..=365.0).contains(&d) => Some(d.round() as u32),
        Some(d) => {
            return ToolOutcome::Invalid(format!("expiringWithinDays must be 0 to 365, got {d}"));
        }
    };
    let filter = ItemFilter {
        search: args.search.filter(|s| !s.trim().is_empty()),
        category,
        expiring_within_days: expiring,
        // "What's expiring" is about food still there.
        in_stock: expiring.map(|_| true),
        ..ItemFilter::default()
    };
    let found = match items.list(&ctx.actor(), ctx.home_id, &filter).await {
        Ok(found) => found,
        Err(e) => return item_failure(e),
    };
    let now = ctx.now;
    let shown: Vec<Value> = found
        .iter()
        .take(60)
        .map(|i| item_summary(i, now))
        .collect();
    let message = match (found.len(), expiring) {
        (0, Some(days)) => format!("Nothing in the pantry expires within {days} days."),
        (0, None) => "No pantry items match.".to_owned(),
        (n, Some(days)) => format!(
            "{n} item{} expire{} within {days} days: {}.",
            plural(n),
            if n == 1 { "s" } else { "" },
            names_with_expiry(&found, now)
        ),
        (n, None) => format!("{n} pantry item{} found.", plural(n)),
    };
    ToolOutcome::ok(message, json!({ "items": shown, "total": found.len() }))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn names_with_expiry(items: &[PantryItem], now: DateTime<Utc>) -> String {
    items
        .iter()
        .take(12)
        .map(|i| match days_until(i.expires_at, now) {
            Some(d) if d < 0 => format!("{} (expired)", i.name),
            Some(0) => format!("{} (today)", i.name),
            Some(1) => format!("{} (tomorrow)", i.name),
            Some(d) => format!("{} (in {d} days)", i.name),
            None => i.name.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Deserialize)]
struct NameArgs {
    name: String,
}

pub(super) async fn check_item(items: &ItemService, ctx: &ToolContext, raw: &str) -> ToolOutcome {
    let args: NameArgs = arguments!(raw);
    let filter = ItemFilter {
        search: Some(normalize_name(&args.name)),
        ..ItemFilter::default()
    };
    let mut found = match items.list(&ctx.actor(), ctx.home_id, &filter).await {
        Ok(found) => found,
        Err(e) => return item_failure(e),
    };
    if found.is_empty()
        && let Ok(Found::One(item)) = find_item(items, ctx, &args.name).await
    {
        found.push(*item);
    }
    let now = ctx.now;
    let in_stock: Vec<&PantryItem> = found.iter().filter(|i| !i.quantity.is_zero()).collect();
    let message = if in_stock.is_empty() && found.is_empty() {
        format!("There is no {} in the pantry.", args.name.trim())
    } else if in_stock.is_empty() {
        format!("{} is used up: none left.", found[0].name)
    } else {
        let parts: Vec<String> = in_stock
            .iter()
            .map(|i| {
                let mut text = format!("{} {}", amount_text(i.quantity, i.unit), i.name);
                if let Some(place) = &i.location {
                    text.push_str(&format!(" in the {place}"));
                }
                match days_until(i.expires_at, now) {
                    Some(d) if d < 0 => text.push_str(" (expired)"),
                    Some(d) if d <= EXPIRING_SOON_DAYS => {
                        text.push_str(&format!(" (expires in {d} days)"))
                    }
                    _ => {}
                }
                text
            })
            .collect();
        format!("Yes: {}.", parts.join(", "))
    };
    let shown: Vec<Value> = found.iter().map(|i| item_summary(i, now)).collect();
    ToolOutcome::ok(
        message,
        json!({ "found": !in_stock.is_empty(), "items": shown }),
    )
}

#[derive(Deserialize)]
struct ConsumeArgs {
    name: String,
    #[serde(default, deserialize_with = "number_or_string")]
    quantity: Option<f64>,
    unit: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    all: Option<bool>,
}

pub(super) async fn consume_item(items: &ItemService, ctx: &ToolContext, raw: &str) -> ToolOutcome {
    let args: ConsumeArgs = arguments!(raw);
    let item = match the_item(items, ctx, &args.name, "").await {
        Ok(item) => item,
        Err(refused) => return refused,
    };
    if item.quantity.is_zero() {
        return ToolOutcome::ok(
            format!("{} was already used up.", item.name),
            json!({ "item": item_summary(&item, ctx.now) }),
        );
    }
    let all = args.all.unwrap_or(false) || args.quantity.is_none();
    let amount = if all {
        item.quantity
    } else {
        let asked = match quantity_of(args.quantity) {
            Ok(q) => q,
            Err(why) => return ToolOutcome::Invalid(why),
        };
        match unit_of(args.unit.as_deref()) {
            (Some(unit), _) if unit != item.unit => {
                match unit.convert_milli(asked.milli(), item.unit) {
                    Some(milli) => Quantity::from_milli(milli).unwrap_or(item.quantity),
                    None => {
                        return ToolOutcome::failed(format!(
                            "{} is counted in {}, which {} does not convert to.",
                            item.name,
                            item.unit.as_str(),
                            unit.as_str()
                        ));
                    }
                }
            }
            _ => asked,
        }
    };
    // Using more than there is means it is gone, not an error.
    let amount = if amount.milli() > item.quantity.milli() {
        item.quantity
    } else {
        amount
    };
    match items
        .consume(&ctx.actor(), ctx.home_id, item.id, amount)
        .await
    {
        Ok(after) => {
            let message = if after.quantity.is_zero() {
                format!("Marked {} as used up.", after.name)
            } else {
                format!(
                    "Used {} of {}; {} left.",
                    amount_text(amount, after.unit),
                    after.name,
                    amount_text(after.quantity, after.unit)
                )
            };
            ToolOutcome::ok(message, json!({ "item": item_summary(&after, ctx.now) }))
        }
        Err(e) => item_failure(e),
    }
}

pub(super) async fn remove_item(items: &ItemService, ctx: &ToolContext, raw: &str) -> ToolOutcome {
    let args: NameArgs = arguments!(raw);
    let item = match the_item(items, ctx, &args.name, "").await {
        Ok(item) => item,
        Err(refused) => return refused,
    };
    match items.delete(&ctx.actor(), ctx.home_id, item.id, None).await {
        Ok(gone) => ToolOutcome::ok(
            format!("Removed {} from the pantry.", gone.name),
            json!({ "removed": { "id": gone.id, "name": gone.name } }),
        ),
        Err(e) => item_failure(e),
    }
}

#[derive(Deserialize)]
struct RecurringArgs {
    name: String,
    interval: String,
}

pub(super) async fn set_recurring(
    items: &ItemService,
    ctx: &ToolContext,
    raw: &str,
) -> ToolOutcome {
    let args: RecurringArgs = arguments!(raw);
    let Some(interval) = RecurringInterval::parse(args.interval.trim()) else {
        return ToolOutcome::Invalid(format!(
            "interval must be daily, weekly, biweekly or monthly, got \"{}\"",
            args.interval
        ));
    };
    let item = match the_item(items, ctx, &args.name, " yet; add it first").await {
        Ok(item) => item,
        Err(refused) => return refused,
    };
    let edit = ItemEdit {
        is_recurring: Some(true),
        recurring_interval: Some(Some(interval)),
        ..ItemEdit::default()
    };
    match items
        .update(&ctx.actor(), ctx.home_id, item.id, edit, None)
        .await
    {
        Ok(after) => ToolOutcome::ok(
            format!("{} is now restocked {}.", after.name, interval.as_str()),
            json!({ "item": item_summary(&after, ctx.now) }),
        ),
        Err(e) => item_failure(e),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MealArgs {
    #[serde(rename = "mealType")]
    meal_type: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    use_expiring_first: Option<bool>,
}

pub(super) async fn suggest_meals(
    items: &ItemService,
    ctx: &ToolContext,
    raw: &str,
) -> ToolOutcome {
    let args: MealArgs = arguments!(raw);
    let filter = ItemFilter {
        in_stock: Some(true),
        ..ItemFilter::default()
    };
    let found = match items.list(&ctx.actor(), ctx.home_id, &filter).await {
        Ok(found) => found,
        Err(e) => return item_failure(e),
    };
    let now = ctx.now;
    let inventory: Vec<Value> = found
        .iter()
        .take(80)
        .map(|i| item_summary(i, now))
        .collect();
    let expiring: Vec<&str> = found
        .iter()
        .filter(|i| days_until(i.expires_at, now).is_some_and(|d| d <= EXPIRING_SOON_DAYS))
        .map(|i| i.name.as_str())
        .collect();
    let meal = args.meal_type.unwrap_or_else(|| "any".to_owned());
    let message = if args.use_expiring_first.unwrap_or(true) && !expiring.is_empty() {
        format!(
            "Suggest {meal} meals from this pantry, using these first because they expire soon: {}. Respect the household's dietary rules.",
            expiring.join(", ")
        )
    } else {
        format!("Suggest {meal} meals from this pantry. Respect the household's dietary rules.")
    };
    ToolOutcome::ok(
        message,
        json!({ "inventory": inventory, "expiringSoon": expiring }),
    )
}
