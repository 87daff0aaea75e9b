//! The UI cards a reply can carry, in the earlier server's `SerializedUI` shapes, so its
//! clients render them unchanged. They are stored with the assistant message.

use crate::lists::GroceryListWithItems;
use crate::money::to_major;
use serde_json::{Value, json};

fn status(list: &GroceryListWithItems) -> &'static str {
    if list.list.is_active {
        "active"
    } else {
        "completed"
    }
}

/// `grocery-list`: a list and its entries after an add.
pub(super) fn grocery_list(list: &GroceryListWithItems) -> Value {
    let items: Vec<Value> = list
        .items
        .iter()
        .map(|i| {
            json!({
                "id": i.entry.id,
                "itemId": i.item.id,
                "name": i.item.name,
                "quantity": i.entry.quantity,
                "isCompleted": i.entry.is_completed,
            })
        })
        .collect();
    json!({
        "type": "grocery-list",
        "data": {
            "id": list.list.id,
            "name": list.list.name,
            "items": items,
            "completionPercentage": list.completion_percentage,
            "completedItems": list.completed_items,
            "totalItems": list.total_items,
        }
    })
}

/// `grocery-lists-overview`: every list with its progress.
pub(super) fn overview(lists: &[GroceryListWithItems]) -> Value {
    let lists: Vec<Value> = lists
        .iter()
        .map(|l| {
            json!({
                "id": l.list.id,
                "name": l.list.name,
                "description": l.list.description,
                "status": status(l),
                "totalItems": l.total_items,
                "completedItems": l.completed_items,
                "completionPercentage": l.completion_percentage,
                "estimatedCost": l.list.estimated_cost_minor.map(to_major),
                "createdAt": l.list.created_at,
            })
        })
        .collect();
    json!({ "type": "grocery-lists-overview", "data": { "lists": lists } })
}

/// `list-editor`: one list with everything needed to edit it in place.
pub(super) fn editor(list: &GroceryListWithItems) -> Value {
    let items: Vec<Value> = list
        .items
        .iter()
        .map(|i| {
            json!({
                "id": i.entry.id,
                "itemId": i.item.id,
                "name": i.item.name,
                "quantity": i.entry.quantity,
                "unit": i.item.unit.as_str(),
                "notes": i.entry.notes,
                "estimatedPrice": i.entry.estimated_price_minor.map(to_major),
                "isCompleted": i.entry.is_completed,
            })
        })
        .collect();
    json!({
        "type": "list-editor",
        "data": {
            "list": {
                "id": list.list.id,
                "name": list.list.name,
                "description": list.list.description,
                "status": status(list),
                "totalBudget": list.list.total_budget_minor.map(to_major),
                "estimatedCost": list.list.estimated_cost_minor.map(to_major),
                "items": items,
                "completionPercentage": list.completion_percentage,
                "completedItems": list.completed_items,
                "totalItems": list.total_items,
            }
        }
    })
}
