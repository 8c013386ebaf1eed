//! `/api/auth/*`: login, token refresh/verify, logout, user, password change, register.

mod common;

use std::time::Duration;

use common::*;
use oas_sandbox::{Clock, Config};
use reqwest::Method;
use serde_json::json;

fn invalid_access_body(message: &str) -> serde_json::Value {
    json!({
        "detail": "Given token not valid for any token type",
        "code": "token_not_valid",
        "messages": [{"token_class": "AccessToken", "token_type": "access", "message": message}]
    })
}

#[tokio::test]
async fn login_success_json() {
    let e = env().await;
    let a = e
        .post("/api/auth/login/", json!({"username": USER, "email": EMAIL, "password": PASSWORD}))
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.header("content-type").as_deref(), Some("application/json"));
    let body = a.json();
    let mut keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["access", "access_expiration", "refresh", "refresh_expiration", "user"]);
    assert_user_object(&body["user"], USER, EMAIL);
    assert!(is_drf_datetime(body["user"]["last_login"].as_str().unwrap()));
    assert!(is_drf_datetime(body["access_expiration"].as_str().unwrap()));
    assert!(is_drf_datetime(body["refresh_expiration"].as_str().unwrap()));
    assert_eq!(body["access"].as_str().unwrap().split('.').count(), 3);
    // Key order of a DRF answer.
    assert!(a.text.starts_with("{\"access\":"));
    e.sb.shutdown().await;
}

#[tokio::test]
async fn strict_login_answers_as_the_quick_start_shows() {
    let e = env_with(Config { strict: true, ..Config::default() }).await;
    let a = e
        .post("/api/auth/login/", json!({"username": USER, "email": "", "password": PASSWORD}))
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let body = a.json();
    let keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["access", "refresh", "user"], "{}", a.text);
    assert!(a.text.starts_with("{\"access\":"), "DRF's key order: {}", a.text);
    assert_user_object(&body["user"], USER, EMAIL);
    // The refresh view is dj-rest-auth's, which adds `access_expiration` in every mode.
    let out = e.post("/api/auth/token/refresh/", json!({"refresh": body["refresh"]})).await.json();
    assert!(is_drf_datetime(out["access_expiration"].as_str().unwrap()), "{out}");
    e.sb.shutdown().await;
}

#[tokio::test]
async fn jwt_claims_are_simplejwt_shaped() {
    use base64::Engine;
    let e = env().await;
    let body = e.login().await;
    for (field, kind) in [("access", "access"), ("refresh", "refresh")] {
        let token = body[field].as_str().unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header: serde_json::Value = serde_json::from_slice(&b64.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header, json!({"alg": "HS256", "typ": "JWT"}));
        let claims: serde_json::Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["token_type"], kind);
        for c in ["exp", "iat"] {
            assert!(claims[c].is_i64(), "{c}");
        }
        assert!(claims["jti"].as_str().unwrap().len() >= 32);
        assert_eq!(claims["user_id"].as_str().unwrap().parse::<i64>().unwrap(), body["user"]["id"].as_i64().unwrap());
    }
    e.sb.shutdown().await;
}

#[tokio::test]
async fn login_form_encoded_and_by_email() {
    let e = env().await;
    let resp = e
        .http
        .post(e.url("/api/auth/login/"))
        .form(&[("username", USER), ("email", ""), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // Username blank: the e-mail (any case) finds the user.
    let a = e
        .post("/api/auth/login/", json!({"username": "", "email": "ALICE@example.com", "password": PASSWORD}))
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json()["user"]["username"], USER);
    // Username only, e-mail absent.
    let a = e.post("/api/auth/login/", json!({"username": USER, "password": PASSWORD})).await;
    assert_eq!(a.status, 200, "{}", a.text);
    e.sb.shutdown().await;
}

#[tokio::test]
async fn login_failures_exact_bodies() {
    let e = env().await;
    let bad = json!({"non_field_errors": ["Unable to log in with provided credentials."]});
    e.post("/api/auth/login/", json!({"username": USER, "email": "", "password": "nope-nope"}))
        .await
        .expect(400, bad.clone());
    e.post("/api/auth/login/", json!({"username": "nobody", "email": "", "password": PASSWORD}))
        .await
        .expect(400, bad.clone());
    e.post("/api/auth/login/", json!({"username": "", "email": "", "password": PASSWORD}))
        .await
        .expect(400, bad.clone());
    e.post("/api/auth/login/", json!({"username": USER, "email": ""}))
        .await
        .expect(400, json!({"password": ["This field is required."]}));
    e.post("/api/auth/login/", json!({"username": USER, "email": "", "password": ""}))
        .await
        .expect(400, json!({"password": ["This field may not be blank."]}));
    e.post("/api/auth/login/", json!({"username": USER, "email": "not-an-email", "password": PASSWORD}))
        .await
        .expect(400, json!({"email": ["Enter a valid email address."]}));
    e.post("/api/auth/login/", json!([1, 2]))
        .await
        .expect(400, json!({"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}));
    e.sb.shutdown().await;
}

#[tokio::test]
async fn malformed_json_body() {
    let e = env().await;
    let resp = e
        .http
        .post(e.url("/api/auth/login/"))
        .header("content-type", "application/json")
        .body("{\"username\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.starts_with("JSON parse error - "), "{detail}");
    assert_eq!(body.as_object().unwrap().len(), 1);
    e.sb.shutdown().await;
}

#[tokio::test]
async fn stale_authorization_on_login_is_rejected() {
    let e = env_with(Config { access_ttl: Duration::ZERO, ..Config::default() }).await;
    let stale = e.access().await; // expires at once
    let a = e
        .send(
            Method::POST,
            "/api/auth/login/",
            Some(&stale),
            None,
            Some(json!({"username": USER, "email": "", "password": PASSWORD})),
        )
        .await;
    a.expect(401, invalid_access_body("Token is expired"));
    assert_eq!(a.header("www-authenticate").as_deref(), Some("Bearer realm=\"api\""));
    let a = e
        .send(
            Method::POST,
            "/api/auth/login/",
            Some("garbage"),
            None,
            Some(json!({"username": USER, "email": "", "password": PASSWORD})),
        )
        .await;
    a.expect(401, invalid_access_body("Token is invalid"));
    e.sb.shutdown().await;
}

#[tokio::test]
async fn wrong_methods_are_405() {
    let e = env().await;
    let a = e.send(Method::GET, "/api/auth/login/", None, None, None).await;
    a.expect(405, json!({"detail": "Method \"GET\" not allowed."}));
    assert_eq!(a.header("allow").as_deref(), Some("POST, OPTIONS"));
    let token = e.access().await;
    e.send(Method::DELETE, "/api/auth/user/", Some(&token), None, None)
        .await
        .expect(405, json!({"detail": "Method \"DELETE\" not allowed."}));
    e.send(Method::GET, "/api/auth/token/refresh/", None, None, None)
        .await
        .expect(405, json!({"detail": "Method \"GET\" not allowed."}));
    e.sb.shutdown().await;
}

#[tokio::test]
async fn refresh_success_and_errors() {
    let e = env().await;
    let body = e.login().await;
    let refresh = body["refresh"].as_str().unwrap();
    let a = e.post("/api/auth/token/refresh/", json!({"refresh": refresh})).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let out = a.json();
    assert!(out["access"].is_string());
    assert!(is_drf_datetime(out["access_expiration"].as_str().unwrap()));
    assert!(out.get("refresh").is_none(), "no rotation by default");
    // The new access token works.
    let u = e.send(Method::GET, "/api/auth/user/", out["access"].as_str(), None, None).await;
    assert_eq!(u.status, 200);

    let a = e.post("/api/auth/token/refresh/", json!({"refresh": "not-a-token"})).await;
    a.expect(401, json!({"detail": "Token is invalid", "code": "token_not_valid"}));
    assert_eq!(a.header("www-authenticate").as_deref(), Some("Bearer realm=\"api\""));
    e.post("/api/auth/token/refresh/", json!({"refresh": body["access"]}))
        .await
        .expect(401, json!({"detail": "Token has wrong type", "code": "token_not_valid"}));
    e.post("/api/auth/token/refresh/", json!({}))
        .await
        .expect(400, json!({"refresh": ["This field is required."]}));
    e.post("/api/auth/token/refresh/", json!({"refresh": ""}))
        .await
        .expect(400, json!({"refresh": ["This field may not be blank."]}));
    e.sb.shutdown().await;
}

#[tokio::test]
async fn refresh_expired() {
    let e = env_with(Config { refresh_ttl: Duration::ZERO, ..Config::default() }).await;
    let body = e.login().await;
    e.post("/api/auth/token/refresh/", json!({"refresh": body["refresh"]}))
        .await
        .expect(401, json!({"detail": "Token is expired", "code": "token_not_valid"}));
    e.sb.shutdown().await;
}

#[tokio::test]
async fn refresh_rotation_replaces_the_old_token() {
    let e = env_with(Config { rotate_refresh: true, ..Config::default() }).await;
    let body = e.login().await;
    let old = body["refresh"].as_str().unwrap().to_string();
    let a = e.post("/api/auth/token/refresh/", json!({"refresh": old})).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let out = a.json();
    let new = out["refresh"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert!(is_drf_datetime(out["refresh_expiration"].as_str().unwrap()));
    e.post("/api/auth/token/refresh/", json!({"refresh": old}))
        .await
        .expect(401, json!({"detail": "Token is blacklisted", "code": "token_not_valid"}));
    let a = e.post("/api/auth/token/refresh/", json!({"refresh": new})).await;
    assert_eq!(a.status, 200, "{}", a.text);
    e.sb.shutdown().await;
}

#[tokio::test]
async fn verify() {
    let e = env().await;
    let body = e.login().await;
    e.post("/api/auth/token/verify/", json!({"token": body["access"]})).await.expect(200, json!({}));
    e.post("/api/auth/token/verify/", json!({"token": body["refresh"]})).await.expect(200, json!({}));
    e.post("/api/auth/token/verify/", json!({"token": "x.y.z"}))
        .await
        .expect(401, json!({"detail": "Token is invalid", "code": "token_not_valid"}));
    e.post("/api/auth/token/verify/", json!({}))
        .await
        .expect(400, json!({"token": ["This field is required."]}));
    e.sb.shutdown().await;
}

#[tokio::test]
async fn logout_blacklists_the_refresh_token() {
    let e = env().await;
    let body = e.login().await;
    let refresh = body["refresh"].clone();
    e.send(
        Method::POST,
        "/api/auth/logout/",
        body["access"].as_str(),
        None,
        Some(json!({"refresh": refresh})),
    )
    .await
    .expect(200, json!({"detail": "Successfully logged out."}));
    e.post("/api/auth/token/refresh/", json!({"refresh": refresh}))
        .await
        .expect(401, json!({"detail": "Token is blacklisted", "code": "token_not_valid"}));
    e.post("/api/auth/logout/", json!({"refresh": refresh}))
        .await
        .expect(401, json!({"detail": "Token is blacklisted"}));
    e.post("/api/auth/logout/", json!({}))
        .await
        .expect(401, json!({"detail": "Refresh token was not included in request data."}));
    e.sb.shutdown().await;
}

#[tokio::test]
async fn user_get_and_auth_errors() {
    let e = env().await;
    let token = e.access().await;
    let a = e.send(Method::GET, "/api/auth/user/", Some(&token), None, None).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_user_object(&a.json(), USER, EMAIL);
    // No X-Api-Key needed on auth routes; none given here.
    let a = e.send(Method::GET, "/api/auth/user/", None, None, None).await;
    a.expect(401, json!({"detail": "Authentication credentials were not provided."}));
    assert_eq!(a.header("www-authenticate").as_deref(), Some("Bearer realm=\"api\""));
    let a = e.send(Method::GET, "/api/auth/user/", Some("abc.def.ghi"), None, None).await;
    a.expect(401, invalid_access_body("Token is invalid"));
    // A refresh token is not an access token.
    let refresh = e.login().await["refresh"].as_str().unwrap().to_string();
    e.send(Method::GET, "/api/auth/user/", Some(&refresh), None, None)
        .await
        .expect(401, invalid_access_body("Token has wrong type"));
    e.sb.shutdown().await;
}

#[tokio::test]
async fn expired_access_token() {
    let e = env_with(Config { clock: Clock::manual(), ..Config::default() }).await;
    let token = e.access().await;
    e.sb.advance_clock(Duration::from_secs(299));
    let a = e.send(Method::GET, "/api/auth/user/", Some(&token), None, None).await;
    assert_eq!(a.status, 200, "valid until its 300 seconds are up: {}", a.text);
    e.sb.advance_clock(Duration::from_secs(1));
    let a = e.send(Method::GET, "/api/auth/user/", Some(&token), None, None).await;
    a.expect(401, invalid_access_body("Token is expired"));
    assert_eq!(a.header("www-authenticate").as_deref(), Some("Bearer realm=\"api\""));
    assert_eq!(
        a.text,
        r#"{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[{"token_class":"AccessToken","token_type":"access","message":"Token is expired"}]}"#
    );
    e.sb.shutdown().await;
}

#[tokio::test]
async fn user_put_patch_read_only_fields_ignored() {
    let e = env().await;
    let token = e.access().await;
    let a = e
        .send(
            Method::PATCH,
            "/api/auth/user/",
            Some(&token),
            None,
            Some(json!({"email": "new@example.com", "id": 999, "is_superuser": true, "is_staff": true})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let u = a.json();
    assert_user_object(&u, USER, "new@example.com");
    assert_ne!(u["id"], 999);
    e.send(Method::PUT, "/api/auth/user/", Some(&token), None, Some(json!({"email": "x@example.com"})))
        .await
        .expect(400, json!({"username": ["This field is required."]}));
    let a = e
        .send(Method::PUT, "/api/auth/user/", Some(&token), None, Some(json!({"username": "alice2", "email": "a2@example.com"})))
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_user_object(&a.json(), "alice2", "a2@example.com");
    e.sb.add_user("bob", "bob@example.com", "builder-123").unwrap();
    e.send(Method::PATCH, "/api/auth/user/", Some(&token), None, Some(json!({"username": "bob"})))
        .await
        .expect(400, json!({"username": ["A user with that username already exists."]}));
    e.send(Method::PATCH, "/api/auth/user/", Some(&token), None, Some(json!({"email": "nope"})))
        .await
        .expect(400, json!({"email": ["Enter a valid email address."]}));
    e.sb.shutdown().await;
}

#[tokio::test]
async fn password_change() {
    let e = env().await;
    let token = e.access().await;
    let path = "/api/auth/password/change/";
    let a = e
        .send(
            Method::POST,
            path,
            Some(&token),
            None,
            Some(json!({"old_password": PASSWORD, "new_password1": "first-choice-9", "new_password2": "other-choice-9"})),
        )
        .await;
    a.expect(400, json!({"new_password2": ["The two password fields didn\u{2019}t match."]}));
    assert!(a.text.contains('\u{2019}'));
    e.send(Method::POST, path, Some(&token), None, Some(json!({})))
        .await
        .expect(400, json!({"new_password1": ["This field is required."], "new_password2": ["This field is required."]}));
    // Without OLD_PASSWORD_FIELD_ENABLED the old password is not looked at (see account.rs).
    e.send(
        Method::POST,
        path,
        Some(&token),
        None,
        Some(json!({"old_password": "wrong-one-1", "new_password1": "brand-new-77", "new_password2": "brand-new-77"})),
    )
    .await
    .expect(200, json!({"detail": "New password has been saved."}));
    e.post("/api/auth/login/", json!({"username": USER, "email": "", "password": PASSWORD}))
        .await
        .expect(400, json!({"non_field_errors": ["Unable to log in with provided credentials."]}));
    e.login_as(USER, "brand-new-77").await;
    e.sb.shutdown().await;
}

#[tokio::test]
async fn register_is_unavailable_and_unknown_paths_are_html() {
    let e = env().await;
    let a = e
        .post("/api/auth/register/", json!({"username": "x", "password1": "y", "password2": "y"}))
        .await;
    assert_eq!(a.status, 404);
    assert!(a.header("content-type").unwrap().starts_with("text/html"));
    let a = e.send(Method::GET, "/some/page", None, None, None).await;
    assert_eq!(a.status, 404);
    assert!(a.header("content-type").unwrap().starts_with("text/html"));
    assert!(a.text.contains("<h1>Not Found</h1>"));
    // APPEND_SLASH: a known route without its slash redirects.
    let a = e.send(Method::GET, "/api/organisations", None, None, None).await;
    assert_eq!(a.status, 301);
    assert_eq!(a.header("location").as_deref(), Some("/api/organisations/"));
    e.sb.shutdown().await;
}

#[tokio::test]
async fn login_throttle() {
    let e = env_with(Config { login_rate_per_min: Some(2), ..Config::default() }).await;
    e.login().await;
    e.login().await;
    let a = e
        .post("/api/auth/login/", json!({"username": USER, "email": "", "password": PASSWORD}))
        .await;
    assert_eq!(a.status, 429, "{}", a.text);
    let wait: u64 = a.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
    let unit = if wait == 1 { "second" } else { "seconds" };
    a.expect(
        429,
        json!({"detail": format!("Request was throttled. Expected available in {wait} {unit}.")}),
    );
    e.sb.shutdown().await;
}

#[tokio::test]
async fn logout_with_stale_authorization_is_refused_without_it_succeeds() {
    let e = env_with(Config { access_ttl: Duration::ZERO, ..Config::default() }).await;
    let body = e.login().await;
    let a = e
        .send(
            Method::POST,
            "/api/auth/logout/",
            body["access"].as_str(),
            None,
            Some(json!({"refresh": body["refresh"]})),
        )
        .await;
    a.expect(401, invalid_access_body("Token is expired"));
    e.post("/api/auth/logout/", json!({"refresh": body["refresh"]}))
        .await
        .expect(200, json!({"detail": "Successfully logged out."}));
    e.sb.shutdown().await;
}

#[tokio::test]
async fn options_head_and_unsupported_media_type() {
    let e = env().await;
    let a = e.send(Method::OPTIONS, "/api/auth/login/", None, None, None).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json()["name"], "Login");
    assert_eq!(a.header("allow").as_deref(), Some("POST, OPTIONS"));
    let token = e.access().await;
    let a = e.send(Method::HEAD, "/api/auth/user/", Some(&token), None, None).await;
    assert_eq!(a.status, 200);
    assert!(a.text.is_empty());
    let resp = e
        .http
        .post(e.url("/api/auth/login/"))
        .header("content-type", "text/plain")
        .body("username=alice")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body, json!({"detail": "Unsupported media type \"text/plain\" in request."}));
    e.sb.shutdown().await;
}

#[tokio::test]
async fn login_multipart_form() {
    let e = env().await;
    let body = format!(
        "--XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\n{USER}\r\n\
         --XyZ\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\n\r\n\
         --XyZ\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n{PASSWORD}\r\n--XyZ--\r\n"
    );
    let resp = e
        .http
        .post(e.url("/api/auth/login/"))
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    e.sb.shutdown().await;
}
