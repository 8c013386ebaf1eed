//! `oas-sandbox`: run a local OAS-compatible server, and administer its database.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand, ValueEnum};
use oas_sandbox::{Admin, Config, Faults, OrgUpdate, Sandbox, SeedNames};

#[derive(Parser)]
#[command(name = "oas-sandbox", version, about = "A local OAS-compatible server for demos, training and tests")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum CurrenciesAs {
    List,
    String,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server until interrupted.
    Serve {
        /// Address to listen on (port 0 = any free port).
        #[arg(long, default_value = "127.0.0.1:8765")]
        addr: SocketAddr,
        /// SQLite database file (created if absent); default: a temporary file deleted at exit.
        #[arg(long)]
        db: Option<PathBuf>,
        /// Create the demo account (if absent) and print its credentials with a fresh API key.
        #[arg(long)]
        demo: bool,
        /// With --demo: write {"server","username","email","password","apiKey"} to this JSON file.
        #[arg(long)]
        credentials_out: Option<PathBuf>,
        /// Organisations per page.
        #[arg(long, default_value_t = 10)]
        page_size: usize,
        /// Access token lifetime in seconds.
        #[arg(long, default_value_t = 300)]
        access_ttl: u64,
        /// Refresh token lifetime in seconds.
        #[arg(long, default_value_t = 86_400)]
        refresh_ttl: u64,
        /// Rotate refresh tokens on refresh (the old one is blacklisted).
        #[arg(long)]
        rotate_refresh: bool,
        /// As published: no sandbox extensions (`is_active`, `contacts`), login answers {access, refresh, user}.
        #[arg(long)]
        strict: bool,
        /// Answer `currencies` as a JSON list (default) or a comma-separated string.
        #[arg(long, value_enum, default_value = "list")]
        currencies_as: CurrenciesAs,
        /// Throttle the auth routes: N/min per client address (e.g. 5/min).
        #[arg(long)]
        login_rate: Option<String>,
        /// `password/change/` requires and checks `old_password` (dj-rest-auth's
        /// OLD_PASSWORD_FIELD_ENABLED).
        #[arg(long)]
        check_old_password: bool,
        /// JSON fault injection file (see README).
        #[arg(long)]
        faults: Option<PathBuf>,
        /// Milliseconds added before every answer, as a real network's round trip.
        #[arg(long, default_value_t = 0)]
        latency_ms: u64,
    },
    /// Create a user and print a new API key for it.
    AddUser {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "")]
        email: String,
        #[arg(long)]
        password: String,
    },
    /// Issue another API key for a user and print it.
    IssueKey {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        username: String,
    },
    /// Revoke an API key (the full key or its 8-character prefix).
    RevokeKey {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        key: String,
    },
    /// Make an API key expired (the full key or its 8-character prefix).
    ExpireKey {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        key: String,
    },
    /// Set a user's password (no validators, as an administrator would).
    ResetPassword {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        username: String,
        #[arg(long)]
        password: String,
    },
    /// Change an organisation, whoever owns it (as another administrator would).
    UpdateOrg {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        id: i64,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        base_currency: Option<String>,
        /// Comma-separated codes, e.g. USD,EUR.
        #[arg(long, value_delimiter = ',')]
        currencies: Option<Vec<String>>,
    },
    /// Delete an organisation, whoever owns it (as another administrator would).
    DeleteOrg {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        id: i64,
    },
    /// Create N organisations for a user, in one transaction.
    SeedOrgs {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        username: String,
        #[arg(long)]
        count: usize,
        /// The same names in no order (ids still follow creation), as a real account's are when
        /// the server lists by id: what the benchmarks list.
        #[arg(long)]
        shuffle_names: bool,
    },
}

fn parse_rate(s: &str) -> anyhow::Result<u32> {
    let n = s.strip_suffix("/min").or_else(|| s.strip_suffix("/m")).unwrap_or(s);
    let n: u32 = n.trim().parse().with_context(|| format!("bad --login-rate {s:?}: expected N/min"))?;
    if n == 0 {
        bail!("--login-rate must be at least 1/min");
    }
    Ok(n)
}

fn println_flush(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve {
            addr,
            db,
            demo,
            credentials_out,
            page_size,
            access_ttl,
            refresh_ttl,
            rotate_refresh,
            strict,
            currencies_as,
            login_rate,
            check_old_password,
            faults,
            latency_ms,
        } => {
            if page_size == 0 {
                bail!("--page-size must be at least 1");
            }
            let faults = match faults {
                Some(p) => Some(Faults::from_file(&p)?),
                None => None,
            };
            let config = Config {
                db,
                page_size,
                access_ttl: Duration::from_secs(access_ttl),
                refresh_ttl: Duration::from_secs(refresh_ttl),
                rotate_refresh,
                strict,
                currencies_as_string: matches!(currencies_as, CurrenciesAs::String),
                login_rate_per_min: login_rate.as_deref().map(parse_rate).transpose()?,
                check_old_password,
                faults,
                latency: Duration::from_millis(latency_ms),
                record_requests: false,
                clock: oas_sandbox::Clock::real(),
            };
            let sandbox = Sandbox::start_on(config, addr).await?;
            if demo {
                let creds = sandbox.ensure_demo()?;
                println_flush("demo account:");
                println_flush(&format!("  username: {}", creds.username));
                println_flush(&format!("  email:    {}", creds.email));
                println_flush(&format!("  password: {}", creds.password));
                println_flush(&format!("  api key:  {}", creds.api_key));
                if let Some(path) = credentials_out {
                    let body = serde_json::json!({
                        "server": sandbox.base_url(),
                        "username": creds.username,
                        "email": creds.email,
                        "password": creds.password,
                        "apiKey": creds.api_key,
                    });
                    // Written whole, then renamed: a script polling for the file never reads half of it.
                    let tmp = path.with_extension("json.tmp");
                    std::fs::write(&tmp, serde_json::to_vec_pretty(&body)?)
                        .with_context(|| format!("cannot write {}", tmp.display()))?;
                    std::fs::rename(&tmp, &path)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                }
            } else if credentials_out.is_some() {
                bail!("--credentials-out needs --demo");
            }
            println_flush(&format!("listening on {}", sandbox.base_url()));
            shutdown_signal().await;
            sandbox.shutdown().await;
        }
        Command::AddUser { db, username, email, password } => {
            let key = Admin::open(&db)?.add_user(&username, &email, &password)?;
            println_flush(&key);
        }
        Command::IssueKey { db, username } => {
            let key = Admin::open(&db)?.issue_key(&username)?;
            println_flush(&key);
        }
        Command::RevokeKey { db, key } => {
            Admin::open(&db)?.revoke_key(&key)?;
            eprintln!("revoked");
        }
        Command::ExpireKey { db, key } => {
            Admin::open(&db)?.expire_key(&key)?;
            eprintln!("expired");
        }
        Command::ResetPassword { db, username, password } => {
            Admin::open(&db)?.reset_password(&username, &password)?;
            eprintln!("password changed");
        }
        Command::UpdateOrg { db, id, name, base_currency, currencies } => {
            if name.is_none() && base_currency.is_none() && currencies.is_none() {
                bail!("nothing to change: give --name, --base-currency or --currencies");
            }
            Admin::open(&db)?.update_org(id, &OrgUpdate { name, base_currency, currencies })?;
            eprintln!("updated");
        }
        Command::DeleteOrg { db, id } => {
            Admin::open(&db)?.delete_org(id)?;
            eprintln!("deleted");
        }
        Command::SeedOrgs { db, username, count, shuffle_names } => {
            let started = std::time::Instant::now();
            let names = if shuffle_names { SeedNames::Shuffled } else { SeedNames::InOrder };
            Admin::open(&db)?.seed_orgs_named(&username, count, names)?;
            eprintln!("created {count} organisations in {:.2?}", started.elapsed());
        }
    }
    Ok(())
}
