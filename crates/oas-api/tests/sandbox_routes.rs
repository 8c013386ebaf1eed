//! Every route against the sandbox, including its strict and currencies-as-string modes.

mod common;

use common::*;
use oas_api::{Contact, Error, NewOrganisation, OrganisationPatch, Password, UserPatch};
use oas_sandbox::Config;

fn acme() -> NewOrganisation {
    NewOrganisation {
        name: "Acme Records".into(),
        base_currency: "USD".into(),
        currencies: vec!["USD".into(), "EUR".into()],
        image: None,
        contacts: None,
    }
}

#[tokio::test]
async fn user_get_patch_put() {
    let env = env(Config::default()).await;
    let (session, user) = env.login().await;
    let u = session.update_user(&UserPatch { email: Some("new@example.com".into()), ..Default::default() }).await.unwrap();
    assert_eq!((u.id, u.username.as_str(), u.email.as_str()), (user.id, USER, "new@example.com"));
    let u = session
        .replace_user(&UserPatch { username: Some("alice2".into()), email: Some("a2@example.com".into()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!((u.username.as_str(), u.email.as_str()), ("alice2", "a2@example.com"));
    assert_eq!(session.user().await.unwrap(), u);
    let err = session.update_user(&UserPatch { username: Some("bad name!".into()), ..Default::default() }).await.unwrap_err();
    assert!(err.fields().unwrap().contains_key("username"), "{err:?}");
    let err = session.update_user(&UserPatch { email: Some("not-an-email".into()), ..Default::default() }).await.unwrap_err();
    assert!(err.fields().unwrap().contains_key("email"), "{err:?}");
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn password_change() {
    // The sandbox checks `old_password` only with OLD_PASSWORD_FIELD_ENABLED.
    let env = env(Config { check_old_password: true, ..Config::default() }).await;
    let (session, _) = env.login().await;
    let old = Password::new(PASSWORD);
    let err = session.change_password(&old, &Password::new("Another-pass-99"), &Password::new("Another-pass-98")).await.unwrap_err();
    assert_eq!(err.fields().unwrap()["new_password2"], vec!["The two password fields didn\u{2019}t match."]);
    let err = session.change_password(&Password::new("wrong-old"), &Password::new("Another-pass-99"), &Password::new("Another-pass-99")).await.unwrap_err();
    assert!(err.fields().unwrap().contains_key("old_password"), "{err:?}");
    session.change_password(&old, &Password::new("Another-pass-99"), &Password::new("Another-pass-99")).await.unwrap();
    assert_eq!(env.client.login(USER, EMAIL, &old).await.unwrap_err(), Error::WrongCredentials);
    env.client.login(USER, EMAIL, &Password::new("Another-pass-99")).await.unwrap();
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn organisations_crud_and_activation() {
    let env = env(Config::default()).await;
    let (session, user) = env.login().await;
    let created = session.create_organisation(&acme()).await.unwrap();
    assert_eq!(created.name, "Acme Records");
    assert_eq!(created.currencies, vec!["USD", "EUR"]);
    assert_eq!(created.owner.as_ref().map(|o| o.id), Some(user.id));
    assert_eq!(created.image, None);

    let got = session.organisation(created.id).await.unwrap();
    assert_eq!(got, created);

    let contact = Contact { name: "Bo Ek".into(), email: Some("bo@example.com".into()), phone: Some("+46 70 123".into()), role: Some("Label manager".into()) };
    let patch = OrganisationPatch { name: Some("Acme Music".into()), currencies: Some(vec!["USD".into(), "MXN".into()]), contacts: Some(vec![contact.clone()]), ..Default::default() };
    let updated = session.update_organisation(created.id, &patch).await.unwrap();
    assert_eq!(updated.name, "Acme Music");
    assert_eq!(updated.base_currency, "USD");
    assert_eq!(updated.currencies, vec!["USD", "MXN"]);
    assert_eq!(updated.contacts, Some(vec![contact]));

    let message = session.make_active(created.id).await.unwrap();
    assert!(!message.is_empty());
    assert_eq!(session.organisation(created.id).await.unwrap().is_active, Some(true));

    assert_eq!(session.organisation(999_999).await.unwrap_err(), Error::NotFound);
    assert_eq!(session.make_active(999_999).await.unwrap_err(), Error::NotFound);
    assert_eq!(session.update_organisation(999_999, &patch).await.unwrap_err(), Error::NotFound);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn organisation_validation() {
    let env = env(Config::default()).await;
    let (session, _) = env.login().await;
    let err = session.create_organisation(&NewOrganisation::default()).await.unwrap_err();
    assert_eq!(err.code(), "validation");
    let fields = err.fields().unwrap();
    for f in ["name", "base_currency", "currencies"] {
        assert!(fields.contains_key(f), "{f} in {fields:?}");
    }
    let bad = NewOrganisation { currencies: vec!["USD".into(), "XXX".into()], ..acme() };
    let err = session.create_organisation(&bad).await.unwrap_err();
    assert!(err.fields().unwrap().keys().any(|k| k.starts_with("currencies")), "{err:?}");
    let bad_contact = NewOrganisation {
        contacts: Some(vec![Contact { name: "Ok".into(), ..Default::default() }, Contact { name: "X".into(), email: Some("nope".into()), ..Default::default() }]),
        ..acme()
    };
    let err = session.create_organisation(&bad_contact).await.unwrap_err();
    assert!(err.fields().unwrap().contains_key("contacts.1.email"), "{err:?}");
    // Nothing was created by the refused requests.
    assert_eq!(session.organisations_page(1).await.unwrap().count, 0);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn strict_mode() {
    let env = env(Config { strict: true, ..Config::default() }).await;
    let (session, _) = env.login().await;
    let o = session.create_organisation(&acme()).await.unwrap();
    assert_eq!(o.is_active, None);
    assert_eq!(o.contacts, None);
    session.make_active(o.id).await.unwrap();
    assert_eq!(session.list_all_organisations().await.unwrap().len(), 1);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn currencies_as_string() {
    let env = env(Config { currencies_as_string: true, ..Config::default() }).await;
    let (session, _) = env.login().await;
    let o = session.create_organisation(&acme()).await.unwrap();
    assert_eq!(o.currencies, vec!["USD", "EUR"]);
    let page = session.organisations_page(1).await.unwrap();
    assert_eq!(page.results[0].currencies, vec!["USD", "EUR"]);
    let o = session.update_organisation(o.id, &OrganisationPatch { currencies: Some(vec!["EUR".into()]), ..Default::default() }).await.unwrap();
    assert_eq!(o.currencies, vec!["EUR"]);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn list_all_many_pages() {
    let env = env(Config { page_size: 7, ..Config::default() }).await;
    env.sandbox.seed_orgs(USER, 200).unwrap();
    let (session, _) = env.login().await;
    let all = session.list_all_organisations().await.unwrap();
    assert_eq!(all.len(), 200);
    let mut expected = Vec::new();
    let mut page = 1;
    loop {
        let p = session.organisations_page(page).await.unwrap();
        expected.extend(p.results.iter().map(|o| o.id));
        if p.next.is_none() {
            break;
        }
        page += 1;
    }
    assert_eq!(all.iter().map(|o| o.id).collect::<Vec<_>>(), expected);
    let unique: std::collections::HashSet<i64> = expected.iter().copied().collect();
    assert_eq!(unique.len(), 200);
    // Empty account.
    let other = env.sandbox.add_user("bob", "bob@example.com", "bob-password-1").unwrap();
    let client = oas_api::Client::new(env.client.server().clone(), oas_api::ApiKey::new(other)).unwrap();
    let (bob, _) = client.login("bob", "bob@example.com", &Password::new("bob-password-1")).await.unwrap();
    assert!(bob.list_all_organisations().await.unwrap().is_empty());
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn login_throttled() {
    let env = env(Config { login_rate_per_min: Some(2), ..Config::default() }).await;
    let mut last = None;
    for _ in 0..4 {
        last = Some(env.client.login(USER, EMAIL, &Password::new(PASSWORD)).await);
    }
    let err = last.unwrap().unwrap_err();
    match &err {
        Error::Throttled { retry_after: Some(d) } => assert!(d.as_secs() >= 1 && d.as_secs() <= 60, "{d:?}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(err.code(), "throttled");
    assert!(err.to_string().contains("seconds"), "{err}");
    env.sandbox.shutdown().await;
}
