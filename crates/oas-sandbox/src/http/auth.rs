//! dj-rest-auth's views (login, logout, user details, password change) and simplejwt's token
//! views (refresh, verify).

use std::time::Duration;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde::Serialize;
use serde_json::{json, Value};

use super::fields::Field;
use super::pipeline::Ctx;
use super::responses::{
    add_error, auth_failed, bad_request, detail, invalid_token, json_response, non_field_error,
    server_error, Errors,
};
use super::{db, App, AppState, Reply};
use crate::jwt::{self, Claims, TokenError};
use crate::{passwords, secrets};
use crate::store::UserRow;

#[derive(Serialize)]
pub(super) struct UserOut {
    id: i64,
    last_login: Option<String>,
    is_superuser: bool,
    username: String,
    email: String,
    is_staff: bool,
    is_active: bool,
}

impl From<&UserRow> for UserOut {
    fn from(u: &UserRow) -> Self {
        UserOut {
            id: u.id,
            last_login: u.last_login.clone(),
            is_superuser: u.is_superuser,
            username: u.username.clone(),
            email: u.email.clone(),
            is_staff: u.is_staff,
            is_active: u.is_active,
        }
    }
}

struct Issued {
    token: String,
    /// dj-rest-auth's `*_expiration`: now + lifetime, with microseconds.
    expiration: String,
}

fn issue(app: &App, token_type: &str, user_id: i64, ttl: Duration) -> Issued {
    let now = app.store.clock().now_utc();
    let exp = now.timestamp() + ttl.as_secs() as i64;
    let claims = Claims {
        token_type: token_type.to_string(),
        exp,
        iat: now.timestamp(),
        jti: secrets::random_hex(16),
        user_id: Value::String(user_id.to_string()),
    };
    let expiration = crate::util::drf_datetime(
        now + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::zero()),
    );
    Issued { token: jwt::encode(&app.secret, &claims), expiration }
}

/// A refresh token as `RefreshToken(raw)` sees it: signature, expiry, type, then the blacklist.
async fn check_refresh(app: &AppState, raw: &str) -> Result<Result<Claims, TokenError>, Response> {
    let claims = match jwt::decode(&app.secret, raw, Some("refresh"), app.store.clock().unix()) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let jti = claims.jti.clone();
    if db(app, move |s| s.is_blacklisted(&jti)).await? {
        return Ok(Err(TokenError::Blacklisted));
    }
    Ok(Ok(claims))
}


/// Runs a password hash check on the blocking pool (argon2 is slow on purpose).
async fn password_matches(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || secrets::verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

// ---------------------------------------------------------------- login

/// dj-rest-auth's `JWTSerializerWithExpiration`, or with `--strict` its `JWTSerializer`
/// (`JWT_AUTH_RETURN_EXPIRATION` off, as the published quick start shows).
#[derive(Serialize)]
struct LoginOut {
    access: String,
    refresh: String,
    user: UserOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    access_expiration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_expiration: Option<String>,
}

pub(super) async fn login(app: &AppState, ctx: &Ctx) -> Reply {
    ctx.initial(app).await?;
    let data = ctx.object().await?;
    let mut errors = Errors::new();
    let username = Field::new("username").optional().allow_blank().char(&data, &mut errors);
    let email = Field::new("email").optional().email(&data, &mut errors);
    let password = Field::new("password").char(&data, &mut errors);
    if !errors.is_empty() {
        return Err(bad_request(errors));
    }
    let password = password.unwrap_or_default();
    // dj-rest-auth `get_auth_user_using_orm`: the e-mail, when it matches, decides the username.
    let mut username = username.unwrap_or_default();
    let email = email.unwrap_or_default();
    if !email.is_empty() {
        if let Some(u) = db(app, move |s| s.user_by_email_iexact(&email)).await? {
            username = u.username;
        }
    }
    let user = if username.is_empty() {
        None
    } else {
        db(app, move |s| s.user_by_username(&username)).await?
    };
    let refused = || non_field_error("Unable to log in with provided credentials.");
    let Some(mut user) = user else {
        return Err(refused());
    };
    // Django's ModelBackend refuses inactive users the same way as a wrong password.
    if !password_matches(password, user.password_hash.clone()).await || !user.is_active {
        return Err(refused());
    }
    let id = user.id;
    user.last_login = Some(db(app, move |s| s.touch_last_login(id)).await?);
    let refresh = issue(app, "refresh", user.id, app.cfg.refresh_ttl);
    let access = issue(app, "access", user.id, app.cfg.access_ttl);
    let expirations = !app.cfg.strict;
    Ok(json_response(
        StatusCode::OK,
        &LoginOut {
            access: access.token,
            refresh: refresh.token,
            user: UserOut::from(&user),
            access_expiration: expirations.then_some(access.expiration),
            refresh_expiration: expirations.then_some(refresh.expiration),
        },
    ))
}

// ---------------------------------------------------------------- logout

pub(super) async fn logout(app: &AppState, ctx: &Ctx) -> Reply {
    ctx.initial(app).await?;
    let data = ctx.data().await?;
    // dj-rest-auth: `RefreshToken(request.data['refresh'])`, then `blacklist()`.
    let raw = match data.get("refresh") {
        None => {
            return Ok(detail(
                StatusCode::UNAUTHORIZED,
                "Refresh token was not included in request data.",
            ))
        }
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(list)) if list.iter().all(|x| x.is_string()) && !list.is_empty() => {
            list.last().and_then(|x| x.as_str()).unwrap_or("").to_string()
        }
        // TypeError in simplejwt.
        Some(_) => return Ok(detail(StatusCode::INTERNAL_SERVER_ERROR, "An error has occurred.")),
    };
    Ok(match check_refresh(app, &raw).await? {
        Ok(claims) => {
            let (jti, exp) = (claims.jti, claims.exp);
            db(app, move |s| s.blacklist(&jti, exp)).await?;
            detail(StatusCode::OK, "Successfully logged out.")
        }
        Err(TokenError::Blacklisted) => detail(StatusCode::UNAUTHORIZED, "Token is blacklisted"),
        // dj-rest-auth only recognises "Token is blacklisted" and simplejwt's old
        // "Token is invalid or expired"; today's messages fall through to its generic 500.
        Err(_) => detail(StatusCode::INTERNAL_SERVER_ERROR, "An error has occurred."),
    })
}

// ---------------------------------------------------------------- token refresh / verify

#[derive(Serialize)]
struct RefreshOut {
    access: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh: Option<String>,
    access_expiration: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_expiration: Option<String>,
}

pub(super) async fn token_refresh(app: &AppState, ctx: &Ctx) -> Reply {
    ctx.initial(app).await?;
    let data = ctx.object().await?;
    let mut errors = Errors::new();
    let raw = Field::new("refresh").char(&data, &mut errors);
    if !errors.is_empty() {
        return Err(bad_request(errors));
    }
    let claims = check_refresh(app, &raw.unwrap_or_default()).await?.map_err(invalid_token)?;
    let user_id = claims.user_id().ok_or_else(|| invalid_token(TokenError::Invalid))?;
    match db(app, move |s| s.user_by_id(user_id)).await? {
        Some(u) if u.is_active => {}
        _ => {
            return Err(auth_failed(
                "No active account found for the given token.",
                "no_active_account",
            ))
        }
    }
    let access = issue(app, "access", user_id, app.cfg.access_ttl);
    let mut out = RefreshOut {
        access: access.token,
        refresh: None,
        access_expiration: access.expiration,
        refresh_expiration: None,
    };
    if app.cfg.rotate_refresh {
        // ROTATE_REFRESH_TOKENS + BLACKLIST_AFTER_ROTATION: the old one stops working.
        let (jti, exp) = (claims.jti, claims.exp);
        db(app, move |s| s.blacklist(&jti, exp)).await?;
        let refresh = issue(app, "refresh", user_id, app.cfg.refresh_ttl);
        out.refresh = Some(refresh.token);
        out.refresh_expiration = Some(refresh.expiration);
    }
    Ok(json_response(StatusCode::OK, &out))
}

pub(super) async fn token_verify(app: &AppState, ctx: &Ctx) -> Reply {
    ctx.initial(app).await?;
    let data = ctx.object().await?;
    let mut errors = Errors::new();
    let raw = Field::new("token").char(&data, &mut errors);
    if !errors.is_empty() {
        return Err(bad_request(errors));
    }
    let claims = jwt::decode(&app.secret, &raw.unwrap_or_default(), None, app.store.clock().unix())
        .map_err(invalid_token)?;
    // simplejwt checks the blacklist here only with BLACKLIST_AFTER_ROTATION, as a
    // validation error.
    let jti = claims.jti;
    if app.cfg.rotate_refresh && db(app, move |s| s.is_blacklisted(&jti)).await? {
        return Err(non_field_error("Token is blacklisted"));
    }
    Ok(json_response(StatusCode::OK, &json!({})))
}

// ---------------------------------------------------------------- user details

fn valid_username(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || "@.+-_".contains(c))
}

pub(super) async fn user_details(app: &AppState, ctx: &Ctx) -> Reply {
    let user = ctx.user(app).await?;
    if ctx.is(&Method::GET) {
        return Ok(json_response(StatusCode::OK, &UserOut::from(&user)));
    }
    let partial = ctx.method == Method::PATCH;
    let data = ctx.object().await?;
    let mut errors = Errors::new();
    let username = Field::new("username").required(!partial).max_length(150).char(&data, &mut errors);
    if let Some(u) = &username {
        if !valid_username(u) {
            add_error(
                &mut errors,
                "username",
                "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.",
            );
        } else {
            let (u, id) = (u.clone(), user.id);
            if db(app, move |s| s.username_taken_by_other(&u, id)).await? {
                add_error(&mut errors, "username", "A user with that username already exists.");
            }
        }
    }
    let email = Field::new("email").optional().email(&data, &mut errors);
    if !errors.is_empty() {
        return Err(bad_request(errors));
    }
    let id = user.id;
    let updated = db(app, move |s| {
        s.update_user(id, username.as_deref(), email.as_deref())?;
        s.user_by_id(id)
    })
    .await?;
    match updated {
        Some(u) => Ok(json_response(StatusCode::OK, &UserOut::from(&u))),
        None => Err(server_error()),
    }
}

// ---------------------------------------------------------------- password change

/// dj-rest-auth's `PasswordChangeSerializer` with Django's `SetPasswordForm`.
pub(super) async fn password_change(app: &AppState, ctx: &Ctx) -> Reply {
    let user = ctx.user(app).await?;
    let data = ctx.object().await?;
    let mut errors = Errors::new();
    // OLD_PASSWORD_FIELD_ENABLED: without it the field does not exist (whatever is sent is
    // ignored); with it the field is required and checked with the others.
    if app.cfg.check_old_password {
        if let Some(old) = Field::new("old_password").max_length(128).char(&data, &mut errors) {
            if !password_matches(old, user.password_hash.clone()).await {
                add_error(
                    &mut errors,
                    "old_password",
                    "Your old password was entered incorrectly. Please enter it again.",
                );
            }
        }
    }
    let p1 = Field::new("new_password1").max_length(128).char(&data, &mut errors);
    let p2 = Field::new("new_password2").max_length(128).char(&data, &mut errors);
    if !errors.is_empty() {
        return Err(bad_request(errors));
    }
    let (p1, p2) = (p1.unwrap_or_default(), p2.unwrap_or_default());
    if p1 != p2 {
        add_error(&mut errors, "new_password2", "The two password fields didn\u{2019}t match.");
        return Err(bad_request(errors));
    }
    for problem in passwords::problems(&p2, &user.username, &user.email) {
        add_error(&mut errors, "new_password2", problem);
    }
    if !errors.is_empty() {
        return Err(bad_request(errors));
    }
    let id = user.id;
    let hash = match tokio::task::spawn_blocking(move || secrets::hash_password(&p2)).await {
        Ok(Ok(h)) => h,
        _ => return Err(server_error()),
    };
    // LOGOUT_ON_PASSWORD_CHANGE is off: the session's tokens stay valid.
    db(app, move |s| s.set_password_hash(id, &hash)).await?;
    Ok(detail(StatusCode::OK, "New password has been saved."))
}
