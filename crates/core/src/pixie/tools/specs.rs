//! The tools' JSON Schemas, as offered to the model. Strict: every object says which
//! properties exist (`additionalProperties: false`), enums list their values, and nothing
//! names a home.

use crate::items::Category;
use crate::pixie::model::ToolSpec;
use serde_json::{Value, json};

fn spec(name: &str, description: &str, properties: Value, required: &[&str]) -> ToolSpec {
    ToolSpec {
        name: name.to_owned(),
        description: description.to_owned(),
        parameters: json!({
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": false,
        }),
    }
}

fn categories() -> Vec<&'static str> {
    Category::ALL.iter().map(|c| c.as_str()).collect()
}

/// Every tool Pixie can use. The receipt tool is not here: it arrives with the service behind
/// it.
pub fn tool_specs() -> Vec<ToolSpec> {
    let quantity = json!({ "type": "number", "exclusiveMinimum": 0, "description": "How much; 1 when not said." });
    let unit = json!({ "type": "string", "description": "Unit such as piece, g, kg, ml, l, cup, dozen, bottle, bag; omit for a count." });
    let name = json!({ "type": "string", "minLength": 1, "maxLength": 255, "description": "The item's name as the household calls it, e.g. \"milk\"." });
    let list_name = json!({ "type": "string", "description": "A list's name, e.g. \"weekend\"; omit for the default list." });
    vec![
        spec(
            "addItem",
            "Put something the household now HAS into the pantry (they bought, got or were given it). Not for things they need to buy: use addToList for those.",
            json!({
                "name": name, "quantity": quantity, "unit": unit,
                "category": { "type": "string", "enum": categories() },
                "location": { "type": "string", "description": "Where it is kept, e.g. fridge." },
                "expiresInDays": { "type": "number", "minimum": 0 },
                "price": { "type": "number", "minimum": 0, "description": "Price paid for the whole line, in the home's currency." }
            }),
            &["name"],
        ),
        spec(
            "listItems",
            "Read the pantry: everything, a category, a name search, or what expires within some days.",
            json!({
                "search": { "type": "string" },
                "category": { "type": "string", "enum": categories() },
                "expiringWithinDays": { "type": "integer", "minimum": 0, "maximum": 365 }
            }),
            &[],
        ),
        spec(
            "checkItem",
            "Answer \"do we have X?\": the pantry items matching a name, with quantities and expiry.",
            json!({ "name": name }),
            &["name"],
        ),
        spec(
            "consumeItem",
            "Record that some of an item was used, or all of it (\"we're out of eggs\", \"used up the milk\"). The item stays in the pantry with what is left.",
            json!({
                "name": name, "quantity": quantity, "unit": unit,
                "all": { "type": "boolean", "description": "True when it is used up or gone." }
            }),
            &["name"],
        ),
        spec(
            "removeItem",
            "Delete an item from the pantry entirely (a mistake, thrown away, never buying again). For used up, prefer consumeItem.",
            json!({ "name": name }),
            &["name"],
        ),
        spec(
            "setRecurring",
            "Mark a pantry item as a staple restocked on a schedule.",
            json!({
                "name": name,
                "interval": { "type": "string", "enum": ["daily", "weekly", "biweekly", "monthly"] }
            }),
            &["name", "interval"],
        ),
        spec(
            "addToList",
            "Put things the household NEEDS to buy on a grocery list (the default list unless a list is named; a named list that does not exist is created). Items already on the list get their quantity increased.",
            json!({
                "items": {
                    "type": "array", "minItems": 1, "maxItems": 50,
                    "items": {
                        "type": "object",
                        "properties": {
                            "name": name, "quantity": quantity, "unit": unit,
                            "notes": { "type": "string", "maxLength": 500 }
                        },
                        "required": ["name"],
                        "additionalProperties": false
                    }
                },
                "listName": list_name
            }),
            &["items"],
        ),
        spec(
            "checkOffListItem",
            "Tick an item off a grocery list (it was bought or is no longer needed).",
            json!({ "name": name, "listName": list_name }),
            &["name"],
        ),
        spec(
            "listGroceryLists",
            "Show the household's grocery lists as a card.",
            json!({ "includeCompleted": { "type": "boolean" } }),
            &[],
        ),
        spec(
            "showGroceryListEditor",
            "Show one grocery list with its items as an editable card (by id or name; the default list when neither).",
            json!({ "listId": { "type": "string", "format": "uuid" }, "listName": list_name }),
            &[],
        ),
        spec(
            "queryBudget",
            "What the household spent: total, categories, stores, the change on the previous span and the monthly budget. Share it warmly, never scold.",
            json!({
                "period": { "type": "string", "enum": ["week", "month"], "description": "The last 7 days, or the calendar month so far (default)." }
            }),
            &[],
        ),
        spec(
            "checkPredictions",
            "What the household will probably need to restock soon, from how often it buys each item and what it used since. Hedge low-confidence ones.",
            json!({
                "withinDays": { "type": "integer", "minimum": 1, "maximum": 60, "description": "How many days ahead; 14 when not said." }
            }),
            &[],
        ),
        spec(
            "suggestMeals",
            "Get what is needed to suggest meals: the pantry with expiry, what expires soon and the household's dietary rules. You then suggest the meals.",
            json!({
                "mealType": { "type": "string", "enum": ["any", "breakfast", "lunch", "dinner", "snack"] },
                "useExpiringFirst": { "type": "boolean" }
            }),
            &[],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect_keys(schema: &Value, keys: &mut Vec<String>) {
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (key, inner) in properties {
                keys.push(key.clone());
                collect_keys(inner, keys);
                if let Some(items) = inner.get("items") {
                    collect_keys(items, keys);
                }
            }
        }
    }

    #[test]
    fn every_schema_is_a_closed_object_that_names_no_home() {
        let specs = tool_specs();
        assert_eq!(specs.len(), 13);
        for spec in specs {
            assert_eq!(spec.parameters["type"], "object", "{}", spec.name);
            assert_eq!(
                spec.parameters["additionalProperties"], false,
                "{}",
                spec.name
            );
            let mut keys = Vec::new();
            collect_keys(&spec.parameters, &mut keys);
            assert!(
                keys.iter().all(|k| !k.to_lowercase().contains("home")),
                "{} takes a home: {keys:?}",
                spec.name
            );
        }
    }
}
