//! A local OAS-compatible server (axum + SQLite), faithful to `docs/api-contract.md`.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use oas_sandbox::{Config, Sandbox};
//! let sandbox = Sandbox::start(Config::default()).await?;
//! let api_key = sandbox.add_user("alice", "alice@example.com", "correct-horse-1")?;
//! let api_root = format!("{}/api/", sandbox.base_url());
//! # let _ = (api_key, api_root);
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```

mod clock;
mod faults;
mod http;
mod jwt;
mod passwords;
mod secrets;
mod store;
mod util;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use clock::Clock;
pub use faults::{FaultKind, FaultRule, Faults};
pub use http::RequestSeen;
pub use store::{Contact, SeedNames};

/// How a sandbox behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// The SQLite file; `None` = a fresh temporary file, deleted when the sandbox is dropped.
    pub db: Option<PathBuf>,
    /// Organisations per page (DRF `PAGE_SIZE`).
    pub page_size: usize,
    /// simplejwt `ACCESS_TOKEN_LIFETIME`.
    pub access_ttl: Duration,
    /// simplejwt `REFRESH_TOKEN_LIFETIME`.
    pub refresh_ttl: Duration,
    /// simplejwt `ROTATE_REFRESH_TOKENS` (+ `BLACKLIST_AFTER_ROTATION`).
    pub rotate_refresh: bool,
    /// Answer as the published API: no sandbox extensions (`is_active`, `contacts` on
    /// organisations) and no `*_expiration` in the login answer.
    pub strict: bool,
    /// Answer `currencies` as a comma-separated string instead of a JSON list.
    pub currencies_as_string: bool,
    /// Throttle the dj-rest-auth routes (login, logout, user, password change) to N per minute
    /// per client address.
    pub login_rate_per_min: Option<u32>,
    /// dj-rest-auth `OLD_PASSWORD_FIELD_ENABLED`: `password/change/` requires and checks
    /// `old_password` (off: the field is ignored).
    pub check_old_password: bool,
    /// Injected faults.
    pub faults: Option<Faults>,
    /// Added before every answer, as a real network's round trip would (`--latency-ms`).
    pub latency: Duration,
    /// Keep a log of the requests served ([`Sandbox::requests`]), for tests that check what a
    /// client sent and when.
    pub record_requests: bool,
    /// The time everything time-based reads (token lifetimes, API key expiry, throttling,
    /// `last_login`): [`Clock::real`] by default; tests use [`Clock::manual`] and move it with
    /// [`Sandbox::advance_clock`] instead of sleeping.
    pub clock: Clock,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            db: None,
            page_size: 10,
            access_ttl: Duration::from_secs(300),
            refresh_ttl: Duration::from_secs(86_400),
            rotate_refresh: false,
            strict: false,
            currencies_as_string: false,
            login_rate_per_min: None,
            check_old_password: false,
            faults: None,
            latency: Duration::ZERO,
            record_requests: false,
            clock: Clock::real(),
        }
    }
}

/// The demo account created by [`Sandbox::ensure_demo`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoCredentials {
    pub username: String,
    pub email: String,
    pub password: String,
    #[serde(rename = "apiKey")]
    pub api_key: String,
}

pub const DEMO_USERNAME: &str = "demo";
pub const DEMO_EMAIL: &str = "demo@example.com";
pub const DEMO_PASSWORD: &str = "demo-password-1";

/// A running sandbox server on a loopback port.
pub struct Sandbox {
    app: Arc<http::App>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    /// Completes once the app is dropped (its temporary database removed).
    gone: Option<oneshot::Receiver<()>>,
}

impl Sandbox {
    /// Starts a sandbox on `127.0.0.1:0` (a free port).
    pub async fn start(config: Config) -> anyhow::Result<Sandbox> {
        Self::start_on(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a sandbox on `addr`.
    pub async fn start_on(config: Config, addr: SocketAddr) -> anyhow::Result<Sandbox> {
        let (app, gone) = http::App::new(config)?;
        let app = Arc::new(app);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let addr = listener.local_addr()?;
        // Answers go out at once (as behind gunicorn), not held back by Nagle's algorithm.
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let router = http::router(app.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let server = axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            });
            if let Err(e) = server.await {
                eprintln!("oas-sandbox: server error: {e}");
            }
        });
        Ok(Sandbox { app, addr, stop: Some(stop), task: Some(task), gone: Some(gone) })
    }

    /// `http://127.0.0.1:PORT`, no trailing slash. The API root is `base_url() + "/api/"`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The SQLite file in use.
    pub fn db_path(&self) -> PathBuf {
        self.app.store.path().to_path_buf()
    }

    /// Creates a user and returns a new API key for it.
    pub fn add_user(&self, username: &str, email: &str, password: &str) -> anyhow::Result<String> {
        self.app.store.create_user(username, email, password)?;
        self.app.store.issue_key(username)
    }

    /// Issues another API key for an existing user.
    pub fn issue_key(&self, username: &str) -> anyhow::Result<String> {
        self.app.store.issue_key(username)
    }

    /// Revokes an API key (full key or its 8-character prefix).
    pub fn revoke_key(&self, key: &str) -> anyhow::Result<()> {
        self.app.store.revoke_key(key)
    }

    /// Makes an API key expired (full key or its prefix).
    pub fn expire_key(&self, key: &str) -> anyhow::Result<()> {
        self.app.store.expire_key(key)
    }

    /// Creates `count` organisations for `username`, in one transaction.
    pub fn seed_orgs(&self, username: &str, count: usize) -> anyhow::Result<()> {
        self.app.store.seed_orgs(username, count)
    }

    /// The sandbox's clock (`Config::clock`).
    pub fn clock(&self) -> &Clock {
        self.app.store.clock()
    }

    /// Moves the sandbox's manual clock forward: tokens, API keys and throttling windows then
    /// expire as if `by` had passed.
    ///
    /// # Panics
    /// When the sandbox runs on the real clock (start it with `Config { clock:
    /// Clock::manual(), .. }`).
    pub fn advance_clock(&self, by: Duration) {
        self.clock().advance(by);
    }

    /// Sets a user's password (as `manage.py changepassword`, without the validators).
    pub fn reset_password(&self, username: &str, password: &str) -> anyhow::Result<()> {
        reset_password(&self.app.store, username, password)
    }

    /// Changes an organisation as another administrator would (whoever owns it).
    pub fn update_org(&self, id: i64, changes: &OrgUpdate) -> anyhow::Result<()> {
        update_org(&self.app.store, id, changes)
    }

    /// Deletes an organisation as another administrator would (whoever owns it).
    pub fn delete_org(&self, id: i64) -> anyhow::Result<()> {
        delete_org(&self.app.store, id)
    }

    /// The requests served so far, in the order they arrived (empty unless
    /// `Config::record_requests`).
    pub fn requests(&self) -> Vec<RequestSeen> {
        self.app.requests()
    }

    /// Replaces the injected faults (None = no faults) while the server runs.
    pub fn set_faults(&self, faults: Option<Faults>) {
        self.app.set_faults(faults);
    }

    /// Creates the demo user (if absent) with a few organisations, and issues a fresh API key.
    pub fn ensure_demo(&self) -> anyhow::Result<DemoCredentials> {
        ensure_demo(&self.app.store)
    }

    /// Stops the server and waits for it: when this returns, open connections are closed and
    /// a temporary database has been deleted. (A connection that a client keeps busy is given
    /// 5 seconds, after which the server stops without waiting for it.)
    pub async fn shutdown(mut self) {
        self.app.stop_stalls();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let gone = self.gone.take();
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task).await.is_err() {
                abort.abort();
                return;
            }
        }
        // Our handle on the app goes; the last one (the server's) is gone already or goes with
        // the last connection.
        drop(self);
        if let Some(gone) = gone {
            let _ = tokio::time::timeout(Duration::from_secs(5), gone).await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.app.stop_stalls();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Demo organisations: (name, base currency, currencies, image).
const DEMO_ORGS: &[(&str, &str, &[&str])] = &[
    ("Northwind Traders", "USD", &["USD", "EUR", "GBP"]),
    ("Contoso Pharmaceuticals", "EUR", &["EUR", "USD", "CHF"]),
    ("Tailspin Toys México", "MXN", &["MXN", "USD"]),
    ("Fabrikam Records Ltd", "GBP", &["GBP", "EUR", "USD"]),
    ("Wide World Importers", "USD", &["USD", "CAD", "MXN"]),
    ("Kōbe Sound Works", "JPY", &["JPY", "USD"]),
    ("Alpine Audio AG", "CHF", &["CHF", "EUR"]),
    ("Southern Cross Music Pty", "AUD", &["AUD", "NZD", "USD"]),
];

/// Creates the demo account if absent and returns its credentials with a fresh API key.
pub fn ensure_demo(store: &store::Store) -> anyhow::Result<DemoCredentials> {
    let user = match store.user_by_username(DEMO_USERNAME)? {
        Some(u) => u,
        None => {
            store.create_user(DEMO_USERNAME, DEMO_EMAIL, DEMO_PASSWORD)?;
            store.require_user(DEMO_USERNAME)?
        }
    };
    if !store.has_orgs(user.id)? {
        let mut first = None;
        for (name, base, currencies) in DEMO_ORGS {
            let org = store.create_org(
                user.id,
                &store::OrgWrite {
                    name: Some((*name).to_string()),
                    base_currency: Some((*base).to_string()),
                    currencies: Some(currencies.iter().map(|c| c.to_string()).collect()),
                    image: None,
                    contacts: Some(Vec::new()),
                },
            )?;
            first.get_or_insert(org.id);
        }
        if let Some(id) = first {
            store.make_active(user.id, id)?;
        }
    }
    let api_key = store.issue_key(DEMO_USERNAME)?;
    Ok(DemoCredentials {
        username: user.username,
        email: user.email,
        password: DEMO_PASSWORD.to_string(),
        api_key,
    })
}

/// Changes to an organisation made by an administrator ([`Sandbox::update_org`],
/// [`Admin::update_org`], `oas-sandbox update-org`); `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct OrgUpdate {
    pub name: Option<String>,
    pub base_currency: Option<String>,
    pub currencies: Option<Vec<String>>,
}

fn reset_password(store: &store::Store, username: &str, password: &str) -> anyhow::Result<()> {
    if password.is_empty() {
        anyhow::bail!("the password may not be empty");
    }
    let user = store.require_user(username)?;
    store.set_password(user.id, password)
}

/// The API's rules for the fields, so that an administrator cannot write what the API would
/// refuse.
fn update_org(store: &store::Store, id: i64, changes: &OrgUpdate) -> anyhow::Result<()> {
    let name = match &changes.name {
        Some(n) if n.trim().is_empty() => anyhow::bail!("the name may not be blank"),
        Some(n) if n.trim().chars().count() > 255 => anyhow::bail!("the name has more than 255 characters"),
        Some(n) => Some(n.trim().to_string()),
        None => None,
    };
    let check = |code: &str| -> anyhow::Result<String> {
        let code = code.trim();
        if util::valid_currency(code) {
            Ok(code.to_string())
        } else {
            anyhow::bail!("{code:?} is not an ISO 4217 currency code")
        }
    };
    let base_currency = changes.base_currency.as_deref().map(check).transpose()?;
    let currencies = match &changes.currencies {
        Some(list) => {
            let mut unique: Vec<String> = Vec::new();
            for code in list {
                let code = check(code)?;
                if !unique.contains(&code) {
                    unique.push(code);
                }
            }
            if unique.is_empty() {
                anyhow::bail!("the currencies may not be empty");
            }
            Some(unique)
        }
        None => None,
    };
    let owner = store.org_owner(id)?.with_context(|| format!("no organisation with id {id}"))?;
    let w = store::OrgWrite { name, base_currency, currencies, image: None, contacts: None };
    store.update_org(owner, id, &w)?;
    Ok(())
}

fn delete_org(store: &store::Store, id: i64) -> anyhow::Result<()> {
    if !store.delete_org(id)? {
        anyhow::bail!("no organisation with id {id}");
    }
    Ok(())
}

/// Administration of a database file without a running server (the CLI's admin commands).
pub struct Admin {
    store: store::Store,
}

impl Admin {
    pub fn open(db: &std::path::Path) -> anyhow::Result<Admin> {
        Ok(Admin { store: store::Store::open(db, Clock::real())? })
    }
    pub fn add_user(&self, username: &str, email: &str, password: &str) -> anyhow::Result<String> {
        self.store.create_user(username, email, password)?;
        self.store.issue_key(username)
    }
    pub fn issue_key(&self, username: &str) -> anyhow::Result<String> {
        self.store.issue_key(username)
    }
    pub fn revoke_key(&self, key: &str) -> anyhow::Result<()> {
        self.store.revoke_key(key)
    }
    pub fn expire_key(&self, key: &str) -> anyhow::Result<()> {
        self.store.expire_key(key)
    }
    pub fn seed_orgs(&self, username: &str, count: usize) -> anyhow::Result<()> {
        self.store.seed_orgs(username, count)
    }
    pub fn seed_orgs_named(&self, username: &str, count: usize, names: SeedNames) -> anyhow::Result<()> {
        self.store.seed_orgs_named(username, count, names)
    }
    pub fn ensure_demo(&self) -> anyhow::Result<DemoCredentials> {
        ensure_demo(&self.store)
    }
    pub fn reset_password(&self, username: &str, password: &str) -> anyhow::Result<()> {
        reset_password(&self.store, username, password)
    }
    pub fn update_org(&self, id: i64, changes: &OrgUpdate) -> anyhow::Result<()> {
        update_org(&self.store, id, changes)
    }
    pub fn delete_org(&self, id: i64) -> anyhow::Result<()> {
        delete_org(&self.store, id)
    }
}
