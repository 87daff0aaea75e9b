//! Reading tool-call arguments the way small local models write them.
//!
//! The JSON a model writes for a tool call is often almost right: wrapped in a Markdown code
//! fence, with a trailing comma, encoded twice as a JSON string, or empty for "no arguments".
//! [`lenient_object`] repairs exactly those slips and nothing more; the tool then checks the
//! object against its own types, and a call that still does not fit goes back to the model
//! once with the error (see [`crate::pixie::agent`]).

use serde::{Deserialize, Deserializer, de};
use serde_json::{Map, Value};

/// The arguments as a JSON object, repairing the usual slips of small models, or why not.
///
/// ```
/// use pantry_core::pixie::arguments::lenient_object;
/// let fenced = "```json\n{\"name\": \"eggs\",}\n```";
/// assert_eq!(lenient_object(fenced).unwrap()["name"], "eggs");
/// assert_eq!(lenient_object("").unwrap().len(), 0);
/// assert_eq!(lenient_object("\"{\\\"name\\\":\\\"milk\\\"}\"").unwrap()["name"], "milk");
/// assert!(lenient_object("[1, 2]").is_err());
/// ```
pub fn lenient_object(raw: &str) -> Result<Map<String, Value>, String> {
    let text = strip_fence(raw.trim());
    if text.is_empty() {
        return Ok(Map::new());
    }
    let value = parse_forgiving(text)?;
    match value {
        Value::Object(map) => Ok(map),
        // Encoded twice: a JSON string holding the object.
        Value::String(inner) => match parse_forgiving(strip_fence(inner.trim()))? {
            Value::Object(map) => Ok(map),
            _ => Err("the arguments must be a JSON object".to_owned()),
        },
        Value::Null => Ok(Map::new()),
        _ => Err("the arguments must be a JSON object".to_owned()),
    }
}

fn parse_forgiving(text: &str) -> Result<Value, String> {
    match serde_json::from_str(text) {
        Ok(value) => Ok(value),
        Err(first) => serde_json::from_str(&without_trailing_commas(text))
            .map_err(|_| format!("the arguments are not valid JSON ({first})")),
    }
}

/// The text inside a Markdown code fence (with or without a language tag), or the text.
fn strip_fence(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("```") else {
        return text;
    };
    // Skip the language tag on the opening line.
    let body = match rest.find('\n') {
        Some(newline) => &rest[newline + 1..],
        None => rest,
    };
    body.trim_end().strip_suffix("```").unwrap_or(body).trim()
}

/// Drops commas that directly precede `}` or `]` (outside strings).
fn without_trailing_commas(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for (i, &c) in chars.iter().enumerate() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        if c == '"' {
            in_string = true;
        } else if c == ',' {
            let next = chars[i + 1..].iter().find(|n| !n.is_whitespace());
            if matches!(next, Some('}') | Some(']')) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// A list where models sometimes send a single element: accepts both, and keeps the
/// element's own error (an untagged enum would hide it).
pub fn one_or_many<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: for<'a> Deserialize<'a>,
{
    let element = |value: Value| serde_json::from_value::<T>(value).map_err(de::Error::custom);
    match Value::deserialize(deserializer)? {
        Value::Array(values) => values.into_iter().map(element).collect(),
        Value::Null => Ok(Vec::new()),
        one => Ok(vec![element(one)?]),
    }
}

/// An optional number that models sometimes send as a string (`"2"`, `"1.5"`, `"2 kg"` is
/// refused).
pub fn number_or_string<'de, D>(deserializer: D) -> Result<Option<f64>, D::Error>
where
    D: Deserializer<'de>,
{
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .map(Some)
            .ok_or_else(|| de::Error::custom("expected a number")),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .trim_start_matches(['$', '€', '£', '฿'])
            .parse::<f64>()
            .map(Some)
            .map_err(|_| de::Error::custom(format!("expected a number, got \"{s}\""))),
        Some(other) => Err(de::Error::custom(format!("expected a number, got {other}"))),
    }
}

/// An optional flag that models sometimes send as `"true"`.
pub fn flag<'de, D>(deserializer: D) -> Result<Option<bool>, D::Error>
where
    D: Deserializer<'de>,
{
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" => Ok(Some(true)),
            "false" | "no" => Ok(Some(false)),
            _ => Err(de::Error::custom(format!(
                "expected true or false, got \"{s}\""
            ))),
        },
        Some(other) => Err(de::Error::custom(format!(
            "expected true or false, got {other}"
        ))),
    }
}

/// Reads `raw` leniently into `T`, or the error to show the model.
pub fn parse_arguments<T: for<'de> Deserialize<'de>>(raw: &str) -> Result<T, String> {
    let object = lenient_object(raw)?;
    serde_json::from_value(Value::Object(object)).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Items {
        #[serde(deserialize_with = "one_or_many")]
        items: Vec<Named>,
    }
    #[derive(Debug, Deserialize, PartialEq)]
    struct Named {
        name: String,
        #[serde(default, deserialize_with = "number_or_string")]
        quantity: Option<f64>,
    }

    #[test]
    fn repairs_the_slips_small_models_make() {
        let cases = [
            "{\"items\": [{\"name\": \"milk\", \"quantity\": 2}]}",
            "```json\n{\"items\": [{\"name\": \"milk\", \"quantity\": 2}]}\n```",
            "```\n{\"items\": [{\"name\": \"milk\", \"quantity\": \"2\",},],}\n```",
            "{\"items\": {\"name\": \"milk\", \"quantity\": 2}}",
            "\"{\\\"items\\\": {\\\"name\\\": \\\"milk\\\", \\\"quantity\\\": 2}}\"",
        ];
        for raw in cases {
            let parsed: Items = parse_arguments(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(
                parsed,
                Items {
                    items: vec![Named {
                        name: "milk".into(),
                        quantity: Some(2.0)
                    }]
                },
                "{raw}"
            );
        }
    }

    #[test]
    fn commas_inside_strings_are_kept() {
        let object = lenient_object("{\"notes\": \"a, }\",}").unwrap();
        assert_eq!(Value::Object(object), json!({"notes": "a, }"}));
    }

    #[test]
    fn what_cannot_be_repaired_says_why() {
        assert!(parse_arguments::<Items>("{\"items\": [").is_err());
        let missing = parse_arguments::<Items>("{}").unwrap_err();
        assert!(missing.contains("items"), "{missing}");
        let bad =
            parse_arguments::<Items>("{\"items\": [{\"name\": \"x\", \"quantity\": \"lots\"}]}")
                .unwrap_err();
        assert!(bad.contains("lots"), "{bad}");
    }
}
