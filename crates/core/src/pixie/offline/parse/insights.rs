//! Questions about the household's history: "how much did we spend this month?", "what's
//! running low?".

use super::super::text::Token;
use super::Intent;
use crate::insights::BudgetPeriod;

fn has(t: &[Token], words: &[&str]) -> bool {
    t.iter().any(|w| words.iter().any(|x| w.is(x)))
}

/// "how much did we spend this month", "what's our budget", "spending this week": a word of
/// spending; the week when one is named, else the month.
pub(super) fn spending(t: &[Token]) -> Option<Intent> {
    const SPEND: &[&str] = &["spend", "spent", "spending", "budget", "expenses"];
    if !has(t, SPEND) {
        return None;
    }
    let period = if has(t, &["week", "weekly", "7"]) {
        BudgetPeriod::Week
    } else {
        BudgetPeriod::Month
    };
    Some(Intent::Spending(period))
}

/// "what's running low?", "what will run out soon?", "anything to restock?": running low or
/// out, or restocking, asked as a question about everything. "We're running low on milk"
/// names an item and is left to the other rules.
pub(super) fn running_low(t: &[Token]) -> Option<Intent> {
    let low = (has(t, &["running", "run", "runs", "going"]) && has(t, &["low", "out"]))
        || has(t, &["restock", "restocking", "replenish"]);
    let asks = has(t, &["what", "whats", "which", "anything", "soon"]);
    let names_item = has(t, &["on", "of"]);
    (low && asks && !names_item).then_some(Intent::RunningLow)
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn spending_questions_ask_for_the_budget() {
        for text in [
            "how much did we spend this month?",
            "what have we spent",
            "budget check",
            "how's our spending",
        ] {
            assert_eq!(parse(text), Intent::Spending(BudgetPeriod::Month), "{text}");
        }
        assert_eq!(
            parse("how much did I spend this week"),
            Intent::Spending(BudgetPeriod::Week)
        );
    }

    #[test]
    fn running_low_questions_ask_for_predictions() {
        for text in [
            "what's running low?",
            "what will run out soon",
            "anything we need to restock?",
            "which things are running out",
        ] {
            assert_eq!(parse(text), Intent::RunningLow, "{text}");
        }
        for text in [
            "we're running low on milk",
            "we ran out of eggs",
            "we're out of milk",
        ] {
            assert_ne!(parse(text), Intent::RunningLow, "{text}");
        }
    }
}
