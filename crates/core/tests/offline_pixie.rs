//! The offline model: every phrase it promises to understand, the tool-results step, titles,
//! and that odd input never panics.

use pantry_core::pixie::model::{
    FinishReason, LanguageModel, ModelMessage, ModelReply, ModelRequest, TokenUsage, ToolCall,
    ToolSpec,
};
use pantry_core::pixie::offline::OfflinePixie;
use serde_json::{Value, json};

const ALL_TOOLS: &[&str] = &[
    "addToList",
    "addItem",
    "consumeItem",
    "removeItem",
    "checkItem",
    "listItems",
    "listGroceryLists",
    "showGroceryListEditor",
    "checkOffListItem",
    "setRecurring",
    "queryBudget",
    "checkPredictions",
];

fn tools(names: &[&str]) -> Vec<ToolSpec> {
    names
        .iter()
        .map(|name| ToolSpec {
            name: name.to_string(),
            description: String::new(),
            parameters: json!({"type": "object"}),
        })
        .collect()
}

fn request_with(messages: Vec<ModelMessage>, offered: &[&str]) -> ModelRequest {
    ModelRequest {
        messages,
        tools: tools(offered),
        max_tokens: None,
        response_format: None,
    }
}

fn user_turn(text: &str, offered: &[&str]) -> ModelRequest {
    request_with(
        vec![
            ModelMessage::System("You are Pixie, a pantry assistant.".into()),
            ModelMessage::User("hi".into()),
            ModelMessage::Assistant {
                content: Some("Hello!".into()),
                tool_calls: vec![],
            },
            ModelMessage::User(text.into()),
        ],
        offered,
    )
}

/// Runs one step, returning the reply and the pieces `on_text` received.
async fn run(request: ModelRequest) -> (ModelReply, Vec<String>) {
    let mut pieces = Vec::new();
    let reply = OfflinePixie
        .complete(request, &mut |piece: &str| pieces.push(piece.to_string()))
        .await
        .expect("the offline model never fails");
    (reply, pieces)
}

/// The calls made for `text` with every tool offered, as (tool, parsed arguments).
async fn calls(text: &str) -> Vec<(String, Value)> {
    let (reply, pieces) = run(user_turn(text, ALL_TOOLS)).await;
    if reply.tool_calls.is_empty() {
        assert_eq!(reply.finish, FinishReason::Stop, "{text}");
        return vec![];
    }
    assert_eq!(reply.finish, FinishReason::ToolCalls, "{text}");
    assert_eq!(reply.text, "", "{text}");
    assert!(pieces.is_empty(), "{text}");
    reply
        .tool_calls
        .iter()
        .enumerate()
        .map(|(i, call)| {
            assert_eq!(call.id, format!("offline_call_{i}"));
            let args: Value = serde_json::from_str(&call.arguments).expect("arguments are JSON");
            assert_eq!(call.arguments, args.to_string(), "compact JSON");
            (call.name.clone(), args)
        })
        .collect()
}

/// Text the model answers `text` with (asserting it makes no calls).
async fn text_reply(text: &str, offered: &[&str]) -> String {
    let (reply, pieces) = run(user_turn(text, offered)).await;
    assert!(
        reply.tool_calls.is_empty(),
        "{text}: {:?}",
        reply.tool_calls
    );
    assert_eq!(reply.finish, FinishReason::Stop);
    assert_eq!(pieces.concat(), reply.text);
    reply.text
}

fn call(tool: &str, args: Value) -> (String, Value) {
    (tool.to_string(), args)
}

/// Checks every case, reporting all mismatches at once.
async fn check_all(cases: Vec<(&str, Vec<(String, Value)>)>) {
    let mut wrong = Vec::new();
    for (text, expected) in cases {
        let got = calls(text).await;
        if got != expected {
            wrong.push(format!(
                "{text:?}\n  expected {expected:?}\n  got      {got:?}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} mismatches:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[tokio::test]
async fn add_to_the_default_list() {
    let milk_bread = vec![call(
        "addToList",
        json!({"items": [{"name": "milk", "quantity": 2}, {"name": "bread"}]}),
    )];
    let eggs = || vec![call("addToList", json!({"items": [{"name": "eggs"}]}))];
    check_all(vec![
        ("add 2 milk and bread to the list", milk_bread.clone()),
        ("Add 2 milk & bread to the list.", milk_bread.clone()),
        ("please add 2 milk and bread to my list", milk_bread.clone()),
        (
            "Pixie, can you add 2 milk plus bread to the list please?",
            milk_bread.clone(),
        ),
        (
            "could you add two milk and bread to the shopping list, thanks",
            milk_bread,
        ),
        (
            "add milk, eggs and 2 kg flour to my shopping list",
            vec![call(
                "addToList",
                json!({"items": [
                    {"name": "milk"},
                    {"name": "eggs"},
                    {"name": "flour", "quantity": 2, "unit": "kg"}
                ]}),
            )],
        ),
        ("put eggs on the list", eggs()),
        ("add eggs to the list", eggs()),
        ("we need eggs", eggs()),
        ("We need eggs!", eggs()),
        ("add eggs", eggs()),
        ("eggs on the list please", eggs()),
        ("don't forget eggs", eggs()),
        ("we're running low on eggs", eggs()),
        ("buy eggs", eggs()),
        ("I need to buy eggs", eggs()),
        (
            "I need milk and bread",
            vec![call(
                "addToList",
                json!({"items": [{"name": "milk"}, {"name": "bread"}]}),
            )],
        ),
        (
            "add 1.5 kg flour",
            vec![call(
                "addToList",
                json!({"items": [{"name": "flour", "quantity": 1.5, "unit": "kg"}]}),
            )],
        ),
        (
            "add 1,5 kg flour",
            vec![call(
                "addToList",
                json!({"items": [{"name": "flour", "quantity": 1.5, "unit": "kg"}]}),
            )],
        ),
        (
            "add 2 bottles of wine and a couple of lemons",
            vec![call(
                "addToList",
                json!({"items": [
                    {"name": "wine", "quantity": 2, "unit": "bottle"},
                    {"name": "lemons", "quantity": 2}
                ]}),
            )],
        ),
        (
            "add 3 cans of beans",
            vec![call(
                "addToList",
                json!({"items": [{"name": "cans of beans", "quantity": 3}]}),
            )],
        ),
        (
            "add half a watermelon and an avocado",
            vec![call(
                "addToList",
                json!({"items": [
                    {"name": "watermelon", "quantity": 0.5},
                    {"name": "avocado", "quantity": 1}
                ]}),
            )],
        ),
        (
            "add some Greek yoghurt",
            vec![call(
                "addToList",
                json!({"items": [{"name": "Greek yoghurt"}]}),
            )],
        ),
    ])
    .await;
}

#[tokio::test]
async fn add_to_a_named_list() {
    let eggs_to = |list: &str| {
        vec![call(
            "addToList",
            json!({"items": [{"name": "eggs"}], "listName": list}),
        )]
    };
    check_all(vec![
        ("add eggs to the weekend list", eggs_to("weekend")),
        ("add eggs to my Weekend list", eggs_to("Weekend")),
        ("add eggs to the list called Party", eggs_to("Party")),
        ("add eggs to the party list", eggs_to("party")),
        ("add eggs to party shopping list", eggs_to("party")),
        ("put eggs on our BBQ grocery list", eggs_to("BBQ")),
        (
            "add eggs to the list named Mum's birthday",
            eggs_to("Mum's birthday"),
        ),
    ])
    .await;
}

#[tokio::test]
async fn bought_goes_into_the_pantry() {
    let rice = || {
        vec![call(
            "addItem",
            json!({"name": "rice", "quantity": 500, "unit": "gram"}),
        )]
    };
    check_all(vec![
        ("I bought 500 g rice", rice()),
        ("bought 500g rice", rice()),
        ("I’ve just bought 500 grams of rice", rice()),
        (
            "I got 2 litres of milk",
            vec![call(
                "addItem",
                json!({"name": "milk", "quantity": 2, "unit": "liter"}),
            )],
        ),
        (
            "picked up a dozen eggs",
            vec![call(
                "addItem",
                json!({"name": "eggs", "quantity": 1, "unit": "dozen"}),
            )],
        ),
        (
            "just bought bananas",
            vec![call("addItem", json!({"name": "bananas"}))],
        ),
        (
            "add 3 apples to the pantry",
            vec![call("addItem", json!({"name": "apples", "quantity": 3}))],
        ),
        (
            "put the butter in the fridge",
            vec![call("addItem", json!({"name": "butter"}))],
        ),
        (
            "got the milk",
            vec![call("addItem", json!({"name": "milk"}))],
        ),
        (
            "we bought bread, 6 eggs and a bunch of bananas",
            vec![
                call("addItem", json!({"name": "bread"})),
                call("addItem", json!({"name": "eggs", "quantity": 6})),
                call(
                    "addItem",
                    json!({"name": "bananas", "quantity": 1, "unit": "bunch"}),
                ),
            ],
        ),
        (
            "bought 1l oat milk",
            vec![call(
                "addItem",
                json!({"name": "oat milk", "quantity": 1, "unit": "liter"}),
            )],
        ),
    ])
    .await;
}

#[tokio::test]
async fn out_of_and_used() {
    let all = |name: &str| vec![call("consumeItem", json!({"name": name, "all": true}))];
    check_all(vec![
        ("we're out of eggs", all("eggs")),
        ("we’re out of eggs", all("eggs")),
        ("were out of eggs", all("eggs")),
        ("we are out of eggs", all("eggs")),
        ("out of eggs", all("eggs")),
        ("we're all out of eggs!", all("eggs")),
        ("ran out of milk", all("milk")),
        ("we've run out of milk", all("milk")),
        ("used up the milk", all("milk")),
        ("finished the milk", all("milk")),
        ("no more eggs", all("eggs")),
        ("the milk is all gone", all("milk")),
        (
            "we're out of eggs and milk",
            vec![
                call("consumeItem", json!({"name": "eggs", "all": true})),
                call("consumeItem", json!({"name": "milk", "all": true})),
            ],
        ),
        (
            "I used 200 g of rice",
            vec![call(
                "consumeItem",
                json!({"name": "rice", "quantity": 200, "unit": "gram"}),
            )],
        ),
        (
            "used 2 eggs",
            vec![call("consumeItem", json!({"name": "eggs", "quantity": 2}))],
        ),
        (
            "we ate three apples",
            vec![call(
                "consumeItem",
                json!({"name": "apples", "quantity": 3}),
            )],
        ),
    ])
    .await;
}

#[tokio::test]
async fn do_we_have() {
    let eggs = || vec![call("checkItem", json!({"name": "eggs"}))];
    check_all(vec![
        ("do we have eggs?", eggs()),
        ("do I have eggs", eggs()),
        ("have we got any eggs", eggs()),
        ("any eggs left?", eggs()),
        ("is there any eggs", eggs()),
        ("are we out of eggs?", eggs()),
        ("check if we have eggs", eggs()),
        (
            "how much rice do we have",
            vec![call("checkItem", json!({"name": "rice"}))],
        ),
        (
            "how many eggs are left?",
            vec![call("checkItem", json!({"name": "eggs"}))],
        ),
        (
            "do we have milk and butter?",
            vec![
                call("checkItem", json!({"name": "milk"})),
                call("checkItem", json!({"name": "butter"})),
            ],
        ),
    ])
    .await;
}

#[tokio::test]
async fn pantry_and_expiring() {
    let expiring = || vec![call("listItems", json!({"expiringWithinDays": 7}))];
    let everything = || vec![call("listItems", json!({}))];
    check_all(vec![
        ("what's expiring?", expiring()),
        ("whats expiring soon", expiring()),
        ("what is going off", expiring()),
        ("anything expiring this week?", expiring()),
        ("what goes off soon", expiring()),
        ("what expires this week", expiring()),
        ("what's in the pantry", everything()),
        ("What’s in the pantry?", everything()),
        ("what do we have", everything()),
        ("show me the pantry", everything()),
        (
            "what's in the freezer",
            vec![call("listItems", json!({"category": "frozen"}))],
        ),
        (
            "what snacks do we have",
            vec![call("listItems", json!({"category": "snacks"}))],
        ),
        (
            "what cheese do we have",
            vec![call("listItems", json!({"search": "cheese"}))],
        ),
    ])
    .await;
}

#[tokio::test]
async fn lists() {
    let lists = || vec![call("listGroceryLists", json!({}))];
    let default = || vec![call("showGroceryListEditor", json!({}))];
    check_all(vec![
        ("show my lists", lists()),
        ("show lists", lists()),
        ("what lists do we have", lists()),
        ("my lists", lists()),
        ("Show me all my lists please", lists()),
        (
            "show the weekend list",
            vec![call(
                "showGroceryListEditor",
                json!({"listName": "weekend"}),
            )],
        ),
        (
            "open the list called Party",
            vec![call("showGroceryListEditor", json!({"listName": "Party"}))],
        ),
        ("what's on the list", default()),
        ("what's on my shopping list", default()),
        ("what do we need?", default()),
        ("show the list", default()),
    ])
    .await;
}

#[tokio::test]
async fn tick_off() {
    let milk = || vec![call("checkOffListItem", json!({"name": "milk"}))];
    check_all(vec![
        ("tick off milk", milk()),
        ("cross milk off the list", milk()),
        ("check off the milk", milk()),
        (
            "check off the eggs",
            vec![call("checkOffListItem", json!({"name": "eggs"}))],
        ),
        ("mark milk as bought", milk()),
        (
            "tick off milk and eggs from the weekend list",
            vec![
                call(
                    "checkOffListItem",
                    json!({"name": "milk", "listName": "weekend"}),
                ),
                call(
                    "checkOffListItem",
                    json!({"name": "eggs", "listName": "weekend"}),
                ),
            ],
        ),
    ])
    .await;
}

#[tokio::test]
async fn remove_and_recurring() {
    check_all(vec![
        (
            "remove eggs from the pantry",
            vec![call("removeItem", json!({"name": "eggs"}))],
        ),
        (
            "delete the old yoghurt",
            vec![call("removeItem", json!({"name": "old yoghurt"}))],
        ),
        (
            "throw out the old yoghurt",
            vec![call("removeItem", json!({"name": "old yoghurt"}))],
        ),
        (
            "buy milk every week",
            vec![call(
                "setRecurring",
                json!({"name": "milk", "interval": "weekly"}),
            )],
        ),
        (
            "make coffee recurring monthly",
            vec![call(
                "setRecurring",
                json!({"name": "coffee", "interval": "monthly"}),
            )],
        ),
        (
            "get bread every day",
            vec![call(
                "setRecurring",
                json!({"name": "bread", "interval": "daily"}),
            )],
        ),
        (
            "buy eggs and milk every two weeks",
            vec![
                call(
                    "setRecurring",
                    json!({"name": "eggs", "interval": "biweekly"}),
                ),
                call(
                    "setRecurring",
                    json!({"name": "milk", "interval": "biweekly"}),
                ),
            ],
        ),
        (
            "add eggs to the weekly list",
            vec![call(
                "addToList",
                json!({"items": [{"name": "eggs"}], "listName": "weekly"}),
            )],
        ),
    ])
    .await;
}

#[tokio::test]
async fn everyday_phrasings() {
    let items = |names: &[&str]| {
        let items: Vec<Value> = names.iter().map(|n| json!({ "name": n })).collect();
        vec![call("addToList", json!({ "items": items }))]
    };
    check_all(vec![
        ("hi pixie, add eggs to the list", items(&["eggs"])),
        ("thanks, add eggs", items(&["eggs"])),
        ("can I add eggs?", items(&["eggs"])),
        ("buy bread tomorrow", items(&["bread"])),
        ("we are almost out of milk", items(&["milk"])),
        ("remind me to buy milk", items(&["milk"])),
        (
            "is milk on the list?",
            vec![call("showGroceryListEditor", json!({}))],
        ),
        (
            "show list Weekend",
            vec![call(
                "showGroceryListEditor",
                json!({"listName": "Weekend"}),
            )],
        ),
        (
            "is there a weekend list",
            vec![call("listGroceryLists", json!({}))],
        ),
        (
            "do we need milk?",
            vec![call("checkItem", json!({"name": "milk"}))],
        ),
        (
            "good morning! do we have eggs?",
            vec![call("checkItem", json!({"name": "eggs"}))],
        ),
        (
            "remove 2 eggs",
            vec![call("consumeItem", json!({"name": "eggs", "quantity": 2}))],
        ),
        (
            "used the last of the milk",
            vec![call("consumeItem", json!({"name": "milk", "all": true}))],
        ),
        (
            "the cheese went bad",
            vec![call("consumeItem", json!({"name": "cheese", "all": true}))],
        ),
        (
            "what's expiring this month",
            vec![call("listItems", json!({"expiringWithinDays": 30}))],
        ),
        ("yes please add eggs", items(&["eggs"])),
        ("add salt to taste", items(&["salt to taste"])),
        ("add milk to the list and eggs", items(&["milk", "eggs"])),
        (
            "add 2 milk to Quick Items please",
            vec![call(
                "addToList",
                json!({"items": [{"name": "milk", "quantity": 2}], "listName": "Quick Items"}),
            )],
        ),
        ("I think we need more coffee", items(&["coffee"])),
        ("add mac and cheese", items(&["mac and cheese"])),
        ("add ham & cheese", items(&["ham", "cheese"])),
        (
            "I need eggs, milk, and bread",
            items(&["eggs", "milk", "bread"]),
        ),
        ("we’re running out of rice", items(&["rice"])),
        (
            "put eggs on the list for the party",
            vec![call(
                "addToList",
                json!({"items": [{"name": "eggs"}], "listName": "party"}),
            )],
        ),
        (
            "add eggs to the list called Party Time",
            vec![call(
                "addToList",
                json!({"items": [{"name": "eggs"}], "listName": "Party Time"}),
            )],
        ),
        (
            "Hey Pixie! We're out of milk.",
            vec![call("consumeItem", json!({"name": "milk", "all": true}))],
        ),
        (
            "I had 2 eggs for breakfast",
            vec![call("consumeItem", json!({"name": "eggs", "quantity": 2}))],
        ),
        (
            "I just picked up 2 loaves of bread",
            vec![call(
                "addItem",
                json!({"name": "bread", "quantity": 2, "unit": "loaf"}),
            )],
        ),
        (
            "bought half a kilo of cheese",
            vec![call(
                "addItem",
                json!({"name": "cheese", "quantity": 0.5, "unit": "kg"}),
            )],
        ),
        (
            "bought 1/2 kg cheese",
            vec![call(
                "addItem",
                json!({"name": "cheese", "quantity": 0.5, "unit": "kg"}),
            )],
        ),
        (
            "could you tell me if we have eggs",
            vec![call("checkItem", json!({"name": "eggs"}))],
        ),
        (
            "where are the eggs",
            vec![call("checkItem", json!({"name": "eggs"}))],
        ),
        (
            "what do we need for the weekend list",
            vec![call(
                "showGroceryListEditor",
                json!({"listName": "weekend"}),
            )],
        ),
        (
            "we buy eggs every saturday",
            vec![call(
                "setRecurring",
                json!({"name": "eggs", "interval": "weekly"}),
            )],
        ),
        (
            "set bread to repeat every fortnight",
            vec![call(
                "setRecurring",
                json!({"name": "bread", "interval": "biweekly"}),
            )],
        ),
    ])
    .await;
}

#[tokio::test]
async fn several_requests_in_one_message() {
    check_all(vec![
        (
            "I bought eggs and we're out of milk",
            vec![
                call("addItem", json!({"name": "eggs"})),
                call("consumeItem", json!({"name": "milk", "all": true})),
            ],
        ),
        (
            "we're out of eggs, add them to the list",
            vec![
                call("consumeItem", json!({"name": "eggs", "all": true})),
                call("addToList", json!({"items": [{"name": "eggs"}]})),
            ],
        ),
        (
            "I bought eggs and ate two",
            vec![
                call("addItem", json!({"name": "eggs"})),
                call("consumeItem", json!({"name": "eggs", "quantity": 2})),
            ],
        ),
        (
            "tick off milk and add bread",
            vec![
                call("checkOffListItem", json!({"name": "milk"})),
                call("addToList", json!({"items": [{"name": "bread"}]})),
            ],
        ),
        (
            "do we have eggs and what's expiring",
            vec![
                call("checkItem", json!({"name": "eggs"})),
                call("listItems", json!({"expiringWithinDays": 7})),
            ],
        ),
        // One request with several items stays one call.
        (
            "add milk and eggs",
            vec![call(
                "addToList",
                json!({"items": [{"name": "milk"}, {"name": "eggs"}]}),
            )],
        ),
    ])
    .await;
    // The ids run on across the clauses.
    let (reply, _) = run(user_turn("I bought eggs and we're out of milk", ALL_TOOLS)).await;
    let ids: Vec<&str> = reply.tool_calls.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["offline_call_0", "offline_call_1"]);
    // One clause whose tool is not offered: no call at all.
    let reply = text_reply("I bought eggs and we're out of milk", &["addItem"]).await;
    assert!(reply.contains("update the pantry"), "{reply}");
}

#[tokio::test]
async fn small_talk_is_answered_in_words() {
    for text in ["ok", "no thanks", "yes", "never mind"] {
        assert_eq!(
            text_reply(text, ALL_TOOLS).await,
            "Okay! I'm here whenever you need me.",
            "{text}"
        );
    }
    for text in ["bye", "good night", "see you later, Pixie"] {
        assert!(
            text_reply(text, ALL_TOOLS)
                .await
                .starts_with("Bye for now!"),
            "{text}"
        );
    }
    for text in ["what's up", "hi there, how are you?"] {
        assert!(
            text_reply(text, ALL_TOOLS).await.starts_with("Hi there!"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn everyday_chat_is_not_a_pantry_change() {
    for text in [
        "I used to live in Paris",
        "I had a great day",
        "remove me from the home",
        "we're out of time",
        "I need a hug",
        "check the weather",
        "good job",
        "what time is it",
    ] {
        assert_eq!(calls(text).await, vec![], "{text}");
    }
    assert_eq!(
        calls("get me a coffee").await,
        vec![call(
            "addToList",
            json!({"items": [{"name": "coffee", "quantity": 1}]})
        )]
    );
}

#[tokio::test]
async fn politeness_case_and_punctuation_do_not_change_the_calls() {
    let bases = [
        "add 2 milk and bread to the list",
        "add eggs to the weekend list",
        "I bought 500 g rice",
        "we're out of eggs",
        "used 2 eggs",
        "do we have eggs",
        "what's expiring",
        "show my lists",
        "show the weekend list",
        "what's in the pantry",
        "tick off milk",
        "remove eggs from the pantry",
        "buy milk every week",
    ];
    let wrappers = [
        ("please ", ""),
        ("Pixie, ", ""),
        ("can you ", "?"),
        ("could you please ", ", thanks!"),
        ("", " please."),
        ("hey pixie ", "!!"),
        ("  ", "  "),
    ];
    let mut wrong = Vec::new();
    for base in bases {
        let expected = calls(base).await;
        assert!(!expected.is_empty(), "{base}");
        let variants = wrappers
            .iter()
            .map(|(before, after)| format!("{before}{base}{after}"))
            .chain([
                base.to_uppercase(),
                base.replace('\'', "’"),
                base.replace('\'', ""),
            ]);
        // Names keep the user's capitals, so compare ignoring case.
        let lower = |calls: &[(String, Value)]| format!("{calls:?}").to_lowercase();
        for variant in variants {
            if lower(&calls(&variant).await) != lower(&expected) {
                wrong.push(variant);
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[tokio::test]
async fn words_inside_words_do_not_match() {
    for text in [
        "this is it",
        "address book",
        "newspaper",
        "additional",
        "hillside",
        "outofeggs",
    ] {
        assert_eq!(calls(text).await, vec![], "{text}");
        let reply = text_reply(text, ALL_TOOLS).await;
        assert!(reply.contains("didn't catch that"), "{text}: {reply}");
    }
}

#[tokio::test]
async fn greetings_thanks_and_help_are_text() {
    for text in ["hi", "hello pixie", "hey!", "Good morning, Pixie"] {
        let reply = text_reply(text, ALL_TOOLS).await;
        assert!(reply.starts_with("Hi there!"), "{text}: {reply}");
        assert!(reply.contains("shopping list"));
    }
    for text in ["thanks", "thank you", "Thanks so much, Pixie!", "cheers"] {
        assert!(
            text_reply(text, ALL_TOOLS).await.starts_with("Any time!"),
            "{text}"
        );
    }
    for text in ["help", "what can you do?", "Pixie, help!"] {
        let reply = text_reply(text, ALL_TOOLS).await;
        assert!(reply.contains("offline mode"), "{text}: {reply}");
        assert!(reply.contains("tick off milk") && reply.contains("what's expiring?"));
    }
    // Help only mentions what is offered.
    let reply = text_reply("help", &["checkItem"]).await;
    assert!(reply.contains("do we have eggs?"));
    assert!(!reply.contains("tick off"), "{reply}");
}

#[tokio::test]
async fn nonsense_gets_the_gentle_fallback() {
    for text in ["purple monkey dishwasher", "what's the weather like?", "42"] {
        let reply = text_reply(text, ALL_TOOLS).await;
        assert!(
            reply.starts_with("Sorry, I didn't catch that"),
            "{text}: {reply}"
        );
        assert!(reply.contains("offline mode") && reply.contains("simple commands"));
    }
}

#[tokio::test]
async fn a_tool_not_offered_is_never_called() {
    let reply = text_reply("add eggs to the list", &["addItem", "checkItem"]).await;
    assert_eq!(
        reply,
        "Sorry, I can't add to your lists from here just now."
    );
    let reply = text_reply("we're out of eggs", &["addToList"]).await;
    assert!(reply.contains("update the pantry"), "{reply}");
    let reply = text_reply("what's expiring?", &[]).await;
    assert!(reply.contains("look in the pantry"), "{reply}");
    // Offered alone, it is used.
    assert_eq!(
        run(user_turn("do we have eggs", &["checkItem"]))
            .await
            .0
            .tool_calls,
        vec![ToolCall {
            id: "offline_call_0".into(),
            name: "checkItem".into(),
            arguments: r#"{"name":"eggs"}"#.into(),
        }]
    );
}

#[tokio::test]
async fn incomplete_requests_ask_what_is_meant() {
    for (text, hint) in [
        ("add", "What should I add?"),
        ("add to the list", "What should I add?"),
        ("out of", "What ran out?"),
        ("bought", "What did you get?"),
        ("tick off", "What should I tick off?"),
    ] {
        let reply = text_reply(text, ALL_TOOLS).await;
        assert!(reply.contains(hint), "{text}: {reply}");
    }
    let reply = text_reply("make milk recurring", ALL_TOOLS).await;
    assert!(reply.starts_with("How often"), "{reply}");
    let reply = text_reply("delete everything", ALL_TOOLS).await;
    assert!(reply.contains("take out of the pantry"), "{reply}");
    for text in [
        "clear the list",
        "stop buying milk every week",
        "we need to use up the chicken",
    ] {
        let reply = text_reply(text, ALL_TOOLS).await;
        assert!(reply.contains("didn't catch that"), "{text}: {reply}");
    }
    let reply = text_reply("remove eggs from the list", ALL_TOOLS).await;
    assert!(reply.contains("tick off eggs"), "{reply}");
}

/// The conversation after the agent ran `calls`, answering each with `results`.
fn after_tools(calls: &[(&str, &str)], results: &[&str]) -> ModelRequest {
    let tool_calls: Vec<ToolCall> = calls
        .iter()
        .enumerate()
        .map(|(i, (name, args))| ToolCall {
            id: format!("offline_call_{i}"),
            name: name.to_string(),
            arguments: args.to_string(),
        })
        .collect();
    let mut messages = vec![
        ModelMessage::System("You are Pixie.".into()),
        ModelMessage::User("do the thing".into()),
        ModelMessage::Assistant {
            content: None,
            tool_calls: tool_calls.clone(),
        },
    ];
    for (call, content) in tool_calls.iter().zip(results) {
        messages.push(ModelMessage::Tool {
            call_id: call.id.clone(),
            content: content.to_string(),
        });
    }
    request_with(messages, ALL_TOOLS)
}

#[tokio::test]
async fn tool_results_become_a_warm_streamed_reply() {
    let request = after_tools(
        &[("addToList", "{}")],
        &[r#"{"ok":true,"message":"Added 2 milk and bread to Quick Items.","added":2}"#],
    );
    let (reply, pieces) = run(request).await;
    assert_eq!(reply.text, "Done! Added 2 milk and bread to Quick Items.");
    assert_eq!(reply.finish, FinishReason::Stop);
    assert!(reply.tool_calls.is_empty());
    assert_eq!(reply.usage, TokenUsage::default());
    assert!(pieces.len() > 3, "streamed in pieces: {pieces:?}");
    assert_eq!(pieces.concat(), reply.text);
}

#[tokio::test]
async fn failures_are_phrased_kindly_and_every_message_appears() {
    let (reply, _) = run(after_tools(
        &[("consumeItem", "{}")],
        &[r#"{"ok":false,"message":"I couldn't find eggs in the pantry."}"#],
    ))
    .await;
    assert_eq!(reply.text, "Hmm, I couldn't find eggs in the pantry.");

    let (reply, pieces) = run(after_tools(
        &[("addItem", "{}"), ("addItem", "{}"), ("checkItem", "{}")],
        &[
            r#"{"ok":true,"message":"Added rice to the pantry"}"#,
            r#"{"ok":false,"message":"There is no list called Party."}"#,
            "plain text result",
        ],
    ))
    .await;
    assert_eq!(
        reply.text,
        "Done! Added rice to the pantry. plain text result. Hmm — There is no list called Party."
    );
    assert_eq!(pieces.concat(), reply.text);

    // A query that worked is not "Done!".
    let (reply, _) = run(after_tools(
        &[("checkItem", "{}")],
        &[r#"{"ok":true,"message":"You have 6 eggs."}"#],
    ))
    .await;
    assert_eq!(reply.text, "You have 6 eggs.");
}

#[tokio::test]
async fn same_input_same_output() {
    for text in [
        "add 2 milk and bread to the list",
        "hello",
        "gibberish here",
    ] {
        let first = run(user_turn(text, ALL_TOOLS)).await;
        let second = run(user_turn(text, ALL_TOOLS)).await;
        assert_eq!(first, second, "{text}");
    }
    let request = after_tools(&[("addItem", "{}")], &[r#"{"ok":true,"message":"Added."}"#]);
    assert_eq!(run(request.clone()).await, run(request).await);
}

fn title_request(first: &str) -> ModelRequest {
    request_with(
        vec![
            ModelMessage::System(
                "Write a short title (max 6 words) for a chat that starts like this.".into(),
            ),
            ModelMessage::User(first.into()),
        ],
        &[],
    )
}

#[tokio::test]
async fn titles_are_short_and_plain() {
    for (first, title) in [
        ("add 2 milk and bread to the list", "Add milk and bread"),
        ("we're out of eggs!", "Out of eggs"),
        ("what's expiring?", "What's expiring"),
        ("add eggs to the weekend list", "Add eggs to weekend"),
        ("hello pixie", "Saying hello"),
        (
            "tell me a story about a dragon who bakes bread.",
            "A story about a dragon who",
        ),
        (
            "Can you plan dinners for the week?",
            "Plan dinners for the week",
        ),
        ("", "New Chat"),
        ("!!!", "New Chat"),
    ] {
        let (reply, pieces) = run(title_request(first)).await;
        assert_eq!(reply.text, title, "{first}");
        assert!(reply.tool_calls.is_empty());
        assert_eq!(pieces.concat(), reply.text);
        assert!(reply.text.split_whitespace().count() <= 6);
    }
}

#[tokio::test]
async fn odd_input_never_panics() {
    let long = "add milk and ".repeat(400);
    let long_word = "a".repeat(5_000);
    let odd = [
        "",
        "   ",
        long.as_str(),
        long_word.as_str(),
        "🥚🥛🍞",
        "add 🥚",
        "add",
        "add to the list",
        "out of",
        "123 456",
        "1/0 kg",
        "99999999999999999999 eggs",
        "0.0001 kg flour",
        ",,,,&&&",
        "'",
        "’’’",
        "- - -",
        "the the the",
        "add a",
        "list list list",
        "every week",
        "\u{0}\u{7f}\n\t",
        &"to the list ".repeat(400),
        &"every ".repeat(800),
        &"and ".repeat(1200),
        &"1/2 ".repeat(1200),
    ];
    for text in odd {
        let _ = run(user_turn(text, ALL_TOOLS)).await;
        let _ = run(user_turn(text, &[])).await;
        let _ = run(title_request(text)).await;
    }
    // Long input is still read: 400 "add milk" clauses, or one list of 400 items.
    let got = calls(&long).await;
    assert_eq!(got.len(), 400);
    assert!(got.iter().all(|(tool, _)| tool == "addToList"));
    let got = calls(&format!("add {}", "milk, ".repeat(400))).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].1["items"].as_array().map(Vec::len), Some(400));
}

#[tokio::test]
async fn a_digest_request_passes_the_facts_through() {
    let request = request_with(
        vec![
            ModelMessage::System("Write a friendly daily digest of these facts.".into()),
            ModelMessage::User("  3 items expire this week: milk, eggs, spinach.  ".into()),
        ],
        &[],
    );
    let (reply, pieces) = run(request).await;
    assert_eq!(reply.text, "3 items expire this week: milk, eggs, spinach.");
    assert_eq!(pieces.concat(), reply.text);
    // Without tools and without a title or digest, a message is read as usual.
    let reply = text_reply("hello", &[]).await;
    assert!(reply.starts_with("Hi there!"));
    let reply = text_reply("help", &[]).await;
    assert!(reply.contains("offline mode"), "{reply}");
}

#[tokio::test]
async fn names_and_flags() {
    assert_eq!(OfflinePixie.name(), "offline");
    assert!(OfflinePixie.is_offline());
    // A conversation with no user message is greeted.
    let (reply, _) = run(request_with(
        vec![ModelMessage::System("x".into())],
        ALL_TOOLS,
    ))
    .await;
    assert!(reply.text.starts_with("Hi there!"));
}

#[tokio::test]
async fn spending_and_running_low_questions_read_the_insights() {
    check_all(vec![
        (
            "how much did we spend this month?",
            vec![call("queryBudget", json!({"period": "month"}))],
        ),
        (
            "Pixie, what did I spend this week?",
            vec![call("queryBudget", json!({"period": "week"}))],
        ),
        (
            "budget check please",
            vec![call("queryBudget", json!({"period": "month"}))],
        ),
        (
            "what's running low?",
            vec![call("checkPredictions", json!({}))],
        ),
        (
            "anything we need to restock soon?",
            vec![call("checkPredictions", json!({}))],
        ),
    ])
    .await;
    // The tools' own messages are the answer; reading changes nothing, so no "Done!".
    let (reply, _) = run(after_tools(
        &[("queryBudget", r#"{"period":"month"}"#)],
        &[r#"{"ok":true,"message":"This month so far: $12.50 on 1 priced item.","data":{}}"#],
    ))
    .await;
    assert_eq!(reply.text, "This month so far: $12.50 on 1 priced item.");
    let help = text_reply("help", ALL_TOOLS).await;
    assert!(help.contains("what's running low?"), "{help}");
    let without = text_reply("how much did we spend this month?", &["addToList"]).await;
    assert!(without.contains("look at your spending"), "{without}");
}
