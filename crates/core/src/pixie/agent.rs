//! A turn: store what the member said, tell the model about the household, let it call
//! tools (through the same use cases as REST) for a bounded number of steps, stream its text
//! to an observer as it comes, and store the reply with its tool calls and UI card so a
//! reload shows exactly what the live stream showed. The first exchange names the thread.

use crate::activity::ActivityEntry;
use crate::homes::home::Home;
use crate::items::ItemFilter;
use crate::items::item::events as item_events;
use crate::lists::schedule::zone;
use crate::pixie::context::{ExpiringItem, Household, MemberContext, RecentChange, system_prompt};
use crate::pixie::model::{
    LanguageModel, ModelError, ModelMessage, ModelRequest, TokenUsage, ToolCall,
};
use crate::pixie::service::{ChatError, ChatService};
use crate::pixie::thread::{ChatMessage, ChatRole, TurnUsage};
use crate::pixie::tools::{
    PRESENT_RECEIPT_REVIEW, ToolContext, ToolOutcome, present_receipt_review, receipt_message,
    receipt_review_spec,
};
use crate::receipts::ParsedReceipt;
use chrono::Duration;
use serde_json::{Value, json};
use std::sync::Arc;
use uuid::Uuid;

/// Said when the model cannot be reached or fails before saying anything.
pub const TROUBLE: &str =
    "Sorry, I'm having trouble thinking right now. Could you try again in a moment?";
/// Added when the model's stream breaks in the middle of a reply.
pub const LOST_THREAD: &str = "Sorry, I lost my train of thought there. Could you ask me again?";
/// Said when a tool call still does not fit after one repair round.
pub const CONFUSED: &str =
    "Sorry, I couldn't work out how to do that. Could you say it another way?";

/// Receives a turn as it happens (to stream it to sockets). Called synchronously from the
/// turn, so implementations hand work off rather than block.
pub trait TurnObserver: Send {
    /// The member's message is stored; the reply will have id `reply_id`.
    fn started(&mut self, message: &ChatMessage, reply_id: Uuid);
    /// More reply text: `delta` is new, `so_far` is the whole text until now.
    fn text(&mut self, reply_id: Uuid, delta: &str, so_far: &str);
    /// The reply is stored.
    fn finished(&mut self, reply: &ChatMessage);
}

/// An observer that ignores everything.
pub struct Unobserved;

impl TurnObserver for Unobserved {
    fn started(&mut self, _: &ChatMessage, _: Uuid) {}
    fn text(&mut self, _: Uuid, _: &str, _: &str) {}
    fn finished(&mut self, _: &ChatMessage) {}
}

/// What a member asked.
#[derive(Debug, Clone)]
pub struct TurnRequest {
    /// Who asks.
    pub user_id: Uuid,
    /// In which home.
    pub home_id: Uuid,
    /// In which of its threads.
    pub thread_id: Uuid,
    /// What they said.
    pub content: String,
    /// The list they had open, if any (a default for list tools).
    pub list_id: Option<Uuid>,
    /// A scanned receipt they attached, already validated like a confirm body: given to the
    /// model as data in a user message, with `presentReceiptReview` offered for this turn.
    pub receipt: Option<ParsedReceipt>,
}

/// A finished turn.
#[derive(Debug, Clone)]
pub struct TurnOutcome {
    /// The member's message as stored.
    pub user_message: ChatMessage,
    /// Pixie's reply as stored.
    pub reply: ChatMessage,
    /// Tokens the turn used.
    pub usage: TokenUsage,
    /// The title the thread got from this exchange, if it got one.
    pub new_title: Option<String>,
}

/// The text of the reply and the deltas sent so far.
struct Reply<'a> {
    id: Uuid,
    text: String,
    /// Text from an earlier step is there: the next text starts a new paragraph.
    needs_break: bool,
    observer: &'a mut dyn TurnObserver,
}

impl Reply<'_> {
    fn push(&mut self, delta: &str) {
        if delta.is_empty() {
            return;
        }
        if self.needs_break {
            self.needs_break = false;
            let delta = format!("\n\n{delta}");
            self.text.push_str(&delta);
            self.observer.text(self.id, &delta, &self.text);
            return;
        }
        self.text.push_str(delta);
        self.observer.text(self.id, delta, &self.text);
    }

    /// What comes next is a new paragraph (when there is text before it).
    fn paragraph(&mut self) {
        self.needs_break = !self.text.trim().is_empty();
    }
}

impl ChatService {
    /// Runs one turn: see the module documentation. The reply is always stored, even when the
    /// model fails (then it apologises); a tool's changes are kept whatever happens after.
    pub async fn send(
        &self,
        request: TurnRequest,
        observer: &mut dyn TurnObserver,
    ) -> Result<TurnOutcome, ChatError> {
        let content = request.content.trim();
        let length = content.chars().count();
        if length == 0 || length > self.config.max_message_chars {
            return Err(ChatError::Invalid(format!(
                "content must be 1 to {} characters",
                self.config.max_message_chars
            )));
        }
        self.writer(request.user_id, request.home_id).await?;
        let thread = self.thread_of(request.home_id, request.thread_id).await?;
        let now = self.clock.now();
        self.rate
            .take(request.user_id, now)
            .map_err(ChatError::RateLimited)?;
        let _pass = self.gate.enter(request.home_id).ok_or(ChatError::Busy)?;

        let history = self
            .chats
            .messages(
                request.home_id,
                request.thread_id,
                None,
                i64::from(self.config.history_messages),
            )
            .await?;
        let first_exchange = !history.iter().any(|m| m.role == ChatRole::User);

        let user_message = ChatMessage {
            id: crate::ids::new_id(),
            thread_id: request.thread_id,
            user_id: Some(request.user_id),
            role: ChatRole::User,
            content: content.to_owned(),
            intent: None,
            tool_calls: None,
            ui: None,
            created_at: now,
        };
        self.chats
            .append_message(request.home_id, &user_message)
            .await?;
        let reply_id = crate::ids::new_id();
        observer.started(&user_message, reply_id);

        let home = self.home(request.home_id).await?;
        let (model, budget_note) = self.model_for(&home).await?;
        let mut reply = Reply {
            id: reply_id,
            text: String::new(),
            needs_break: false,
            observer,
        };
        if let Some(note) = &budget_note {
            reply.push(note);
        }

        let mut messages = vec![ModelMessage::System(
            self.household_prompt(&request, home).await?,
        )];
        messages.extend(history.iter().rev().filter_map(|m| {
            let text = m.content.trim();
            (!text.is_empty()).then(|| match m.role {
                ChatRole::User => ModelMessage::User(text.to_owned()),
                ChatRole::Assistant => ModelMessage::Assistant {
                    content: Some(text.to_owned()),
                    tool_calls: Vec::new(),
                },
            })
        }));
        if let Some(receipt) = &request.receipt {
            messages.push(ModelMessage::User(receipt_message(receipt)));
        }
        messages.push(ModelMessage::User(content.to_owned()));

        let ctx = ToolContext {
            home_id: request.home_id,
            user_id: request.user_id,
            scoped_list: request.list_id,
            now,
        };
        let (usage, records, ui) = self
            .run_steps(
                model.as_ref(),
                messages,
                &ctx,
                request.receipt.as_ref(),
                &mut reply,
            )
            .await;

        let reply_message = ChatMessage {
            id: reply_id,
            thread_id: request.thread_id,
            user_id: Some(request.user_id),
            role: ChatRole::Assistant,
            content: reply.text.clone(),
            intent: records
                .first()
                .and_then(|r| r.get("name"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            tool_calls: (!records.is_empty()).then_some(Value::Array(records)),
            ui,
            created_at: self.clock.now().max(now),
        };
        self.chats
            .append_message(request.home_id, &reply_message)
            .await?;

        let mut usage = usage;
        let mut new_title = None;
        if first_exchange && thread.title.is_none() {
            let (title, used) = self.title_for(model.as_ref(), content).await;
            usage = usage.plus(used);
            if self
                .chats
                .title_if_untitled(request.home_id, request.thread_id, &title)
                .await?
            {
                new_title = Some(title);
            }
        }
        self.chats
            .record_usage(&TurnUsage {
                home_id: request.home_id,
                thread_id: request.thread_id,
                user_id: request.user_id,
                model: model.name(),
                tokens: usage,
                at: self.clock.now(),
            })
            .await?;
        reply.observer.finished(&reply_message);
        Ok(TurnOutcome {
            user_message,
            reply: reply_message,
            usage,
            new_title,
        })
    }

    /// The model for this turn: the configured one, or the offline one (with a note saying
    /// so) once the home has spent this month's budget.
    async fn model_for(
        &self,
        home: &Home,
    ) -> Result<(Arc<dyn LanguageModel>, Option<String>), ChatError> {
        let budget = self.config.monthly_token_budget;
        if self.model.is_offline() || budget == 0 {
            return Ok((Arc::clone(&self.model), None));
        }
        let (start, end) = self.month_of(home);
        let used = self.chats.usage_since(home.id, start).await?.tokens.total();
        if used < budget {
            return Ok((Arc::clone(&self.model), None));
        }
        let note = format!(
            "This home has used this month's Pixie budget, so I'm in simple mode until {}. ",
            end.format("%-d %B")
        );
        Ok((Arc::clone(&self.offline), Some(note)))
    }

    /// Model steps with tool rounds in between. Returns the tokens used, a record of every
    /// tool call with its result, and the last UI card a tool produced.
    async fn run_steps(
        &self,
        model: &dyn LanguageModel,
        mut messages: Vec<ModelMessage>,
        ctx: &ToolContext,
        receipt: Option<&ParsedReceipt>,
        reply: &mut Reply<'_>,
    ) -> (TokenUsage, Vec<Value>, Option<Value>) {
        let mut usage = TokenUsage::default();
        let mut records = Vec::new();
        let mut ui = None;
        let mut repaired = false;
        let steps = self.config.max_steps.max(1);
        for step in 0..steps {
            // The last step offers no tools, so the model has to answer in words.
            let tools = if step + 1 < steps {
                let mut tools = self.tools.specs();
                tools.extend(receipt.map(|_| receipt_review_spec()));
                tools
            } else {
                Vec::new()
            };
            let offered = !tools.is_empty();
            let request = ModelRequest {
                messages: messages.clone(),
                tools,
                max_tokens: None,
                response_format: None,
            };
            reply.paragraph();
            let answered = {
                let mut on_text = |delta: &str| reply.push(delta);
                model.complete(request, &mut on_text).await
            };
            let answer = match answered {
                Ok(answer) => answer,
                Err(ModelError::Interrupted { .. }) => {
                    reply.paragraph();
                    reply.push(LOST_THREAD);
                    break;
                }
                Err(_) => {
                    reply.paragraph();
                    reply.push(TROUBLE);
                    break;
                }
            };
            usage = usage.plus(answer.usage);
            if answer.tool_calls.is_empty() || !offered {
                if reply.text.trim().is_empty() {
                    reply.push(TROUBLE);
                }
                break;
            }
            messages.push(ModelMessage::Assistant {
                content: (!answer.text.is_empty()).then(|| answer.text.clone()),
                tool_calls: answer.tool_calls.clone(),
            });
            let mut invalid = false;
            for call in &answer.tool_calls {
                let outcome = match receipt {
                    Some(receipt) if call.name == PRESENT_RECEIPT_REVIEW => {
                        present_receipt_review(receipt)
                    }
                    _ => self.tools.run(ctx, call).await,
                };
                let (result, record_result) = match outcome {
                    ToolOutcome::Ran { result, ui: card } => {
                        if card.is_some() {
                            ui = card;
                        }
                        (result.clone(), result)
                    }
                    ToolOutcome::Invalid(why) => {
                        invalid = true;
                        let result = json!({
                            "ok": false,
                            "error": format!(
                                "Invalid arguments for {}: {why}. Call it again with arguments that match its schema.",
                                call.name
                            ),
                        });
                        (result.clone(), result)
                    }
                };
                records.push(record(call, record_result));
                messages.push(ModelMessage::Tool {
                    call_id: call.id.clone(),
                    content: result.to_string(),
                });
            }
            if invalid {
                if repaired {
                    reply.paragraph();
                    reply.push(CONFUSED);
                    break;
                }
                repaired = true;
            }
        }
        (usage, records, ui)
    }

    /// A short title for a thread from its first message: asked of the model, falling back
    /// to the message's first words when the answer is unusable.
    async fn title_for(&self, model: &dyn LanguageModel, first: &str) -> (String, TokenUsage) {
        let request = ModelRequest {
            messages: vec![
                ModelMessage::System(
                    "Write a title of 2 to 6 words for a conversation that starts with the next message. \
Answer with the title only, without quotes or punctuation."
                        .to_owned(),
                ),
                ModelMessage::User(first.chars().take(400).collect()),
            ],
            tools: Vec::new(),
            max_tokens: Some(20),
            response_format: None,
        };
        let mut ignore = |_: &str| {};
        match model.complete(request, &mut ignore).await {
            Ok(answer) => match clean_title(&answer.text) {
                Some(title) => (title, answer.usage),
                None => (fallback_title(first), answer.usage),
            },
            Err(_) => (fallback_title(first), TokenUsage::default()),
        }
    }

    /// The system prompt with the household's members, rules, recent activity and expiry.
    async fn household_prompt(
        &self,
        request: &TurnRequest,
        home: Home,
    ) -> Result<String, ChatError> {
        let members = self.homes.members(request.home_id).await?;
        let mut contexts = Vec::with_capacity(members.len());
        for member in &members {
            let prefs = self
                .accounts
                .preferences(member.user_id)
                .await?
                .unwrap_or_default();
            contexts.push(MemberContext {
                name: member.name.clone(),
                dietary: prefs.dietary_restrictions,
                skill: prefs.cooking_skill_level,
                budget: prefs.budget_consciousness,
            });
        }
        let now = self.clock.now();
        let recent = self
            .activity
            .newest(request.home_id, None, 40)
            .await?
            .into_iter()
            .filter(|e| {
                e.event.actor.user_id != Some(request.user_id)
                    && e.event.at > now - Duration::hours(48)
            })
            .filter_map(|e| describe(&e))
            .collect();
        let filter = ItemFilter {
            expiring_within_days: Some(3),
            in_stock: Some(true),
            ..ItemFilter::default()
        };
        let actor = crate::change_log::Actor::pixie(request.user_id);
        let expiring = self
            .items
            .list(&actor, request.home_id, &filter)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter_map(|item| {
                item.expires_at.map(|at| ExpiringItem {
                    name: item.name,
                    days_left: (at - now).num_days() - i64::from(at < now),
                })
            })
            .collect();
        let zone = zone(&home.timezone);
        let asking = members
            .iter()
            .find(|m| m.user_id == request.user_id)
            .map(|m| m.name.clone())
            .unwrap_or_else(|| "a member".to_owned());
        Ok(system_prompt(&Household {
            home_name: home.name,
            asking,
            members: contexts,
            household_size: home.household_size,
            shared_dietary: home.shared_dietary_restrictions,
            recent,
            expiring,
            local_time: now
                .with_timezone(&zone)
                .format("%A %-d %B %Y, %H:%M")
                .to_string(),
            now,
        }))
    }
}

/// A tool call as stored with the reply: what was asked and what came back.
fn record(call: &ToolCall, result: Value) -> Value {
    let arguments = crate::pixie::arguments::lenient_object(&call.arguments)
        .map(Value::Object)
        .unwrap_or_else(|_| Value::String(call.arguments.clone()));
    json!({ "id": call.id, "name": call.name, "arguments": arguments, "result": result })
}

/// "added milk", "used up eggs" for the prompt's activity section.
fn describe(entry: &ActivityEntry) -> Option<RecentChange> {
    let name = entry.event.payload.get("name").and_then(Value::as_str)?;
    let verb = match entry.event.kind.as_str() {
        item_events::ADDED | item_events::MERGED => "added",
        item_events::DELETED => "removed",
        item_events::CONSUMED => {
            if entry.event.payload.get("usedUp").and_then(Value::as_bool) == Some(true) {
                "used up"
            } else {
                "used some"
            }
        }
        item_events::UPDATED => "updated",
        item_events::TOGGLED => "checked off",
        _ => return None,
    };
    Some(RecentChange {
        who: entry.actor_name.clone(),
        what: format!("{verb} {name}"),
        at: entry.event.at,
    })
}

/// The model's title, cleaned: first line, no quotes or final punctuation, at most 60
/// characters; `None` when nothing usable is left.
fn clean_title(raw: &str) -> Option<String> {
    let line = raw.lines().map(str::trim).find(|l| !l.is_empty())?;
    let line = line.trim_start_matches(|c: char| c == '#' || c.is_whitespace());
    let line = line
        .strip_prefix("Title:")
        .or_else(|| line.strip_prefix("title:"))
        .unwrap_or(line);
    let cleaned = line
        .trim()
        .trim_matches(|c: char| matches!(c, '"' | '\'' | '“' | '”' | '*' | '`'))
        .trim_end_matches(['.', '!', '?', ':'])
        .trim();
    let title: String = cleaned.chars().take(60).collect();
    (!title.is_empty()).then_some(title)
}

/// The first six words of the first message.
fn fallback_title(first: &str) -> String {
    let words: Vec<&str> = first.split_whitespace().take(6).collect();
    clean_title(&words.join(" ")).unwrap_or_else(|| crate::pixie::thread::UNTITLED.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_cleaned_or_fall_back() {
        assert_eq!(
            clean_title("\"Weekend Curry Plans.\"\n").as_deref(),
            Some("Weekend Curry Plans")
        );
        assert_eq!(
            clean_title("Title: Eggs and milk").as_deref(),
            Some("Eggs and milk")
        );
        assert_eq!(clean_title(" \n\"\"\n"), None);
        assert_eq!(
            fallback_title("add 2 milk and bread to the list please"),
            "add 2 milk and bread to"
        );
    }
}
