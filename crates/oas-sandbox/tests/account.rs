//! Account settings as dj-rest-auth answers them: `user/` and `password/change/`
//! (docs/api-contract.md, "Signing in and staying signed in").

mod common;

use common::*;
use oas_sandbox::Config;
use reqwest::Method;
use serde_json::{json, Value};

const USER_PATH: &str = "/api/auth/user/";
const CHANGE: &str = "/api/auth/password/change/";


async fn change(e: &Env, token: &str, body: Value) -> Answer {
    e.send(Method::POST, CHANGE, Some(token), None, Some(body)).await
}

fn new_pair(p: &str) -> Value {
    json!({"old_password": PASSWORD, "new_password1": p, "new_password2": p})
}

#[tokio::test]
async fn the_password_validators_answer_together_under_new_password2() {
    let e = env().await;
    let token = e.access().await;
    change(&e, &token, new_pair("alice")).await.expect(
        400,
        json!({"new_password2": [
            "The password is too similar to the username.",
            "This password is too short. It must contain at least 8 characters.",
            "This password is too common."
        ]}),
    );
    change(&e, &token, new_pair("alice-example")).await.expect(
        400,
        json!({"new_password2": ["The password is too similar to the email address."]}),
    );
    change(&e, &token, new_pair("12345678")).await.expect(
        400,
        json!({"new_password2": ["This password is too common.", "This password is entirely numeric."]}),
    );
    change(&e, &token, new_pair("4071")).await.expect(
        400,
        json!({"new_password2": [
            "This password is too short. It must contain at least 8 characters.",
            "This password is entirely numeric."
        ]}),
    );
    change(&e, &token, new_pair("  Sunshine  ")).await.expect(
        400,
        json!({"new_password2": ["This password is too common."]}),
    );
    // A mismatch is reported alone (the validators do not run).
    let a = change(&e, &token, json!({"new_password1": "alice", "new_password2": "alice2"})).await;
    a.expect(400, json!({"new_password2": ["The two password fields didn\u{2019}t match."]}));
    e.sb.shutdown().await;
}

#[tokio::test]
async fn tokens_stay_valid_after_a_change() {
    let e = env().await;
    let body = e.login().await;
    let access = body["access"].as_str().unwrap();
    change(&e, access, new_pair("lantern-orbit-92"))
        .await
        .expect(200, json!({"detail": "New password has been saved."}));
    let a = e.send(Method::GET, USER_PATH, Some(access), None, None).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let a = e.post("/api/auth/token/refresh/", json!({"refresh": body["refresh"]})).await;
    assert_eq!(a.status, 200, "{}", a.text);
    e.login_as(USER, "lantern-orbit-92").await;
    e.sb.shutdown().await;
}

#[tokio::test]
async fn old_password_is_ignored_unless_the_server_checks_it() {
    let e = env().await;
    let token = e.access().await;
    change(&e, &token, json!({"old_password": 17, "new_password1": "lantern-orbit-92", "new_password2": "lantern-orbit-92"}))
        .await
        .expect(200, json!({"detail": "New password has been saved."}));
    e.sb.shutdown().await;

    let e = env_with(Config { check_old_password: true, ..Config::default() }).await;
    let token = e.access().await;
    let wrong = json!({"old_password": "wrong-one-1", "new_password1": "lantern-orbit-92", "new_password2": "lantern-orbit-92"});
    change(&e, &token, wrong).await.expect(
        400,
        json!({"old_password": ["Your old password was entered incorrectly. Please enter it again."]}),
    );
    // Checked with the other fields, before the passwords are compared.
    change(&e, &token, json!({"old_password": "wrong-one-1", "new_password1": "lantern-orbit-92"}))
        .await
        .expect(
            400,
            json!({
                "old_password": ["Your old password was entered incorrectly. Please enter it again."],
                "new_password2": ["This field is required."]
            }),
        );
    change(&e, &token, json!({"new_password1": "lantern-orbit-92", "new_password2": "lantern-orbit-92"}))
        .await
        .expect(400, json!({"old_password": ["This field is required."]}));
    change(&e, &token, json!({"old_password": "", "new_password1": "lantern-orbit-92", "new_password2": "lantern-orbit-92"}))
        .await
        .expect(400, json!({"old_password": ["This field may not be blank."]}));
    change(&e, &token, new_pair("lantern-orbit-92"))
        .await
        .expect(200, json!({"detail": "New password has been saved."}));
    e.login_as(USER, "lantern-orbit-92").await;
    e.sb.shutdown().await;
}

#[tokio::test]
async fn user_details_follow_djangos_username_rules() {
    let e = env().await;
    let token = e.access().await;
    let patch = |body: Value| {
        let (e, token) = (&e, token.clone());
        async move { e.send(Method::PATCH, USER_PATH, Some(&token), None, Some(body)).await }
    };
    let invalid = "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.";
    patch(json!({"username": "alice smith"})).await.expect(400, json!({"username": [invalid]}));
    patch(json!({"username": "alice!"})).await.expect(400, json!({"username": [invalid]}));
    patch(json!({"username": ""})).await.expect(400, json!({"username": ["This field may not be blank."]}));
    patch(json!({"username": "a".repeat(151)}))
        .await
        .expect(400, json!({"username": ["Ensure this field has no more than 150 characters."]}));
    e.sb.add_user("bob", "bob@example.com", "builder-123").unwrap();
    patch(json!({"username": "bob", "email": "not-an-address"})).await.expect(
        400,
        json!({"username": ["A user with that username already exists."], "email": ["Enter a valid email address."]}),
    );
    // Letters of any script, digits and @.+-_ are allowed; read-only fields are ignored.
    let a = patch(json!({"username": "Zoë.o'", "id": 7})).await;
    a.expect(400, json!({"username": [invalid]}));
    let a = patch(json!({"username": "Zoë.o+1@x_y-z", "is_active": false, "last_login": null})).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_user_object(&a.json(), "Zoë.o+1@x_y-z", EMAIL);
    // Unchanged username of one's own is not "taken".
    let a = patch(json!({"username": "Zoë.o+1@x_y-z", "email": ""})).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json()["email"], "");
    let a = e.send(Method::GET, USER_PATH, Some(&token), None, None).await;
    assert_user_object(&a.json(), "Zoë.o+1@x_y-z", "");
    e.sb.shutdown().await;
}
