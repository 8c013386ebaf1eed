//! Lists a 10,000-organisation account page by page over loopback and reports pages per second
//! and the median time per page. Run: `cargo run --release -p oas-sandbox --example list_bench`
//! (optional arguments: COUNT PAGE_SIZE).

use std::time::{Duration, Instant};

use oas_sandbox::{Config, Sandbox};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(10_000);
    let page_size: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(10);
    let sb = Sandbox::start(Config { page_size, ..Config::default() }).await?;
    let key = sb.add_user("bench", "bench@example.com", "bench-password-1")?;
    let t = Instant::now();
    sb.seed_orgs("bench", count)?;
    println!("seeded {count} organisations in {:.2?}", t.elapsed());

    // The workspace's reqwest brings no crypto provider of its own (oas-api hands it ring).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let login: serde_json::Value = http
        .post(format!("{}/api/auth/login/", sb.base_url()))
        .json(&serde_json::json!({"username": "bench", "email": "", "password": "bench-password-1"}))
        .send()
        .await?
        .json()
        .await?;
    let access = login["access"].as_str().unwrap_or_default().to_string();

    let mut next = Some(format!("{}/api/organisations/", sb.base_url()));
    let mut times: Vec<Duration> = Vec::new();
    let mut seen = 0usize;
    let started = Instant::now();
    while let Some(url) = next {
        let t = Instant::now();
        let page: serde_json::Value = http
            .get(&url)
            .bearer_auth(&access)
            .header("X-Api-Key", &key)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        times.push(t.elapsed());
        seen += page["results"].as_array().map(|r| r.len()).unwrap_or(0);
        next = page["next"].as_str().map(str::to_string);
    }
    let total = started.elapsed();
    times.sort();
    let p50 = times[times.len() / 2];
    let p95 = times[times.len() * 95 / 100];
    println!(
        "{} pages ({seen} organisations, page size {page_size}) in {total:.2?}: {:.0} pages/s, p50 {p50:.2?}, p95 {p95:.2?}",
        times.len(),
        times.len() as f64 / total.as_secs_f64(),
    );
    sb.shutdown().await;
    Ok(())
}
