//! Shared helpers: a real sandbox on a random loopback port, with real or moved clocks.
//! (The cases a faithful sandbox cannot produce use wiremock: see origin_and_transport.rs.)
#![allow(dead_code)]

use std::time::Duration;

use oas_api::{ApiKey, Client, Clock, Options, Password, ServerUrl, Session, User};
use oas_sandbox::{Config, Sandbox};

pub const USER: &str = "alice";
pub const EMAIL: &str = "alice@example.com";
pub const PASSWORD: &str = "correct-horse-1";

pub struct Env {
    pub sandbox: Sandbox,
    pub key: String,
    pub client: Client,
}

/// Options for tests: quick backoff, short timeouts.
pub fn test_options() -> Options {
    Options {
        connect_timeout: Duration::from_secs(3),
        request_timeout: Duration::from_secs(10),
        backoff_base: Duration::from_millis(20),
        retry_budget: Duration::from_secs(5),
        ..Options::default()
    }
}

pub async fn env(config: Config) -> Env {
    env_with(config, test_options()).await
}

pub async fn env_with(config: Config, options: Options) -> Env {
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    let key = sandbox.add_user(USER, EMAIL, PASSWORD).expect("user added");
    let server = ServerUrl::parse(&sandbox.base_url()).expect("sandbox address");
    let client = Client::with_options(server, ApiKey::new(key.clone()), options).expect("client");
    Env { sandbox, key, client }
}

/// A sandbox on a manual clock and a client on an adjustable one: [`Env::advance`] moves both,
/// so tests of token expiry move time instead of sleeping.
pub async fn env_clocked(config: Config, options: Options) -> Env {
    let config = Config { clock: oas_sandbox::Clock::manual(), ..config };
    env_with(config, Options { clock: Clock::adjustable(), ..options }).await
}

impl Env {
    pub async fn login(&self) -> (Session, User) {
        self.client.login(USER, EMAIL, &Password::new(PASSWORD)).await.expect("login")
    }

    /// Time passes for the server and for the client.
    pub fn advance(&self, by: Duration) {
        self.sandbox.advance_clock(by);
        self.client.options().clock.advance(by);
    }

    /// Time passes for the server only (the client did not notice: its token expired unseen).
    pub fn advance_server(&self, by: Duration) {
        self.sandbox.advance_clock(by);
    }
}
