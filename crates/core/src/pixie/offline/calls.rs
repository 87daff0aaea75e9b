//! Turning a recognised request into tool calls: the tool names and argument JSON the
//! agent's tools expect. Optional fields are left out rather than sent empty.

use super::parse::Intent;
use super::quantity::ItemPhrase;
use serde_json::{Map, Value, json};

/// One call to make: the tool and its arguments.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Planned {
    /// The tool's name, e.g. `addToList`.
    pub tool: &'static str,
    /// Its arguments (a JSON object).
    pub arguments: Value,
}

/// The calls `intent` needs, or `None` when it is answered in words.
pub(super) fn plan(intent: &Intent) -> Option<Vec<Planned>> {
    let call = |tool: &'static str, arguments: Value| Planned { tool, arguments };
    let per_name = |tool: &'static str, names: &[String]| {
        names
            .iter()
            .map(|name| call(tool, json!({ "name": name })))
            .collect::<Vec<_>>()
    };
    Some(match intent {
        Intent::AddToList { items, list } => {
            let mut args = Map::new();
            args.insert("items".into(), items.iter().map(item).collect());
            if let Some(list) = list {
                args.insert("listName".into(), json!(list));
            }
            vec![call("addToList", Value::Object(args))]
        }
        Intent::Bought(items) => items.iter().map(|i| call("addItem", item(i))).collect(),
        Intent::Consume { items, all } => items
            .iter()
            .map(|i| {
                let arguments = if *all {
                    json!({ "name": i.name, "all": true })
                } else {
                    item(i)
                };
                call("consumeItem", arguments)
            })
            .collect(),
        Intent::Remove(names) => per_name("removeItem", names),
        Intent::Check(names) => per_name("checkItem", names),
        Intent::ListItems {
            search,
            category,
            expiring,
        } => {
            let mut args = Map::new();
            if let Some(search) = search {
                args.insert("search".into(), json!(search));
            }
            if let Some(category) = category {
                args.insert("category".into(), json!(category.as_str()));
            }
            if let Some(days) = expiring {
                args.insert("expiringWithinDays".into(), json!(days));
            }
            vec![call("listItems", Value::Object(args))]
        }
        Intent::ListLists => vec![call("listGroceryLists", json!({}))],
        Intent::Spending(period) => vec![call("queryBudget", json!({ "period": period.as_str() }))],
        Intent::RunningLow => vec![call("checkPredictions", json!({}))],
        Intent::ShowList(list) => {
            let arguments = match list {
                Some(list) => json!({ "listName": list }),
                None => json!({}),
            };
            vec![call("showGroceryListEditor", arguments)]
        }
        Intent::CheckOff { names, list } => names
            .iter()
            .map(|name| {
                let arguments = match list {
                    Some(list) => json!({ "name": name, "listName": list }),
                    None => json!({ "name": name }),
                };
                call("checkOffListItem", arguments)
            })
            .collect(),
        Intent::Recurring { names, interval } => names
            .iter()
            .map(|name| {
                let arguments = json!({ "name": name, "interval": interval.as_str() });
                call("setRecurring", arguments)
            })
            .collect(),
        Intent::Greeting
        | Intent::Thanks
        | Intent::Farewell
        | Intent::Acknowledged
        | Intent::Help
        | Intent::RemoveFromList
        | Intent::Incomplete(_)
        | Intent::Unknown => return None,
    })
}

/// `{"name", "quantity"?, "unit"?}`: the amount as a JSON number (whole amounts as integers),
/// the unit in its wire spelling.
fn item(item: &ItemPhrase) -> Value {
    let mut args = Map::new();
    args.insert("name".into(), json!(item.name));
    if let Some(quantity) = item.quantity {
        args.insert("quantity".into(), json!(quantity));
    }
    if let Some(unit) = item.unit {
        args.insert("unit".into(), json!(unit.as_str()));
    }
    Value::Object(args)
}
