//! The top layer: a client of one server with one API key, and the two ways to a [`Session`]:
//! signing in ([`Client::login`]) and resuming from a saved refresh token ([`Client::resume`]).

use std::fmt;

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use crate::address::ServerUrl;
use crate::error::{Error, Route};
use crate::model::User;
use crate::secret::{AccessToken, ApiKey, Password, RefreshToken};
use crate::session::{refresh_tokens, verify_token, Session};
use crate::transport::{expect_json, Auth, Options, Transport};

/// A client of one OAS server with one API key. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    transport: Transport,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("server", self.server()).field("api_key", &self.api_key()).finish()
    }
}

#[derive(Deserialize)]
struct LoginAnswer {
    #[serde(alias = "access_token")]
    access: String,
    #[serde(alias = "refresh_token", default)]
    refresh: String,
    /// Always there with dj-rest-auth; fetched from `auth/user/` if a server leaves it out.
    #[serde(default)]
    user: Option<User>,
}

impl Client {
    pub fn new(server: ServerUrl, api_key: ApiKey) -> Result<Client, Error> {
        Client::with_options(server, api_key, Options::default())
    }

    pub fn with_options(server: ServerUrl, api_key: ApiKey, opts: Options) -> Result<Client, Error> {
        Ok(Client { transport: Transport::new(server, api_key, opts)? })
    }

    pub fn server(&self) -> &ServerUrl {
        self.transport.server()
    }

    /// The API key in use.
    pub fn api_key(&self) -> ApiKey {
        self.transport.api_key()
    }

    /// Replaces the API key for every later request of this client and its sessions. Check the
    /// new key first ([`Session::check_api_key`](crate::Session::check_api_key)).
    pub fn set_api_key(&self, api_key: ApiKey) -> Result<(), Error> {
        self.transport.set_api_key(api_key)
    }

    pub fn options(&self) -> &Options {
        self.transport.options()
    }

    /// Signs in. Sends no `Authorization` and no API key (a stale token would be rejected).
    pub async fn login(&self, username: &str, email: &str, password: &Password) -> Result<(Session, User), Error> {
        let url = self.transport.url("auth/login/");
        let body = json!({"username": username, "email": email, "password": password.expose()});
        let a = self.transport.execute(Method::POST, &url, Auth::None, Some(&body)).await?;
        let v = expect_json(Route::Login, a)?;
        let answer: LoginAnswer = serde_json::from_value(v).map_err(|_| Error::NotOas)?;
        if answer.access.is_empty() {
            return Err(Error::NotOas);
        }
        let session = Session::new(self.transport.clone(), AccessToken::new(answer.access), RefreshToken::new(answer.refresh));
        let user = match answer.user {
            Some(u) => u,
            None => session.user().await?,
        };
        Ok((session, user))
    }

    /// Starts a session from a saved refresh token, refreshing the access token now.
    /// `Err(SessionExpired)` if the refresh token is no longer valid. If the server rotated the
    /// refresh token, [`Session::refresh_token`] has the new one: save it.
    pub async fn resume(&self, refresh: RefreshToken) -> Result<Session, Error> {
        if refresh.expose().is_empty() {
            return Err(Error::SessionExpired);
        }
        let (access, rotated) = refresh_tokens(&self.transport, &refresh).await?;
        Ok(Session::new(self.transport.clone(), access, rotated.unwrap_or(refresh)))
    }

    /// `POST auth/token/verify/`: whether the server still accepts this access token.
    pub async fn verify_token(&self, token: &AccessToken) -> Result<bool, Error> {
        verify_token(&self.transport, token).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NewOrganisation;

    fn assert_send_sync<T: Send + Sync + Clone>() {}
    fn assert_send<T: Send>(_: &T) {}

    #[test]
    fn session_is_send_sync_and_futures_are_send() {
        assert_send_sync::<Session>();
        assert_send_sync::<Client>();
        let client = Client::new(ServerUrl::parse("https://example.com").unwrap(), ApiKey::new("key.key")).unwrap();
        let s = Session::new(client.transport.clone(), AccessToken::new("a"), RefreshToken::new("r"));
        assert_send(&s.user());
        assert_send(&s.list_all_organisations());
        assert_send(&s.organisations_page(1));
        assert_send(&s.logout());
        assert_send(&s.make_active(1));
        assert_send(&s.create_organisation(&NewOrganisation::default()));
        assert_send(&client.login("u", "e", &Password::new("p")));
        assert_send(&client.resume(RefreshToken::new("r")));
        let d = format!("{s:?}");
        assert!(d.contains("Session") && !d.contains("\"a\""));
    }


    #[test]
    fn user_agent_and_debug() {
        assert!(crate::default_user_agent().starts_with("OAS-Desktop/"));
        let c = Client::new(ServerUrl::parse("https://example.com").unwrap(), ApiKey::new("A2QnAjPg.2tBY21luBv1V1X1krrXQtmadPpwcuUjH")).unwrap();
        let d = format!("{c:?}");
        assert!(!d.contains("2tBY21"), "{d}");
        assert!(d.contains("…UjH"));
    }

    #[test]
    fn bad_key_bytes_are_refused() {
        let r = Client::new(ServerUrl::parse("https://example.com").unwrap(), ApiKey::new("a\nb"));
        assert_eq!(r.unwrap_err(), Error::ApiKeyRejected);
    }
}
