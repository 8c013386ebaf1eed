//! Listing stops at the configured maximums (items, bytes) instead of following a server's
//! `count` into unbounded memory.

mod common;

use common::*;
use oas_api::{Error, Options, DEFAULT_MAX_LIST_BYTES, DEFAULT_MAX_LIST_ITEMS};
use oas_sandbox::Config;

#[tokio::test]
async fn listing_stops_past_the_maximum_number_of_items() {
    let options = Options { max_list_items: 24, ..test_options() };
    let env = env_with(Config::default(), options).await;
    env.sandbox.seed_orgs(USER, 25).unwrap();
    let (session, _) = env.login().await;
    assert_eq!(session.list_all_organisations().await.unwrap_err(), Error::ListTooLarge { max_items: 24, max_bytes: DEFAULT_MAX_LIST_BYTES });
    // One page at a time still works.
    assert_eq!(session.organisations_page(1).await.unwrap().count, 25);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn listing_up_to_the_maximum_works() {
    let options = Options { max_list_items: 25, ..test_options() };
    let env = env_with(Config::default(), options).await;
    env.sandbox.seed_orgs(USER, 25).unwrap();
    let (session, _) = env.login().await;
    assert_eq!(session.list_all_organisations().await.unwrap().len(), 25);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn listing_stops_past_the_maximum_number_of_bytes() {
    let env = env(Config::default()).await;
    env.sandbox.seed_orgs(USER, 25).unwrap();
    // Room for about one page of ten organisations, not three.
    let small = Options { max_list_bytes: 4096, ..test_options() };
    let capped = oas_api::Client::with_options(env.client.server().clone(), oas_api::ApiKey::new(env.key.clone()), small).unwrap();
    let (session, _) = capped.login(USER, EMAIL, &oas_api::Password::new(PASSWORD)).await.unwrap();
    let err = session.list_all_organisations().await.unwrap_err();
    assert_eq!(err, Error::ListTooLarge { max_items: DEFAULT_MAX_LIST_ITEMS, max_bytes: 4096 });
    env.sandbox.shutdown().await;
}

#[test]
fn documented_defaults() {
    assert_eq!(DEFAULT_MAX_LIST_ITEMS, 100_000);
    assert_eq!(DEFAULT_MAX_LIST_BYTES, 256 * 1024 * 1024);
    assert_eq!(Options::default().max_list_items, DEFAULT_MAX_LIST_ITEMS);
    assert_eq!(Options::default().max_list_bytes, DEFAULT_MAX_LIST_BYTES);
}
