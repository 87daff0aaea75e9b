//! Insight tools: what the household spent (`queryBudget`) and what will run out soon
//! (`checkPredictions`). Both only read, so viewers may use them too.

use super::pantry::arguments;
use super::{ToolContext, ToolOutcome};
use crate::insights::budget::{BudgetHealth, Trend};
use crate::insights::{
    BudgetPeriod, BudgetService, BudgetSummary, InsightsError, Prediction, PredictionService,
};
use crate::money::format as money;
use crate::pixie::arguments::{number_or_string, parse_arguments};
use serde::Deserialize;
use serde_json::{Value, json};

/// Days `checkPredictions` looks ahead when the model does not say.
pub const DEFAULT_WITHIN_DAYS: u32 = 14;
/// The longest look-ahead `checkPredictions` accepts.
pub const MAX_WITHIN_DAYS: u32 = 60;
/// Below this confidence a prediction is a guess and is said as one.
pub const HEDGE_BELOW: f64 = 0.5;

fn insights_failure(error: InsightsError) -> ToolOutcome {
    match error {
        InsightsError::HomeNotFound => ToolOutcome::failed("This home is not available any more."),
        InsightsError::Repo(_) => {
            ToolOutcome::failed("The household's history could not be read just now.")
        }
    }
}

#[derive(Deserialize)]
struct BudgetArgs {
    period: Option<String>,
}

/// What to tell the model about a summary: the total, the trend, the budget and the top
/// categories, warmly and without judgement.
pub(crate) fn budget_message(s: &BudgetSummary) -> String {
    let span = match s.period {
        BudgetPeriod::Week => "In the last 7 days",
        BudgetPeriod::Month => "This month so far",
    };
    let currency = s.currency.as_str();
    if s.total == 0 {
        return format!(
            "No spending recorded {} yet — no judgment; prices logged with groceries will show up here.",
            match s.period {
                BudgetPeriod::Week => "in the last 7 days",
                BudgetPeriod::Month => "this month",
            }
        );
    }
    let mut parts = vec![format!(
        "{span}: {} on {} priced item{}.",
        money(s.total, currency),
        s.item_count,
        if s.item_count == 1 { "" } else { "s" }
    )];
    if let Some(c) = &s.comparison {
        parts.push(match c.trend {
            Trend::Up => format!("That is up {:.0}% on the previous span.", c.change_percent),
            Trend::Down => format!(
                "That is down {:.0}% on the previous span.",
                -c.change_percent
            ),
            Trend::Stable => "That is about the same as the previous span.".to_owned(),
        });
    }
    if let Some(b) = &s.budget {
        parts.push(match b.status {
            BudgetHealth::OnTrack => format!(
                "{:.0}% of the {} monthly budget is used, {} left — on track.",
                b.percent_used,
                money(b.monthly_budget, currency),
                money(b.remaining, currency)
            ),
            BudgetHealth::HeadsUp => format!(
                "{:.0}% of the {} monthly budget is used, {} left — worth a gentle heads-up.",
                b.percent_used,
                money(b.monthly_budget, currency),
                money(b.remaining, currency)
            ),
            BudgetHealth::Over => format!(
                "That is a little over the {} monthly budget ({:.0}%) — happy to help plan the rest of the month.",
                money(b.monthly_budget, currency),
                b.percent_used
            ),
        });
    }
    let top: Vec<String> = s
        .by_category
        .iter()
        .take(3)
        .map(|c| format!("{} {}", c.category.as_str(), money(c.total, currency)))
        .collect();
    if !top.is_empty() {
        parts.push(format!("Top categories: {}.", top.join(", ")));
    }
    parts.join(" ")
}

pub(super) async fn query_budget(
    budget: &BudgetService,
    ctx: &ToolContext,
    raw: &str,
) -> ToolOutcome {
    let args: BudgetArgs = arguments!(raw);
    let period = match args.period.as_deref().filter(|p| !p.trim().is_empty()) {
        None => BudgetPeriod::Month,
        Some(text) => match BudgetPeriod::parse(text) {
            Some(p) => p,
            None => {
                return ToolOutcome::Invalid(format!(
                    "period must be week or month, not \"{text}\""
                ));
            }
        },
    };
    let summary = match budget.summary(&ctx.actor(), ctx.home_id, period).await {
        Ok(summary) => summary,
        Err(e) => return insights_failure(e),
    };
    let data = match serde_json::to_value(&summary) {
        Ok(data) => data,
        Err(_) => return ToolOutcome::failed("The summary could not be prepared just now."),
    };
    let top = |key: &str| match &data[key] {
        Value::Array(rows) => Value::Array(rows.iter().take(5).cloned().collect()),
        _ => Value::Array(Vec::new()),
    };
    let brief = json!({
        "period": data["period"],
        "currency": data["currency"],
        "total": data["total"],
        "itemCount": data["itemCount"],
        "averagePerItem": data["averagePerItem"],
        "topCategories": top("byCategory"),
        "topStores": top("byStore"),
        "comparison": data["comparison"],
        "budget": data["budget"],
        "insights": data["insights"],
    });
    ToolOutcome::ok(budget_message(&summary), json!({ "data": brief }))
        .with_ui(json!({ "type": "budget-summary", "data": data }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PredictionArgs {
    #[serde(default, deserialize_with = "number_or_string")]
    within_days: Option<f64>,
}

/// What to tell the model about predictions: how many, and to hedge the uncertain ones.
pub(crate) fn predictions_message(found: &[Prediction], within_days: u32) -> String {
    if found.is_empty() {
        return format!(
            "Nothing is predicted to run out within {within_days} days. Predictions need a few logged purchases of an item, so say so gently if asked."
        );
    }
    let guesses = found.iter().filter(|p| p.confidence < HEDGE_BELOW).count();
    let mut message = format!(
        "{} item{} will probably need restocking within {within_days} days (soonest first).",
        found.len(),
        if found.len() == 1 { "" } else { "s" }
    );
    if guesses > 0 {
        message.push_str(&format!(
            " {guesses} of them {} low confidence (few purchases logged): say \"might\" or \"probably\" for those, never state them as certain.",
            if guesses == 1 { "is" } else { "are" }
        ));
    }
    message
}

pub(super) async fn check_predictions(
    predictions: &PredictionService,
    ctx: &ToolContext,
    raw: &str,
) -> ToolOutcome {
    let args: PredictionArgs = arguments!(raw);
    let within_days = match args.within_days {
        None => DEFAULT_WITHIN_DAYS,
        Some(d)
            if d.is_finite()
                && d.fract() == 0.0
                && (1.0..=f64::from(MAX_WITHIN_DAYS)).contains(&d) =>
        {
            d as u32
        }
        Some(d) => {
            return ToolOutcome::Invalid(format!(
                "withinDays must be a whole number from 1 to {MAX_WITHIN_DAYS}, not {d}"
            ));
        }
    };
    let found = match predictions
        .upcoming(&ctx.actor(), ctx.home_id, within_days)
        .await
    {
        Ok(found) => found,
        Err(e) => return insights_failure(e),
    };
    let rows: Vec<Value> = found
        .iter()
        .map(|p| {
            json!({
                "name": p.item_name,
                "predictedDepletionDate": p.predicted_depletion_date.to_string(),
                "confidence": p.confidence,
                "intervalDays": p.interval_days,
                "restockCount": p.restock_count,
                "reasoning": p.reasoning,
            })
        })
        .collect();
    ToolOutcome::ok(
        predictions_message(&found, within_days),
        json!({ "withinDays": within_days, "predictions": rows }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::SpendGroup;
    use crate::insights::budget::{Ledger, summarize, windows};
    use chrono::{TimeZone, Utc};

    fn summary(current: &[SpendGroup], previous: &[SpendGroup], spent: i64) -> BudgetSummary {
        let now = Utc.with_ymd_and_hms(2026, 12, 20, 12, 0, 0).unwrap();
        let (window, _) = windows(BudgetPeriod::Month, now, chrono_tz::UTC);
        summarize(&Ledger {
            period: BudgetPeriod::Month,
            window,
            current,
            previous,
            month_to_date: spent,
            currency: "EUR",
            monthly_budget: Some(50_000),
        })
    }

    fn line(category: &str, total: i64) -> SpendGroup {
        SpendGroup {
            category: Some(category.into()),
            store: None,
            total_minor: total,
            lines: 1,
        }
    }

    #[test]
    fn the_budget_message_gives_total_trend_budget_and_top_categories() {
        let s = summary(
            &[line("dairy", 20_000), line("produce", 5_000)],
            &[line("dairy", 10_000)],
            25_000,
        );
        assert_eq!(
            budget_message(&s),
            "This month so far: €250.00 on 2 priced items. That is up 150% on the previous span. \
             50% of the €500.00 monthly budget is used, €250.00 left — on track. \
             Top categories: dairy €200.00, produce €50.00."
        );
        let over = summary(&[line("dairy", 60_000)], &[], 60_000);
        assert!(
            budget_message(&over)
                .contains("a little over the €500.00 monthly budget (120%) — happy to help plan")
        );
        let none = summary(&[], &[], 0);
        assert!(
            budget_message(&none).starts_with("No spending recorded this month yet — no judgment")
        );
    }

    #[test]
    fn low_confidence_predictions_are_hedged() {
        let p = |confidence| Prediction {
            item_name: "Milk".into(),
            item_id: None,
            predicted_depletion_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 27).unwrap(),
            predicted_at: Utc.with_ymd_and_hms(2026, 12, 27, 9, 0, 0).unwrap(),
            confidence,
            interval_days: 7.0,
            restock_count: 1,
            average_quantity: 1.0,
            reasoning: String::new(),
        };
        assert!(!predictions_message(&[p(0.8)], 14).contains("might"));
        let hedged = predictions_message(&[p(0.8), p(0.3)], 14);
        assert!(
            hedged.starts_with("2 items will probably need restocking within 14 days"),
            "{hedged}"
        );
        assert!(hedged.contains("1 of them is low confidence"), "{hedged}");
        assert!(
            predictions_message(&[], 7)
                .starts_with("Nothing is predicted to run out within 7 days")
        );
    }
}
