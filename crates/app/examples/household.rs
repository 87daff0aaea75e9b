//! A household, driven through `pantry-core`'s use cases on a SQLite file, with no HTTP at all:
//! what an application embedding Pantry Pixie does.
//!
//! ```text
//! cargo run --example household [-- path/to/household.db]
//! ```
//!
//! Ana signs up (which gives her a home), invites Ben, and the two of them stock the pantry
//! (Ben's flour in grams merges into Ana's in kilograms), use some milk, put eggs on the default
//! list and buy them, which restocks the pantry in the same step. A viewer's attempt to write is
//! refused by the use case itself. The home's change log shows who did what, in order.

use pantry_core::accounts::email::Email;
use pantry_core::accounts::password::NewPassword;
use pantry_core::accounts::service::{AccountService, Register};
use pantry_core::accounts::throttle::{LoginThrottle, ThrottlePolicy};
use pantry_core::accounts::user::UserName;
use pantry_core::change_feed::ChangeFeed;
use pantry_core::change_log::Actor;
use pantry_core::clock::SystemClock;
use pantry_core::homes::invites::{InviteRequest, InviteService};
use pantry_core::homes::role::Role;
use pantry_core::items::item::NewItem;
use pantry_core::items::quantity::Quantity;
use pantry_core::items::service::{ItemError, ItemService};
use pantry_core::items::unit::Unit;
use pantry_core::lists::entry::ItemByName;
use pantry_core::lists::service::ListService;
use pantry_http::auth::argon2_hasher::Argon2Hasher;
use pantry_http::auth::random_tokens::OsRandomTokens;
use pantry_store::{
    Database, DbConfig, StoreAccounts, StoreChangeLog, StoreHomes, StoreInvites, StoreItems,
    StoreListItems, StoreLists, StoreSessions,
};
use std::error::Error;
use std::path::PathBuf;
use std::sync::Arc;
use uuid::Uuid;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// The use cases an embedding application needs, over one database.
struct Household {
    accounts: AccountService,
    invites: InviteService,
    items: ItemService,
    lists: ListService,
    changes: ChangeFeed,
}

impl Household {
    fn open(db: &Database) -> Result<Household> {
        let homes = Arc::new(StoreHomes::new(db.clone()));
        let clock = Arc::new(SystemClock);
        Ok(Household {
            accounts: AccountService::new(
                Arc::new(StoreAccounts::new(db.clone())),
                Arc::new(StoreSessions::new(db.clone())),
                Arc::new(Argon2Hasher::new(1)?),
                Arc::new(OsRandomTokens),
                clock.clone(),
                LoginThrottle::new(ThrottlePolicy::default()),
                chrono::Duration::days(30),
            ),
            invites: InviteService::new(
                Arc::new(StoreInvites::new(db.clone())),
                homes.clone(),
                Arc::new(OsRandomTokens),
                clock.clone(),
            ),
            items: ItemService::new(
                homes.clone(),
                Arc::new(StoreItems::new(db.clone())),
                clock.clone(),
            ),
            lists: ListService::new(
                homes.clone(),
                Arc::new(StoreLists::new(db.clone())),
                Arc::new(StoreListItems::new(db.clone())),
                clock,
            ),
            changes: ChangeFeed::new(Arc::new(StoreChangeLog::new(db.clone())), homes),
        })
    }

    /// Signs a person up; they get a home of their own. Answers their id and that home.
    async fn sign_up(&self, name: &str) -> Result<(Uuid, Uuid)> {
        let signed_in = self
            .accounts
            .register(Register {
                email: Email::parse(&format!("{}@example.com", name.to_lowercase()))?,
                password: NewPassword::parse("a long kitchen password")?,
                name: UserName::parse(name)?,
            })
            .await?;
        let home = signed_in.home_id.ok_or("sign-up gives a home")?;
        Ok((signed_in.user.id, home))
    }
}

fn amount(text: &str) -> Result<Quantity> {
    Ok(Quantity::parse(text)?)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let path = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("pantry-household-example.db"));
    // A fresh household on every run.
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.clone().into_os_string();
        file.push(suffix);
        match std::fs::remove_file(&file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    let url = format!("sqlite://{}", path.display());
    pantry_store::run_migrations(&url).await?;
    let db = Database::new(&DbConfig::new(url))?;
    let house = Household::open(&db)?;
    println!("Household database: {}", path.display());

    // Ana signs up and invites Ben and her brother Carl (who may only look).
    let (ana, home) = house.sign_up("Ana").await?;
    let (ben, _) = house.sign_up("Ben").await?;
    let (carl, _) = house.sign_up("Carl").await?;
    let for_ben = house
        .invites
        .create(ana, home, InviteRequest::default())
        .await?;
    house.invites.accept(ben, &for_ben.code).await?;
    let for_carl = house
        .invites
        .create(
            ana,
            home,
            InviteRequest {
                role: Role::Viewer,
                ..InviteRequest::default()
            },
        )
        .await?;
    house.invites.accept(carl, &for_carl.code).await?;
    let names = [(ana, "Ana"), (ben, "Ben"), (carl, "Carl")];
    let (ana, ben, carl) = (Actor::user(ana), Actor::user(ben), Actor::user(carl));

    // Stocking up: Ben's 500 g of flour joins Ana's 1 kg on the same shelf.
    let flour = NewItem {
        quantity: amount("1")?,
        unit: Unit::Kg,
        location: Some("Cupboard".into()),
        ..NewItem::named("Flour".into())
    };
    house.items.add(&ana, home, flour, false).await?;
    let more_flour = NewItem {
        quantity: amount("500")?,
        unit: Unit::Gram,
        location: Some("cupboard".into()),
        ..NewItem::named("flour".into())
    };
    let merged = house.items.add(&ben, home, more_flour, false).await?;
    let flour = merged.item();
    println!(
        "Flour after Ben's 500 g: {} {}",
        flour.quantity,
        flour.unit.as_str()
    );

    let milk = NewItem {
        quantity: amount("2")?,
        unit: Unit::Liter,
        location: Some("Fridge".into()),
        ..NewItem::named("Milk".into())
    };
    let milk = house
        .items
        .add(&ana, home, milk, false)
        .await?
        .item()
        .clone();
    let milk = house
        .items
        .consume(&ben, home, milk.id, amount("0.5")?)
        .await?;
    println!("Milk after breakfast: {} l", milk.quantity);

    // Carl may look but not touch: the use case refuses, whatever the front end.
    match house
        .items
        .consume(&carl, home, milk.id, amount("1")?)
        .await
    {
        Err(ItemError::Forbidden(why)) => println!("Carl cannot use the milk: {why}"),
        other => return Err(format!("a viewer must not write, got {other:?}").into()),
    }

    // Eggs go on the default list, and buying them stocks the pantry in one step.
    let quick = house.lists.default_list(&ana, home).await?;
    let wanted = ItemByName {
        name: "Eggs".into(),
        quantity: amount("12")?,
        unit: Some(Unit::Piece),
        category: None,
    };
    let added = house
        .lists
        .add_by_name(&ben, home, quick.id, wanted)
        .await?
        .into_inner();
    let bought = house
        .lists
        .buy_entry(&ana, home, quick.id, added.entry.id)
        .await?;
    println!(
        "Bought from \"{}\": {}, {} {} in the pantry now",
        quick.name,
        bought.item.name,
        bought.item.quantity,
        bought.item.unit.as_str()
    );

    let pantry = house.items.list(&carl, home, &Default::default()).await?;
    println!("\nThe pantry, as Carl sees it:");
    for item in &pantry {
        println!(
            "  {:<8} {:>6} {}",
            item.name,
            item.quantity.to_string(),
            item.unit.as_str()
        );
    }

    let log = house
        .changes
        .since(ana.user_id.ok_or("a user")?, home, 0, 100)
        .await?;
    println!("\nThe change log ({} events):", log.events.len());
    for event in &log.events {
        let who = names
            .iter()
            .find(|(id, _)| Some(*id) == event.actor.user_id)
            .map_or("-", |(_, name)| name);
        println!(
            "  #{:<3} {:<18} {:<6} {}",
            event.seq,
            event.kind,
            event.actor.kind.as_str(),
            who
        );
    }
    db.close();
    Ok(())
}
