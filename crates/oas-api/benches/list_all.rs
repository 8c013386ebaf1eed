//! API benchmark for `./bench/run.sh` (issue 6; the Performance sections of the sandbox and
//! client issues). Not a test: it does nothing unless cargo passes `--bench`, so
//! `cargo test --all-targets` only builds it.
//!
//! Against a sandbox on loopback with one account of 10,000 organisations (10 per page, 1,000
//! pages) it measures, alternating the methods within each round:
//! - the sandbox: pages per second and p50 per page, listing page by page with bare reqwest
//!   following `next` (the least client overhead there is);
//! - the client: p50 per page of `Session::organisations_page`;
//! - `Session::list_all_organisations` beside that plain sequential loop: the ratio of their
//!   median times (target: at most 0.5);
//! - the same two again against a sandbox that adds 20 ms before every answer (`Config::latency`,
//!   as a real network's round trip): the ratio of their medians (target: at most 0.1).
//!
//! Output: one JSON line on stdout; progress on stderr.
//!
//! ```sh
//! cargo bench -p oas-api --bench list_all            # 5 rounds
//! cargo bench -p oas-api --bench list_all -- --rounds 1
//! ```

use std::time::{Duration, Instant};

use oas_api::{ApiKey, Client, Password, ServerUrl, Session};
use oas_sandbox::{Config, Sandbox};
use serde_json::{json, Value};

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const ORGS: usize = 10_000;
const PAGE_SIZE: usize = 10;
const USER: &str = "bench";
const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "bench-password-1";
/// Added by the sandbox before every answer for the "real network" figure.
const LATENCY: Duration = Duration::from_millis(20);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") {
        eprintln!("list_all: a benchmark, not a test; run it with `cargo bench -p oas-api --bench list_all`");
        return;
    }
    let rounds = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(5)
        .max(1);
    // The sandbox gets its own runtime, as a server in another process would have its own threads.
    let server_rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match rt.block_on(run(&server_rt, rounds)) {
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("list_all: {e}");
            std::process::exit(1);
        }
    }
}

/// The plain loop the client is compared with: bare reqwest, one page after another, following
/// `next`. Returns the number of organisations and the time of each page.
async fn sequential(http: &reqwest::Client, api_root: &str, access: &str, key: &str) -> Res<(usize, Vec<Duration>)> {
    let mut next = Some(format!("{api_root}organisations/"));
    let mut items = 0usize;
    let mut per_page = Vec::with_capacity(ORGS / PAGE_SIZE);
    while let Some(url) = next {
        let t = Instant::now();
        let resp = http
            .get(&url)
            .header("Accept", "application/json")
            .header("Authorization", format!("Bearer {access}"))
            .header("X-Api-Key", key)
            .send()
            .await?
            .error_for_status()?;
        let page: Value = resp.json().await?;
        per_page.push(t.elapsed());
        items += page["results"].as_array().map_or(0, Vec::len);
        next = page["next"].as_str().map(str::to_string);
    }
    Ok((items, per_page))
}

/// Page by page through the client, one request at a time.
async fn client_pages(session: &Session) -> Res<(usize, Vec<Duration>)> {
    let mut items = 0usize;
    let mut per_page = Vec::with_capacity(ORGS / PAGE_SIZE);
    let mut n = 1u32;
    loop {
        let t = Instant::now();
        let page = session.organisations_page(n).await?;
        per_page.push(t.elapsed());
        items += page.results.len();
        if page.next.is_none() {
            break;
        }
        n += 1;
    }
    Ok((items, per_page))
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A sandbox with one account of [`ORGS`] organisations, signed in twice: through the client
/// (`session`) and with bare reqwest (`http` + `access`), for the sequential loop.
struct SignedIn {
    sandbox: Sandbox,
    key: String,
    api_root: String,
    client: Client,
    session: Session,
    http: reqwest::Client,
    access: String,
}

async fn signed_in(server_rt: &tokio::runtime::Runtime, config: Config) -> Res<SignedIn> {
    let sandbox = server_rt.spawn(Sandbox::start(config)).await?.map_err(|e| e.to_string())?;
    let key = sandbox.add_user(USER, EMAIL, PASSWORD).map_err(|e| e.to_string())?;
    sandbox.seed_orgs(USER, ORGS).map_err(|e| e.to_string())?;
    let base = sandbox.base_url();
    let api_root = format!("{base}/api/");
    let client = Client::new(ServerUrl::parse(&base)?, ApiKey::new(key.clone()))?;
    let (session, _user) = client.login(USER, EMAIL, &Password::new(PASSWORD)).await?;
    // The workspace's reqwest brings no crypto provider of its own (oas-api hands its clients ring).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder().build()?;
    let login: Value = http
        .post(format!("{api_root}auth/login/"))
        .json(&json!({"username": USER, "email": EMAIL, "password": PASSWORD}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let access = login["access"].as_str().or_else(|| login["access_token"].as_str()).ok_or("login: no access token")?.to_string();
    Ok(SignedIn { sandbox, key, api_root, client, session, http, access })
}

/// CPU time this process has used so far, user and system, every thread (the sandbox's and the
/// client's), in ms; the kernel counts it in ticks of 10 ms.
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<f64> = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("").split_whitespace().map(|f| f.parse().unwrap_or(0.0)).collect();
    (fields.get(11).unwrap_or(&0.0) + fields.get(12).unwrap_or(&0.0)) * 10.0
}

async fn run(server_rt: &tokio::runtime::Runtime, rounds: usize) -> Res<String> {
    let config = Config { page_size: PAGE_SIZE, access_ttl: Duration::from_secs(3600), ..Default::default() };
    let SignedIn { sandbox, key, api_root, client, session, http, access } = signed_in(server_rt, config).await?;

    // Warm-up (connections, SQLite cache), and a check that every method sees every organisation.
    let (n_seq, _) = sequential(&http, &api_root, &access, &key).await?;
    let n_all = session.list_all_organisations().await?.len();
    let (n_pages, _) = client_pages(&session).await?;
    if n_seq != ORGS || n_all != ORGS || n_pages != ORGS {
        return Err(format!("expected {ORGS} organisations, got sequential {n_seq}, list_all {n_all}, pages {n_pages}").into());
    }

    let mut seq_ms = Vec::new();
    let mut all_ms = Vec::new();
    let mut all_cpu_ms = Vec::new();
    let mut page_seq_ms = Vec::new();
    let mut page_client_ms = Vec::new();
    for r in 0..rounds {
        // Alternate which goes first, so neither always runs on a warmer machine.
        for step in 0..3 {
            match (step + r) % 3 {
                0 => {
                    let t = Instant::now();
                    let (n, per_page) = sequential(&http, &api_root, &access, &key).await?;
                    seq_ms.push(ms(t.elapsed()));
                    assert_eq!(n, ORGS);
                    page_seq_ms.extend(per_page.into_iter().map(ms));
                }
                1 => {
                    let (t, cpu) = (Instant::now(), cpu_ms());
                    let n = session.list_all_organisations().await?.len();
                    all_ms.push(ms(t.elapsed()));
                    all_cpu_ms.push(cpu_ms() - cpu);
                    assert_eq!(n, ORGS);
                }
                _ => {
                    let (n, per_page) = client_pages(&session).await?;
                    assert_eq!(n, ORGS);
                    page_client_ms.extend(per_page.into_iter().map(ms));
                }
            }
        }
        eprintln!(
            "list_all: round {}/{rounds}: sequential {:.1} ms, list_all {:.1} ms",
            r + 1,
            seq_ms.last().unwrap(),
            all_ms.last().unwrap()
        );
    }

    let pages = (ORGS / PAGE_SIZE) as f64;
    let seq_raw = seq_ms.clone();
    let all_raw = all_ms.clone();
    let seq_med = median(&mut seq_ms);
    let all_med = median(&mut all_ms);
    let out = json!({
        "orgs": ORGS,
        "page_size": PAGE_SIZE,
        "pages": pages as u64,
        "rounds": rounds,
        "list_concurrency": client.options().list_concurrency,
        "sandbox_pages_per_s": round3(pages / (seq_med / 1000.0)),
        "sandbox_page_p50_ms": round3(median(&mut page_seq_ms)),
        "client_page_p50_ms": round3(median(&mut page_client_ms)),
        "sequential_ms": round3(seq_med),
        "list_all_ms": round3(all_med),
        "list_all_ratio": round3(all_med / seq_med),
        "list_all_cpu_ms": round3(median(&mut all_cpu_ms)),
        "sequential_runs_ms": seq_raw.iter().map(|x| round3(*x)).collect::<Vec<_>>(),
        "list_all_runs_ms": all_raw.iter().map(|x| round3(*x)).collect::<Vec<_>>(),
    });
    drop(session);
    server_rt.spawn(sandbox.shutdown()).await?;
    let mut out = out;
    let (seq, all) = with_latency(server_rt, rounds).await?;
    let (seq_med, all_med) = (median(&mut seq.clone()), median(&mut all.clone()));
    out["latency_ms"] = json!(LATENCY.as_millis() as u64);
    out["latency_sequential_ms"] = json!(round3(seq_med));
    out["latency_list_all_ms"] = json!(round3(all_med));
    out["latency_list_all_ratio"] = json!(round3(all_med / seq_med));
    out["latency_sequential_runs_ms"] = json!(seq.iter().map(|x| round3(*x)).collect::<Vec<_>>());
    out["latency_list_all_runs_ms"] = json!(all.iter().map(|x| round3(*x)).collect::<Vec<_>>());
    Ok(out.to_string())
}

/// The sequential loop and `list_all_organisations` against a sandbox that waits [`LATENCY`]
/// before every answer: the time of each run of each, alternating.
async fn with_latency(server_rt: &tokio::runtime::Runtime, rounds: usize) -> Res<(Vec<f64>, Vec<f64>)> {
    let config = Config { page_size: PAGE_SIZE, access_ttl: Duration::from_secs(3600), latency: LATENCY, ..Default::default() };
    let SignedIn { sandbox, key, api_root, session, http, access, .. } = signed_in(server_rt, config).await?;
    let (mut seq_ms, mut all_ms) = (Vec::new(), Vec::new());
    for r in 0..rounds {
        for step in 0..2 {
            if (step + r) % 2 == 0 {
                let t = Instant::now();
                let (n, _) = sequential(&http, &api_root, &access, &key).await?;
                seq_ms.push(ms(t.elapsed()));
                assert_eq!(n, ORGS);
            } else {
                let t = Instant::now();
                let n = session.list_all_organisations().await?.len();
                all_ms.push(ms(t.elapsed()));
                assert_eq!(n, ORGS);
            }
        }
        eprintln!(
            "list_all: {} ms latency, round {}/{rounds}: sequential {:.1} ms, list_all {:.1} ms",
            LATENCY.as_millis(),
            r + 1,
            seq_ms.last().unwrap(),
            all_ms.last().unwrap()
        );
    }
    drop(session);
    server_rt.spawn(sandbox.shutdown()).await?;
    Ok((seq_ms, all_ms))
}
