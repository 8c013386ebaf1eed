//! The run against the real sandbox: 500 rows with 10 invalid, the failed rows fixed and the
//! file imported again, a cancel halfway, the sandbox's faults during a run. After each, every
//! organisation exists exactly once.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use oas_api::{ApiKey, Client, Options, Password, ServerUrl, Session};
use oas_import::{guess, preview, read_csv, run, CancellationToken, Choices, Outcome, PreviewOptions, Progress, Reason, Report, RunOptions, Table};
use oas_sandbox::{Config, FaultKind, FaultRule, Faults, Sandbox};

const USER: &str = "alice";
const PASSWORD: &str = "correct-horse-1";

async fn signed_in(config: Config) -> (Sandbox, Session, String) {
    let sandbox = Sandbox::start(Config { page_size: 100, ..config }).await.expect("sandbox starts");
    let key = sandbox.add_user(USER, "alice@example.com", PASSWORD).expect("user added");
    let options = Options { backoff_base: Duration::from_millis(20), request_timeout: Duration::from_secs(10), ..Options::default() };
    let client = Client::with_options(ServerUrl::parse(&sandbox.base_url()).unwrap(), ApiKey::new(key.clone()), options).unwrap();
    let (session, _) = client.login(USER, "", &Password::new(PASSWORD)).await.expect("login");
    (sandbox, session, key)
}

fn known() -> HashSet<String> {
    ["USD", "EUR", "GBP", "MXN"].map(String::from).into()
}

/// `n` rows; those in `invalid` have an unknown currency.
fn file(n: usize, invalid: &[usize]) -> String {
    let mut csv = String::from("name;base currency;currencies\r\n");
    for i in 0..n {
        let code = if invalid.contains(&i) { "ABC" } else { ["USD", "EUR", "GBP"][i % 3] };
        csv.push_str(&format!("Organización {i:04};{code};{code} MXN\r\n"));
    }
    csv
}

fn opts(t: &Table) -> PreviewOptions {
    PreviewOptions { mapping: guess(&t.headers), add_missing_base: false }
}

async fn import(session: &Session, csv: &str, cancel: &CancellationToken, on_progress: impl Fn(Progress) + Send + Sync) -> Report {
    let t = read_csv(csv.as_bytes()).unwrap();
    let current = session.list_all_organisations().await.unwrap();
    let p = preview(&t, &opts(&t), &current, &known());
    let options = RunOptions { default_wait: Duration::from_millis(200), ..RunOptions::default() };
    run(session, &p, &Choices::default(), &options, cancel, on_progress).await.expect("run")
}

/// Name → how many organisations have it.
async fn names(session: &Session) -> HashMap<String, usize> {
    let mut count = HashMap::new();
    for o in session.list_all_organisations().await.unwrap() {
        *count.entry(o.name).or_insert(0) += 1;
    }
    count
}

fn assert_each_once(count: &HashMap<String, usize>, expected: usize) {
    assert_eq!(count.len(), expected, "organisations by name");
    let twice: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "created twice: {twice:?}");
}

#[tokio::test]
async fn five_hundred_rows_ten_invalid_then_the_fixed_report_again() {
    let (_sandbox, session, _) = signed_in(Config::default()).await;
    let invalid: Vec<usize> = (0..10).map(|i| i * 50 + 7).collect();
    let csv = file(500, &invalid);
    let seen = Mutex::new(Vec::new());
    let report = import(&session, &csv, &CancellationToken::new(), |p| seen.lock().unwrap().push(p)).await;
    assert_eq!((report.created, report.failed, report.skipped, report.not_run), (490, 10, 0, 0));
    assert!(report.rows.iter().filter(|r| r.outcome == Outcome::Failed).all(|r| r.reason == Some(Reason::Invalid) && !r.problems.is_empty()));
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.first(), Some(&Progress { done: 0, total: 500 }));
    assert_eq!(seen.last(), Some(&Progress { done: 500, total: 500 }));
    assert_each_once(&names(&session).await, 490);

    // The report, its failed rows fixed in the spreadsheet, imported again.
    let t = read_csv(csv.as_bytes()).unwrap();
    let words: Vec<oas_import::RowWords> = report
        .rows
        .iter()
        .map(|r| oas_import::RowWords { line: r.line, result: format!("{:?}", r.outcome), reason: format!("{:?}", r.reason) })
        .collect();
    let fixed = oas_import::report_csv(&t, ["result", "reason"], &words).replace(";ABC;ABC MXN;", ";USD;USD MXN;");
    let again = import(&session, &fixed, &CancellationToken::new(), |_| {}).await;
    assert_eq!((again.created, again.skipped, again.failed), (10, 490, 0));
    assert!(again.rows.iter().filter(|r| r.outcome == Outcome::Skipped).all(|r| r.reason == Some(Reason::AlreadyExists)));
    assert_each_once(&names(&session).await, 500);
}

#[tokio::test]
async fn a_cancel_stops_between_requests_and_the_same_file_completes_it() {
    // Each create takes a little while, so the cancel lands halfway.
    let slow = FaultRule { method: Some("POST".into()), path: "/api/organisations/".into(), latency_ms: 20, fault: None, times: None, size: None };
    let (_sandbox, session, _) = signed_in(Config { faults: Some(Faults { rules: vec![slow] }), ..Config::default() }).await;
    let csv = file(120, &[]);
    let cancel = CancellationToken::new();
    let report = import(&session, &csv, &cancel, |p| {
        if p.done == 40 {
            cancel.cancel();
        }
    })
    .await;
    assert!(report.cancelled);
    assert!(report.created >= 40 && report.not_run > 0, "created {} not run {}", report.created, report.not_run);
    assert_eq!(report.created + report.not_run, 120);
    assert!(report.rows.iter().filter(|r| r.outcome == Outcome::NotRun).all(|r| r.reason == Some(Reason::Cancelled)));
    let created_before = report.created as usize;
    assert_each_once(&names(&session).await, created_before);

    let again = import(&session, &csv, &CancellationToken::new(), |_| {}).await;
    assert_eq!(again.created as usize, 120 - created_before);
    assert_eq!(again.skipped as usize, created_before);
    assert_each_once(&names(&session).await, 120);
}

fn post_fault(fault: FaultKind, times: u64) -> FaultRule {
    FaultRule { method: Some("POST".into()), path: "/api/organisations/".into(), latency_ms: 0, fault: Some(fault), times: Some(times), size: None }
}

#[tokio::test]
async fn throttling_and_busy_answers_are_waited_out() {
    let rules = vec![post_fault(FaultKind::Http429, 3), post_fault(FaultKind::Http503, 2)];
    let (_sandbox, session, _) = signed_in(Config { faults: Some(Faults { rules }), ..Config::default() }).await;
    let report = import(&session, &file(30, &[]), &CancellationToken::new(), |_| {}).await;
    assert_eq!((report.created, report.failed), (30, 0), "{:?}", report.rows.iter().find(|r| r.outcome != Outcome::Created));
    assert_each_once(&names(&session).await, 30);
}

#[tokio::test]
async fn lost_answers_create_nothing_twice_and_a_rerun_creates_only_what_is_missing() {
    // A cut answer (the server created it), a garbled one (created too), a dropped connection
    // (nothing created), a proxy's 502 (unknown).
    let rules = vec![
        post_fault(FaultKind::TruncatedBody, 2),
        post_fault(FaultKind::MalformedJson, 2),
        post_fault(FaultKind::DropConnection, 2),
        post_fault(FaultKind::Http502, 2),
    ];
    let (_sandbox, session, _) = signed_in(Config { faults: Some(Faults { rules }), ..Config::default() }).await;
    let csv = file(40, &[]);
    let report = import(&session, &csv, &CancellationToken::new(), |_| {}).await;
    assert_eq!(report.created + report.failed, 40);
    assert!(report.failed <= 4, "only the requests the server never carried out fail: {}", report.failed);
    assert!(report.rows.iter().filter(|r| r.outcome == Outcome::Failed).all(|r| r.reason == Some(Reason::RequestFailed) && r.error.is_some()));
    let after_first = names(&session).await;
    assert_each_once(&after_first, after_first.len());

    let again = import(&session, &csv, &CancellationToken::new(), |_| {}).await;
    assert_eq!(again.created as usize, 40 - after_first.len());
    assert_each_once(&names(&session).await, 40);
}

#[tokio::test]
async fn a_refused_key_stops_the_run_and_says_so() {
    let (sandbox, session, api_key) = signed_in(Config::default()).await;
    let csv = file(60, &[]);
    let done = AtomicU32::new(0);
    let sandbox_ref = &sandbox;
    let report = import(&session, &csv, &CancellationToken::new(), |p| {
        if p.done == 10 && done.fetch_add(1, Ordering::SeqCst) == 0 {
            sandbox_ref.revoke_key(&api_key).unwrap();
        }
    })
    .await;
    assert_eq!(report.stopped.as_deref(), Some("api_key_rejected"));
    assert!(report.not_run > 0);
    assert!(report.rows.iter().filter(|r| r.outcome == Outcome::NotRun).all(|r| r.reason == Some(Reason::Stopped)));
}

/// The app runs an import on its async runtime's threads: the future must be `Send`.
#[allow(dead_code)]
fn the_run_future_is_send(session: &Session, p: &oas_import::Preview, cancel: &CancellationToken) {
    fn assert_send<T: Send>(_: T) {}
    assert_send(run(session, p, &Choices::default(), &RunOptions::default(), cancel, |_| {}));
}

#[tokio::test]
async fn an_existing_organisation_is_updated_only_in_what_differs_and_a_refusal_is_reported() {
    let (_sandbox, session, _) = signed_in(Config::default()).await;
    let cafe = session
        .create_organisation(&oas_api::NewOrganisation {
            name: "Café Núñez".into(),
            base_currency: "EUR".into(),
            currencies: vec!["EUR".into()],
            image: Some("https://example.com/cafe.png".into()),
            contacts: None,
        })
        .await
        .unwrap();
    let csv = "nombre;moneda base;monedas;imagen\r\ncafe nunez;EUR;EUR USD;\r\nRefused;XXX;XXX;\r\n";
    let t = read_csv(csv.as_bytes()).unwrap();
    // "XXX" passes the app's list here, so the server is the one to refuse it.
    let known: HashSet<String> = ["USD", "EUR", "XXX"].map(String::from).into();
    let p = preview(&t, &opts(&t), &session.list_all_organisations().await.unwrap(), &known);
    assert_eq!((p.existing, p.new), (1, 1));
    let choices = Choices { on_existing: oas_import::OnExisting::Update, ..Choices::default() };
    let report = run(&session, &p, &choices, &RunOptions::default(), &CancellationToken::new(), |_| {}).await.unwrap();
    assert_eq!((report.updated, report.failed), (1, 1));
    assert_eq!(report.rows[0].id, Some(cafe.id));
    let refused = &report.rows[1];
    assert_eq!(refused.reason, Some(Reason::Refused));
    assert!(refused.server_fields.contains_key("base_currency") || refused.server_fields.contains_key("currencies"), "{:?}", refused.server_fields);

    let after = session.organisation(cafe.id).await.unwrap();
    assert_eq!(after.name, "Café Núñez", "the name on the server is kept");
    assert_eq!(after.currencies, ["EUR", "USD"]);
    assert_eq!(after.image.as_deref(), Some("https://example.com/cafe.png"), "an empty cell changes nothing");

    // Again: nothing left to change.
    let p = preview(&t, &opts(&t), &session.list_all_organisations().await.unwrap(), &known);
    let again = run(&session, &p, &choices, &RunOptions::default(), &CancellationToken::new(), |_| {}).await.unwrap();
    assert_eq!(again.rows[0].reason, Some(Reason::UpToDate));
}
