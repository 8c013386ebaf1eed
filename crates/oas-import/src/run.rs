//! Sending a previewed import: a few requests at a time, waiting as long as the server asks on
//! 429, stopping cleanly between requests on cancel, and never creating a row twice.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use oas_api::{Error, NewOrganisation, Organisation, OrganisationPatch, Session};
use serde::Serialize;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::names::name_key;
use crate::preview::{by_name, changes, Choices, OnExisting, Preview, Problem, RowPreview, RowStatus, Values};

/// How a run sends.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Attempts of one row while the server answers 429 or 503.
    pub busy_attempts: u32,
    /// The wait when a 429 names none, and the longest wait honoured.
    pub default_wait: Duration,
    pub max_wait: Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { concurrency: 4, busy_attempts: 6, default_wait: Duration::from_secs(2), max_wait: Duration::from_secs(120) }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    Created,
    Updated,
    Skipped,
    Failed,
    /// Not sent: the run was cancelled or stopped first.
    NotRun,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Reason {
    /// Skipped: an organisation with this name exists (chosen: skip).
    AlreadyExists,
    /// Skipped: it exists and already has these values.
    UpToDate,
    /// Failed: the row has problems (`problems`).
    Invalid,
    /// Failed: the server refused the values (`serverFields`).
    Refused,
    /// Failed: the request did not succeed (`error` is the API error code).
    RequestFailed,
    Cancelled,
    /// Not run: the session ended or the API key was refused; sign in and import again.
    Stopped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ReportRow {
    pub line: u32,
    pub name: String,
    pub outcome: Outcome,
    pub reason: Option<Reason>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub id: Option<i64>,
    pub problems: Vec<Problem>,
    pub server_fields: BTreeMap<String, Vec<String>>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub rows: Vec<ReportRow>,
    pub created: u32,
    pub updated: u32,
    pub skipped: u32,
    pub failed: u32,
    pub not_run: u32,
    pub cancelled: bool,
    /// The API error code that stopped the run (session ended, key refused).
    pub stopped: Option<String>,
}

/// Rows settled so far, for a progress bar ("120 of 500").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub done: u32,
    pub total: u32,
}

enum Action {
    Settled(Outcome, Option<Reason>),
    Create(NewOrganisation),
    Update(i64, OrganisationPatch),
}

/// Runs the import of `preview` with `choices`. The account's organisations are read again
/// first, so a row created by an earlier, interrupted run (or by anyone since the preview) is
/// treated as existing, never created twice. `Err` only when that first read fails.
pub async fn run(
    session: &Session,
    preview: &Preview,
    choices: &Choices,
    options: &RunOptions,
    cancel: &CancellationToken,
    on_progress: impl Fn(Progress) + Send + Sync,
) -> Result<Report, Error> {
    let current = session.list_all_organisations().await?;
    let api = SessionApi(session);
    Ok(run_with(&api, &current, preview, choices, options, cancel, on_progress).await)
}

/// The requests a run makes, so the policy can be tested against any server.
pub trait Api: Sync {
    fn create(&self, new: &NewOrganisation) -> impl Future<Output = Result<Organisation, Error>> + Send;
    fn update(&self, id: i64, patch: &OrganisationPatch) -> impl Future<Output = Result<Organisation, Error>> + Send;
}

struct SessionApi<'a>(&'a Session);

impl Api for SessionApi<'_> {
    fn create(&self, new: &NewOrganisation) -> impl Future<Output = Result<Organisation, Error>> + Send {
        self.0.create_organisation(new)
    }
    fn update(&self, id: i64, patch: &OrganisationPatch) -> impl Future<Output = Result<Organisation, Error>> + Send {
        self.0.update_organisation(id, patch)
    }
}

pub async fn run_with(
    api: &impl Api,
    current: &[Organisation],
    preview: &Preview,
    choices: &Choices,
    options: &RunOptions,
    cancel: &CancellationToken,
    on_progress: impl Fn(Progress) + Send + Sync,
) -> Report {
    let existing = by_name(current);
    let total = preview.rows.len() as u32;
    let done = AtomicU32::new(0);
    let stop = cancel.child_token();
    let stopped: Mutex<Option<String>> = Mutex::new(None);
    let pause_until: Mutex<Option<Instant>> = Mutex::new(None);
    let tick = || on_progress(Progress { done: done.fetch_add(1, Ordering::SeqCst) + 1, total });
    on_progress(Progress { done: 0, total });

    let jobs = preview.rows.iter().map(|row| {
        let action = action_for(row, existing.get(&name_key(&row.values.name)).copied(), choices);
        let (stop, stopped, pause_until, tick) = (&stop, &stopped, &pause_until, &tick);
        async move {
            let result = match action {
                Action::Settled(outcome, reason) => settled(row, outcome, reason),
                Action::Create(new) => {
                    send(row, options, stop, stopped, pause_until, || api.create(&new), Outcome::Created).await
                }
                Action::Update(id, patch) => {
                    send(row, options, stop, stopped, pause_until, || api.update(id, &patch), Outcome::Updated).await
                }
            };
            tick();
            result
        }
    });
    // Collected first: a lazy iterator of futures here makes the run's future not `Send`
    // (a higher-ranked lifetime the compiler cannot prove), and the app spawns it.
    let jobs: Vec<_> = jobs.collect();
    let mut rows: Vec<ReportRow> = stream::iter(jobs).buffer_unordered(options.concurrency.max(1)).collect().await;
    rows.sort_by_key(|r| r.line);

    let mut report = Report { cancelled: cancel.is_cancelled(), stopped: stopped.into_inner().unwrap_or(None), ..Report::default() };
    for r in &rows {
        *match r.outcome {
            Outcome::Created => &mut report.created,
            Outcome::Updated => &mut report.updated,
            Outcome::Skipped => &mut report.skipped,
            Outcome::Failed => &mut report.failed,
            Outcome::NotRun => &mut report.not_run,
        } += 1;
    }
    report.rows = rows;
    report
}

fn action_for(row: &RowPreview, existing: Option<&Organisation>, choices: &Choices) -> Action {
    if row.status == RowStatus::Invalid {
        return Action::Settled(Outcome::Failed, Some(Reason::Invalid));
    }
    let Some(o) = existing else { return Action::Create(new_organisation(&row.values)) };
    if choices.for_line(row.line) == OnExisting::Skip {
        return Action::Settled(Outcome::Skipped, Some(Reason::AlreadyExists));
    }
    match patch(&row.values, o) {
        Some(patch) => Action::Update(o.id, patch),
        None => Action::Settled(Outcome::Skipped, Some(Reason::UpToDate)),
    }
}

pub fn new_organisation(v: &Values) -> NewOrganisation {
    NewOrganisation {
        name: v.name.clone(),
        base_currency: v.base_currency.clone(),
        currencies: v.currencies.clone(),
        image: v.image.clone(),
        contacts: v.contact.as_ref().map(|c| vec![c.to_contact()]),
    }
}

/// Only what differs is sent; a contact from the file is added beside the existing ones.
fn patch(v: &Values, o: &Organisation) -> Option<OrganisationPatch> {
    use crate::mapping::Field;
    let changed = changes(v, o);
    if changed.is_empty() {
        return None;
    }
    let has = |f: Field| changed.contains(&f);
    Some(OrganisationPatch {
        name: None,
        base_currency: has(Field::BaseCurrency).then(|| v.base_currency.clone()),
        currencies: has(Field::Currencies).then(|| v.currencies.clone()),
        image: has(Field::Image).then(|| v.image.clone()),
        contacts: v.contact.as_ref().filter(|_| has(Field::ContactName)).map(|c| {
            let mut all = o.contacts.clone().unwrap_or_default();
            all.push(c.to_contact());
            all
        }),
    })
}

fn settled(row: &RowPreview, outcome: Outcome, reason: Option<Reason>) -> ReportRow {
    ReportRow {
        line: row.line,
        name: row.values.name.clone(),
        outcome,
        reason,
        id: match row.status {
            RowStatus::Exists { id, .. } => Some(id),
            _ => None,
        },
        problems: if reason == Some(Reason::Invalid) { row.problems.clone() } else { Vec::new() },
        server_fields: BTreeMap::new(),
        error: None,
    }
}

/// Errors after which no further request of this run can succeed.
fn stops_the_run(e: &Error) -> bool {
    matches!(e, Error::SessionExpired | Error::ApiKeyRejected | Error::WrongCredentials)
}

/// One row's request, again after the server's wait while it is busy (429, 503: nothing was
/// done). Checks for cancel before each attempt, never during one.
async fn send<F, Fut>(
    row: &RowPreview,
    options: &RunOptions,
    stop: &CancellationToken,
    stopped: &Mutex<Option<String>>,
    pause_until: &Mutex<Option<Instant>>,
    request: F,
    success: Outcome,
) -> ReportRow
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<Organisation, Error>>,
{
    let not_run = |reason| settled(row, Outcome::NotRun, Some(reason));
    let mut attempt = 0;
    loop {
        // Everyone waits while the server asked one of us to.
        let pause = *pause_until.lock().unwrap();
        if let Some(until) = pause {
            tokio::select! {
                _ = stop.cancelled() => {}
                _ = tokio::time::sleep_until(until) => {}
            }
        }
        if stop.is_cancelled() {
            let reason = if stopped.lock().unwrap().is_some() { Reason::Stopped } else { Reason::Cancelled };
            return not_run(reason);
        }
        attempt += 1;
        let error = match request().await {
            Ok(o) => return ReportRow { id: Some(o.id), ..settled(row, success, None) },
            Err(e) => e,
        };
        let wait = match &error {
            Error::Throttled { retry_after } => Some(retry_after.unwrap_or(options.default_wait)),
            Error::Server { status: 503 } => Some(options.default_wait),
            _ => None,
        };
        match wait {
            Some(wait) if attempt < options.busy_attempts => {
                let until = Instant::now() + wait.min(options.max_wait);
                let mut pause = pause_until.lock().unwrap();
                *pause = Some(pause.map_or(until, |p| p.max(until)));
                continue;
            }
            _ => {}
        }
        if stops_the_run(&error) {
            stopped.lock().unwrap().get_or_insert_with(|| error.code().to_string());
            stop.cancel();
        }
        let mut failed = settled(row, Outcome::Failed, None);
        match error {
            Error::Validation { fields } => {
                failed.reason = Some(Reason::Refused);
                failed.server_fields = fields;
            }
            other => {
                failed.reason = Some(Reason::RequestFailed);
                failed.error = Some(other.code().to_string());
            }
        }
        return failed;
    }
}
