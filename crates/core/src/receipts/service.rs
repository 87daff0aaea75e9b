//! The receipt use cases. Members scan and confirm; viewers only read; a non-member learns
//! nothing (`HomeNotFound`).

use crate::change_log::Actor;
use crate::clock::Clock;
use crate::homes::access::{AccessError, require_role};
use crate::homes::home::HomeRepository;
use crate::homes::role::Role;
use crate::items::Unit;
use crate::items::item::{NewItem, WriteMeta};
use crate::pixie::model::{LanguageModel, ModelError};
use crate::receipts::image::{ImageError, ReceiptImage};
use crate::receipts::parsed::{ParsedReceipt, ReceiptInputError};
use crate::receipts::receipt::{Confirmed, NewReceipt, Receipt, ReceiptDetail, ReceiptRepository};
use crate::receipts::vision::{UnreadableReceipt, read_answer, scan_request};
use crate::repo_error::RepoError;
use std::sync::Arc;
use thiserror::Error;
use uuid::Uuid;

/// The most receipts one page lists.
pub const MAX_PAGE: i64 = 100;

/// Why a receipt operation was refused.
#[derive(Debug, Error)]
pub enum ReceiptError {
    /// No such home, or the actor is not a member.
    #[error("home not found")]
    HomeNotFound,
    /// No such receipt in this home.
    #[error("receipt not found")]
    NotFound,
    /// The actor's role does not allow it.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// No vision-capable model is configured.
    #[error("receipt scanning needs a vision model")]
    VisionUnavailable,
    /// The photo was refused.
    #[error(transparent)]
    Image(#[from] ImageError),
    /// The receipt sent to confirm was refused.
    #[error(transparent)]
    Invalid(#[from] ReceiptInputError),
    /// The model failed or could not be reached (the text is for logs).
    #[error("the model failed: {0}")]
    Model(ModelError),
    /// The model answered something that is not a receipt.
    #[error(transparent)]
    Unreadable(#[from] UnreadableReceipt),
    /// The store failed.
    #[error(transparent)]
    Repo(#[from] RepoError),
}

impl From<AccessError> for ReceiptError {
    fn from(error: AccessError) -> Self {
        match error {
            AccessError::NotMember => ReceiptError::HomeNotFound,
            AccessError::Forbidden(why) => ReceiptError::Forbidden(why),
            AccessError::Repo(e) => ReceiptError::Repo(e),
        }
    }
}

/// Scanning, confirming and reading receipts.
pub struct ReceiptService {
    homes: Arc<dyn HomeRepository>,
    receipts: Arc<dyn ReceiptRepository>,
    model: Arc<dyn LanguageModel>,
    clock: Arc<dyn Clock>,
}

impl ReceiptService {
    /// The service over its ports; `model` reads photos when it
    /// [supports vision](LanguageModel::supports_vision).
    pub fn new(
        homes: Arc<dyn HomeRepository>,
        receipts: Arc<dyn ReceiptRepository>,
        model: Arc<dyn LanguageModel>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        ReceiptService {
            homes,
            receipts,
            model,
            clock,
        }
    }

    /// Whether scanning is available (a vision model is configured).
    pub fn can_scan(&self) -> bool {
        self.model.supports_vision()
    }

    async fn home_currency(&self, home_id: Uuid) -> Result<String, ReceiptError> {
        Ok(self
            .homes
            .get(home_id)
            .await?
            .ok_or(ReceiptError::HomeNotFound)?
            .currency)
    }

    /// Reads a photo of a receipt with the vision model. Nothing is stored: the member
    /// reviews the answer and confirms it. The currency is the home's when the receipt shows
    /// none.
    pub async fn scan(
        &self,
        actor: &Actor,
        home_id: Uuid,
        image: &str,
    ) -> Result<ParsedReceipt, ReceiptError> {
        require_role(self.homes.as_ref(), home_id, actor, Role::Member).await?;
        if !self.model.supports_vision() {
            return Err(ReceiptError::VisionUnavailable);
        }
        let image = ReceiptImage::parse(image)?;
        let mut ignore = |_: &str| {};
        let answer = self
            .model
            .complete(scan_request(&image), &mut ignore)
            .await
            .map_err(ReceiptError::Model)?;
        let mut receipt = read_answer(&answer.text)?;
        if receipt.currency.is_none() {
            receipt.currency = Some(self.home_currency(home_id).await?);
        }
        Ok(receipt)
    }

    /// Stores a reviewed receipt and adds its lines to the pantry, all in one transaction:
    /// each line goes through the same merge-or-create as a normal add, priced, with the
    /// merchant as its store, and is recorded as spent at the receipt's date.
    pub async fn confirm(
        &self,
        actor: &Actor,
        home_id: Uuid,
        receipt: ParsedReceipt,
    ) -> Result<Confirmed, ReceiptError> {
        require_role(self.homes.as_ref(), home_id, actor, Role::Member).await?;
        if receipt.items.is_empty() {
            return Err(ReceiptInputError::NoItems.into());
        }
        let currency = match receipt.currency {
            Some(c) => c,
            None => self.home_currency(home_id).await?,
        };
        let id = crate::ids::new_id();
        let lines = receipt
            .items
            .into_iter()
            .map(|line| {
                let mut item = NewItem::named(line.name);
                item.category = line.category;
                item.quantity = line.quantity;
                item.unit = line.unit.unwrap_or(Unit::Piece);
                item.price_minor = line.price_minor;
                item.store = receipt.merchant.clone();
                item.receipt_id = Some(id);
                item
            })
            .collect();
        let new = NewReceipt {
            id,
            merchant: receipt.merchant,
            purchased_at: receipt.purchased_at,
            currency,
            total_minor: receipt.total_minor,
            lines,
        };
        let meta = WriteMeta {
            actor: *actor,
            at: self.clock.now(),
        };
        Ok(self.receipts.confirm(home_id, &new, meta).await?)
    }

    /// The home's receipts, newest first (`limit` clamped to 1..=100); `before` pages back.
    pub async fn list(
        &self,
        actor: &Actor,
        home_id: Uuid,
        before: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Receipt>, ReceiptError> {
        require_role(self.homes.as_ref(), home_id, actor, Role::Viewer).await?;
        Ok(self
            .receipts
            .list(home_id, before, limit.clamp(1, MAX_PAGE))
            .await?)
    }

    /// One receipt with its lines.
    pub async fn get(
        &self,
        actor: &Actor,
        home_id: Uuid,
        receipt_id: Uuid,
    ) -> Result<ReceiptDetail, ReceiptError> {
        require_role(self.homes.as_ref(), home_id, actor, Role::Viewer).await?;
        self.receipts
            .get(home_id, receipt_id)
            .await?
            .ok_or(ReceiptError::NotFound)
    }
}
