//! Budget and prediction routes. Handlers parse and validate; the insights services decide.

use crate::auth::AuthUser;
use crate::envelope::{self, Success};
use crate::error::{ApiError, FieldError};
use crate::insights::schemas::{BudgetPeriodSchema, BudgetSummarySchema, PredictionSchema};
use crate::openapi::{BadRequest, ErrorResponse, TooManyRequests, Unauthorized};
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use pantry_core::change_log::Actor;
use pantry_core::insights::predictions::MAX_WITHIN_DAYS;
use pantry_core::insights::{BudgetPeriod, BudgetSummary, InsightsError, Prediction};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The prediction window when `period` is not sent, in days.
pub const DEFAULT_PREDICTION_DAYS: u32 = 7;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/homes/{home_id}/budget").route(web::get().to(budget)))
        .service(web::resource("/homes/{home_id}/predictions").route(web::get().to(predictions)));
}

/// How a refused read is answered.
fn insights_error(error: InsightsError) -> ApiError {
    match error {
        InsightsError::HomeNotFound => ApiError::not_found("Home not found"),
        InsightsError::Repo(e) => e.into(),
    }
}

// Taken as text so that a bad value is reported against its parameter.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct BudgetQuery {
    /// `week` (the last 7 days) or `month` (the calendar month to date in the home's time
    /// zone), any case. Without it, both are answered as `{week, month}`.
    #[param(value_type = Option<BudgetPeriodSchema>)]
    period: Option<String>,
}

/// Both summaries, as the earlier server answered `GET /budget`.
#[derive(Serialize)]
struct Overview {
    week: BudgetSummary,
    month: BudgetSummary,
}

/// The schema of [`Overview`].
#[derive(ToSchema)]
#[schema(as = BudgetOverview)]
#[allow(dead_code)] // a schema only
struct OverviewSchema {
    /// The last 7 days.
    week: BudgetSummarySchema,
    /// The calendar month to date.
    month: BudgetSummarySchema,
}

/// One summary when a period was asked for, both when none was.
#[derive(ToSchema)]
#[schema(as = BudgetReport)]
#[allow(dead_code, clippy::large_enum_variant)] // a schema only: the handler sends either shape
#[serde(untagged)]
enum Report {
    One(BudgetSummarySchema),
    Both(OverviewSchema),
}

/// What the household spent
///
/// Spend from the purchase ledger (every priced addition, at its price as a line total):
/// per category and store, against the previous span, against the home's monthly budget
/// (always the calendar month to date), with short sentences to show. Money is in major units
/// of the home's currency. Deleting, merging or editing items never changes what was spent.
/// Any member may read.
#[utoipa::path(
    get,
    path = "/api/homes/{home_id}/budget",
    tag = "insights",
    operation_id = "getBudget",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), BudgetQuery),
    responses(
        (status = 200, description = "With `period`, that summary; without, `{week, month}`", body = Success<Report>),
        (status = 400, response = BadRequest),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn budget(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    query: web::Query<BudgetQuery>,
) -> Result<HttpResponse, ApiError> {
    let period = match query.period.as_deref().filter(|p| !p.trim().is_empty()) {
        None => None,
        Some(text) => Some(BudgetPeriod::parse(text).ok_or_else(|| {
            ApiError::validation(vec![FieldError::new("period", "must be week or month")])
        })?),
    };
    let actor = Actor::user(user.user_id);
    match period {
        Some(period) => {
            let summary = state
                .budget
                .summary(&actor, *path, period)
                .await
                .map_err(insights_error)?;
            Ok(envelope::ok(summary))
        }
        None => {
            let (week, month) = state
                .budget
                .both(&actor, *path)
                .await
                .map_err(insights_error)?;
            Ok(envelope::ok(Overview { week, month }))
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PredictionsQuery {
    /// Only items due within this many days (1 to 365, default 7); overdue ones included.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 365, default = 7)]
    period: Option<String>,
}

/// Restock predictions due within the window.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Predictions)]
struct PredictionsBody {
    /// Soonest first.
    #[schema(value_type = Vec<PredictionSchema>)]
    predictions: Vec<Prediction>,
    /// The window, in days.
    #[schema(example = 7)]
    period: u32,
    /// When they were computed.
    generated_at: DateTime<Utc>,
}

/// What will run out soon
///
/// Items the household will probably need to restock within `period` days, soonest first,
/// overdue ones included: from how often each name was restocked (the median gap), brought
/// earlier by what was used since the last restock, with a confidence from 0 to 1 and the
/// reasoning. Any member may read.
#[utoipa::path(
    get,
    path = "/api/homes/{home_id}/predictions",
    tag = "insights",
    operation_id = "getPredictions",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), PredictionsQuery),
    responses(
        (status = 200, description = "The predictions", body = Success<PredictionsBody>),
        (status = 400, response = BadRequest),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn predictions(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    query: web::Query<PredictionsQuery>,
) -> Result<HttpResponse, ApiError> {
    let period = match query.period.as_deref() {
        None => DEFAULT_PREDICTION_DAYS,
        Some(text) => match text.trim().parse::<u32>() {
            Ok(days) if (1..=MAX_WITHIN_DAYS).contains(&days) => days,
            _ => {
                return Err(ApiError::validation(vec![FieldError::new(
                    "period",
                    "must be a whole number of days from 1 to 365",
                )]));
            }
        },
    };
    let predictions = state
        .predictions
        .upcoming(&Actor::user(user.user_id), *path, period)
        .await
        .map_err(insights_error)?;
    Ok(envelope::ok(PredictionsBody {
        predictions,
        period,
        generated_at: state.predictions.now(),
    }))
}
