//! What Pixie says in offline mode: calm, warm, a little playful, never judging. Every text
//! is fixed for its input, so the same conversation always gets the same words.

use super::parse::Verb;
use serde_json::Value;

/// Tools that change something; a step where one of them worked opens with "Done!".
const ACTION_TOOLS: &[&str] = &[
    "addToList",
    "addItem",
    "consumeItem",
    "removeItem",
    "checkOffListItem",
    "setRecurring",
];

/// "hi", "hello pixie".
pub(super) fn greeting() -> String {
    "Hi there! I'm Pixie, your kitchen sidekick. I can add things to your shopping list, \
     keep track of what you bought or used up, and tell you what's expiring soon. \
     Try \"add milk and bread to the list\"."
        .to_string()
}

/// "thanks".
pub(super) fn thanks() -> String {
    "Any time! Just give me a shout when you need me.".to_string()
}

/// "bye", "good night".
pub(super) fn farewell() -> String {
    "Bye for now! I'll keep an eye on the pantry.".to_string()
}

/// "ok", "no thanks".
pub(super) fn acknowledged() -> String {
    "Okay! I'm here whenever you need me.".to_string()
}

/// What it understands, one line per kind of request whose tool is offered.
pub(super) fn help(offered: &dyn Fn(&str) -> bool) -> String {
    const LINES: &[(&str, &str)] = &[
        (
            "addToList",
            "add to a list: \"add 2 milk and bread to the list\", \"add eggs to the weekend list\"",
        ),
        (
            "addItem",
            "things you bought: \"I bought 500 g rice\", \"picked up a dozen eggs\"",
        ),
        (
            "consumeItem",
            "things you used or ran out of: \"used 2 eggs\", \"we're out of milk\"",
        ),
        (
            "checkItem",
            "checking: \"do we have eggs?\", \"how much rice do we have?\"",
        ),
        (
            "listItems",
            "the pantry: \"what's in the pantry?\", \"what's expiring?\"",
        ),
        ("listGroceryLists", "your lists: \"show my lists\""),
        (
            "showGroceryListEditor",
            "one list: \"what's on the list?\", \"show the weekend list\"",
        ),
        ("checkOffListItem", "ticking off: \"tick off milk\""),
        (
            "removeItem",
            "tidying up: \"remove the old yoghurt from the pantry\"",
        ),
        ("setRecurring", "regulars: \"buy milk every week\""),
        (
            "queryBudget",
            "spending: \"how much did we spend this month?\"",
        ),
        (
            "checkPredictions",
            "what runs out soon: \"what's running low?\"",
        ),
    ];
    let lines: Vec<String> = LINES
        .iter()
        .filter(|(tool, _)| offered(tool))
        .map(|(_, line)| format!("- {line}"))
        .collect();
    if lines.is_empty() {
        return "I'm in offline mode and can only chat a little right now — \
                the pantry and lists aren't within reach in this conversation."
            .to_string();
    }
    let joined = if lines.len() > 1 {
        "\nYou can join two with \"and\": \"I bought eggs and we're out of milk\"."
    } else {
        ""
    };
    format!(
        "Here's what I understand (I'm in offline mode, so simple sentences work best):\n{}{joined}",
        lines.join("\n")
    )
}

/// Nothing recognised.
pub(super) fn fallback() -> String {
    "Sorry, I didn't catch that — I'm in offline mode, so I understand simple commands like \
     \"add milk to the list\", \"I bought eggs\" or \"what's expiring?\". Say \"help\" to see \
     everything I can do."
        .to_string()
}

/// A known request that names nothing.
pub(super) fn incomplete(verb: Verb) -> String {
    match verb {
        Verb::Add => "Happy to! What should I add? For example: \"add milk to the list\".",
        Verb::Bought => "Lovely! What did you get? For example: \"I bought 2 litres of milk\".",
        Verb::Consume => "Oh no! What ran out? For example: \"we're out of eggs\".",
        Verb::Remove => {
            "What should I take out of the pantry? For example: \"remove the old yoghurt\"."
        }
        Verb::Check => "What should I look for? For example: \"do we have eggs?\".",
        Verb::TickOff => "What should I tick off? For example: \"tick off milk\".",
        Verb::Interval => {
            "How often should it come round: daily, weekly, every two weeks or monthly? \
             For example: \"make milk recurring weekly\"."
        }
        Verb::Recurring => "What should I keep coming back? For example: \"buy milk every week\".",
    }
    .to_string()
}

/// "remove eggs from the list": no tool deletes list entries.
pub(super) fn remove_from_list() -> String {
    "I can't take things off a list in offline mode, but I can tick them off — try \
     \"tick off eggs\"."
        .to_string()
}

/// A request whose tool is not offered in this step.
pub(super) fn unavailable(tool: &str) -> String {
    let what = match tool {
        "addToList" => "add to your lists",
        "addItem" | "consumeItem" => "update the pantry",
        "removeItem" => "remove things from the pantry",
        "checkItem" | "listItems" => "look in the pantry",
        "listGroceryLists" | "showGroceryListEditor" => "open your lists",
        "checkOffListItem" => "tick things off your lists",
        "setRecurring" => "set up regular buys",
        "queryBudget" => "look at your spending",
        "checkPredictions" => "work out what runs out soon",
        _ => "do that",
    };
    format!("Sorry, I can't {what} from here just now.")
}

/// One tool's result, as read from its message.
struct Outcome {
    ok: Option<bool>,
    message: String,
    action: bool,
}

/// Reads a result: `{"ok": bool, "message": "…"}`, or the raw text when it is not such JSON.
fn outcome(tool: Option<&str>, content: &str) -> Outcome {
    let action = tool.is_some_and(|t| ACTION_TOOLS.contains(&t));
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").trim().to_string();
    match serde_json::from_str::<Value>(content) {
        Ok(Value::Object(object)) => {
            let ok = object.get("ok").and_then(Value::as_bool);
            let mut message = text(object.get("message"));
            if message.is_empty() && ok == Some(false) {
                message = text(object.get("error"));
            }
            Outcome {
                ok,
                message,
                action,
            }
        }
        _ => Outcome {
            ok: None,
            message: content.trim().to_string(),
            action,
        },
    }
}

/// Ends a message with a full stop unless it already ends a sentence.
fn sentence(message: &str) -> String {
    match message.chars().last() {
        Some('.' | '!' | '?' | '…') | None => message.to_string(),
        Some(_) => format!("{message}."),
    }
}

/// The final words after tools ran: what worked first (opening with "Done!" when something
/// changed), then what did not, gently. `results` pairs each call's tool (when known) with
/// its result text, in call order.
pub(super) fn tool_results(results: &[(Option<&str>, &str)]) -> String {
    let outcomes: Vec<Outcome> = results.iter().map(|(t, c)| outcome(*t, c)).collect();
    let mut parts: Vec<String> = Vec::new();
    if outcomes.iter().any(|o| o.ok == Some(true) && o.action) {
        parts.push("Done!".to_string());
    }
    for o in outcomes.iter().filter(|o| o.ok != Some(false)) {
        if !o.message.is_empty() {
            parts.push(sentence(&o.message));
        }
    }
    let mut failed = outcomes.iter().filter(|o| o.ok == Some(false)).peekable();
    if let Some(first) = failed.next() {
        parts.push(match first.message.as_str() {
            "" => "Hmm, something went wrong there.".to_string(),
            m if m.starts_with("I ") || m.starts_with("I'") || m.starts_with("I’") => {
                format!("Hmm, {}", sentence(m))
            }
            m => format!("Hmm — {}", sentence(m)),
        });
        for o in failed.filter(|o| !o.message.is_empty()) {
            parts.push(sentence(&o.message));
        }
    }
    if parts.is_empty() {
        return "Done!".to_string();
    }
    parts.join(" ")
}
