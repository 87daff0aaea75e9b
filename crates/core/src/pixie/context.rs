//! What Pixie is told before a turn: its voice, the household (members, merged dietary
//! rules, the highest cooking skill, the most careful budget), what the others did lately
//! and what expires soon. Pure text building, so it is tested without a store.

use crate::accounts::preferences::{BudgetConsciousness, CookingSkill};
use chrono::{DateTime, Duration, Utc};

/// One member, as far as the prompt is concerned.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberContext {
    /// Their display name.
    pub name: String,
    /// Their diets and allergies.
    pub dietary: Vec<String>,
    /// How they cook, when they said.
    pub skill: Option<CookingSkill>,
    /// How much price matters to them, when they said.
    pub budget: Option<BudgetConsciousness>,
}

/// Something another member did lately.
#[derive(Debug, Clone, PartialEq)]
pub struct RecentChange {
    /// Who (`None`: shown as "Your partner").
    pub who: Option<String>,
    /// What, in words: "added milk", "used up eggs".
    pub what: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// An item that expires soon (or did).
#[derive(Debug, Clone, PartialEq)]
pub struct ExpiringItem {
    /// Its name.
    pub name: String,
    /// Whole days left; negative once expired.
    pub days_left: i64,
}

/// Everything the system prompt is built from.
#[derive(Debug, Clone, PartialEq)]
pub struct Household {
    /// The home's name.
    pub home_name: String,
    /// The member asking.
    pub asking: String,
    /// Every member, the asking one included.
    pub members: Vec<MemberContext>,
    /// How many people live there, when known.
    pub household_size: Option<i32>,
    /// Rules the whole home follows.
    pub shared_dietary: Vec<String>,
    /// What the other members did in the last 48 hours, newest first (at most 6 are used).
    pub recent: Vec<RecentChange>,
    /// What expires within three days, soonest first (at most 8 are used).
    pub expiring: Vec<ExpiringItem>,
    /// The home's local date and time, e.g. "Saturday 5 December 2026, 09:14".
    pub local_time: String,
    /// Now, for "2h ago".
    pub now: DateTime<Utc>,
}

const VOICE: &str = "You are Pixie, the warm and witty kitchen companion of this household: \
like a slightly cheeky friend who remembers what is in the pantry. You help them keep track \
of what they have, what they need and what expires, and you plan meals and shopping with them.

How you work:
- Use the tools to read or change the pantry and the grocery lists. Never guess what is in \
the pantry: look it up. Never claim you changed something unless a tool said it worked.
- Things they bought or have go into the pantry (addItem); things they need go on a list \
(addToList); things used up are consumed (consumeItem), not deleted.
- Be brief when they are busy, detailed when they plan. Use their own words. Ask when unsure.
- No medical or dietary advice, never assume allergies (ask), never judge food choices or \
spending, never quote store prices or availability. Share budget facts warmly.
- You can only see and change this household's home.";

fn skill_rank(skill: CookingSkill) -> u8 {
    match skill {
        CookingSkill::Beginner => 0,
        CookingSkill::Intermediate => 1,
        CookingSkill::Advanced => 2,
    }
}

fn budget_rank(budget: BudgetConsciousness) -> u8 {
    match budget {
        BudgetConsciousness::Low => 0,
        BudgetConsciousness::Medium => 1,
        BudgetConsciousness::High => 2,
    }
}

/// "A", "A and B", "A, B, and C".
fn names(list: &[String]) -> String {
    match list {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

fn ago(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let gap = now - at;
    if gap < Duration::minutes(1) {
        "just now".to_owned()
    } else if gap < Duration::hours(1) {
        format!("{}m ago", gap.num_minutes())
    } else if gap < Duration::days(1) {
        format!("{}h ago", gap.num_hours())
    } else {
        format!("{}d ago", gap.num_days())
    }
}

/// The union of every member's and the home's dietary rules, each once, in first-seen order
/// (compared without case).
pub fn merged_dietary(household: &Household) -> Vec<String> {
    let mut merged: Vec<String> = Vec::new();
    let all = household
        .members
        .iter()
        .flat_map(|m| m.dietary.iter())
        .chain(household.shared_dietary.iter());
    for rule in all {
        let rule = rule.trim();
        if !rule.is_empty() && !merged.iter().any(|m| m.eq_ignore_ascii_case(rule)) {
            merged.push(rule.to_owned());
        }
    }
    merged
}

/// The system prompt for a turn.
///
/// ```
/// use pantry_core::pixie::context::{Household, MemberContext, system_prompt};
/// let member = |name: &str, diet: &[&str]| MemberContext {
///     name: name.into(),
///     dietary: diet.iter().map(|d| d.to_string()).collect(),
///     skill: None,
///     budget: None,
/// };
/// let now = chrono::Utc::now();
/// let prompt = system_prompt(&Household {
///     home_name: "Flat 2".into(),
///     asking: "Alex".into(),
///     members: vec![member("Alex", &["vegetarian"]), member("Sam", &["nut-free"])],
///     household_size: None,
///     shared_dietary: vec![],
///     recent: vec![],
///     expiring: vec![],
///     local_time: "Saturday 09:00".into(),
///     now,
/// });
/// assert!(prompt.contains("Alex and Sam"));
/// assert!(prompt.contains("vegetarian, nut-free"));
/// ```
pub fn system_prompt(household: &Household) -> String {
    let mut prompt = String::from(VOICE);
    prompt.push_str(&format!(
        "\n\nIt is {} at home. You are talking with {} in the home \"{}\".",
        household.local_time, household.asking, household.home_name
    ));

    let member_names: Vec<String> = household.members.iter().map(|m| m.name.clone()).collect();
    if household.members.len() >= 2 {
        prompt.push_str(&format!(
            "\n\n## Your household\n{} share this pantry, its lists and its budget; treat them as a team. \
Avoid duplicates and mention what the other one did when it matters (\"Sam added milk an hour ago, want me to skip it?\").",
            names(&member_names)
        ));
    }
    if let Some(size) = household.household_size {
        prompt.push_str(&format!("\nThey cook for {size} people."));
    }
    let dietary = merged_dietary(household);
    if !dietary.is_empty() {
        prompt.push_str(&format!(
            "\nDietary rules to respect in every suggestion, all of them at once (never break one person's rule to please another): {}.",
            dietary.join(", ")
        ));
    }
    if let Some(skill) = household
        .members
        .iter()
        .filter_map(|m| m.skill)
        .max_by_key(|s| skill_rank(*s))
    {
        prompt.push_str(match skill {
            CookingSkill::Beginner => "\nKeep recipes simple, step by step.",
            CookingSkill::Intermediate => "\nThey are comfortable with everyday recipes.",
            CookingSkill::Advanced => {
                "\nThey are confident cooks: creative techniques are welcome."
            }
        });
    }
    if let Some(budget) = household
        .members
        .iter()
        .filter_map(|m| m.budget)
        .max_by_key(|b| budget_rank(*b))
    {
        match budget {
            BudgetConsciousness::High => prompt.push_str(
                "\nThey watch their spending: favour cost-effective choices and point out savings.",
            ),
            BudgetConsciousness::Low => prompt.push_str("\nPremium ingredients are fine for them."),
            BudgetConsciousness::Medium => {}
        }
    }

    let recent: Vec<String> = household
        .recent
        .iter()
        .take(6)
        .map(|r| {
            format!(
                "- {} {} ({})",
                r.who.as_deref().unwrap_or("Your partner"),
                r.what,
                ago(r.at, household.now)
            )
        })
        .collect();
    if !recent.is_empty() {
        prompt.push_str("\n\n## Recent household activity\nMention it naturally when it helps; do not recite it.\n");
        prompt.push_str(&recent.join("\n"));
    }

    let expiring: Vec<String> = household
        .expiring
        .iter()
        .take(8)
        .map(|e| match e.days_left {
            d if d < 0 => format!("- {} (expired)", e.name),
            0 => format!("- {} (expires today)", e.name),
            d => format!("- {} (expires in {d}d)", e.name),
        })
        .collect();
    if !expiring.is_empty() {
        prompt.push_str("\n\n## Expiring soon\nGently suggest using these up when it fits.\n");
        prompt.push_str(&expiring.join("\n"));
    }
    prompt
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str) -> MemberContext {
        MemberContext {
            name: name.into(),
            dietary: vec![],
            skill: None,
            budget: None,
        }
    }

    fn household(members: Vec<MemberContext>) -> Household {
        Household {
            home_name: "Home".into(),
            asking: "Alex".into(),
            members,
            household_size: None,
            shared_dietary: vec![],
            recent: vec![],
            expiring: vec![],
            local_time: "Saturday".into(),
            now: Utc::now(),
        }
    }

    #[test]
    fn a_single_member_gets_no_team_section() {
        let prompt = system_prompt(&household(vec![member("Alex")]));
        assert!(!prompt.contains("Your household"));
    }

    #[test]
    fn the_most_careful_setting_wins_and_rules_merge_once() {
        let mut alex = member("Alex");
        alex.dietary = vec!["Vegetarian".into()];
        alex.skill = Some(CookingSkill::Beginner);
        alex.budget = Some(BudgetConsciousness::Low);
        let mut sam = member("Sam");
        sam.dietary = vec!["vegetarian".into(), "nut-free".into()];
        sam.skill = Some(CookingSkill::Advanced);
        sam.budget = Some(BudgetConsciousness::High);
        let mut home = household(vec![alex, sam, member("Kim")]);
        home.shared_dietary = vec!["halal".into()];
        let prompt = system_prompt(&home);
        assert!(prompt.contains("Alex, Sam, and Kim"));
        assert!(prompt.contains("Vegetarian, nut-free, halal."));
        assert!(prompt.contains("confident cooks"));
        assert!(prompt.contains("watch their spending"));
    }

    #[test]
    fn activity_and_expiry_are_capped_and_phrased() {
        let now = Utc::now();
        let mut home = household(vec![member("Alex"), member("Sam")]);
        home.now = now;
        home.recent = (0..9)
            .map(|i| RecentChange {
                who: if i == 0 { None } else { Some("Sam".into()) },
                what: format!("added thing{i}"),
                at: now - Duration::minutes(90),
            })
            .collect();
        home.expiring = (-1..10)
            .map(|d| ExpiringItem {
                name: format!("food{d}"),
                days_left: d,
            })
            .collect();
        let prompt = system_prompt(&home);
        assert!(prompt.contains("- Your partner added thing0 (1h ago)"));
        assert!(prompt.contains("thing5") && !prompt.contains("thing6"));
        assert!(prompt.contains("- food-1 (expired)"));
        assert!(prompt.contains("- food0 (expires today)"));
        assert!(prompt.contains("- food6 (expires in 6d)") && !prompt.contains("food7"));
    }
}
