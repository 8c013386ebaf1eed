//! A signed-in session: the access token in memory, the refresh token, proactive and reactive
//! refresh (single flight), and the routes that need a user.

use std::collections::HashSet;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, UNIX_EPOCH};

use futures_util::stream::{self, StreamExt, TryStreamExt};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use url::Url;

use serde::Deserialize;

use crate::address::ServerUrl;
use crate::clock::Clock;
use crate::error::{classify, Error, Route};
use crate::jwt;
use crate::model::{page_from_value, NewOrganisation, Organisation, OrganisationPatch, Page, User, UserPatch};
use crate::secret::{AccessToken, ApiKey, Password, RefreshToken};
use crate::transport::{expect_json, key_header, Auth, Pace, Transport};

/// Which API key a request carries.
#[derive(Clone, Copy)]
enum Key<'a> {
    /// `/auth/` routes need none.
    None,
    InUse,
    Candidate(&'a reqwest::header::HeaderValue),
}

type Listener = Arc<dyn Fn(&RefreshToken) + Send + Sync + 'static>;

/// A signed-in session. Cheap to clone (shared state), `Send + Sync`.
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    tokens: RwLock<Tokens>,
    /// Single flight: one refresh at a time; waiters see the new generation and reuse it.
    gate: tokio::sync::Mutex<()>,
    listeners: Mutex<Vec<Listener>>,
    ended: AtomicBool,
}

struct Tokens {
    access: AccessToken,
    refresh: RefreshToken,
    generation: u64,
    refresh_at: Option<Instant>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("server", self.inner.transport.server())
            .field("ended", &self.is_ended())
            .finish_non_exhaustive()
    }
}

/// Seconds left before `exp` by the local wall clock, when the local clock agrees with the
/// server's (`iat` within 2 s of now); `None` otherwise.
fn wallclock_remaining(access: &AccessToken, clock: &Clock) -> Option<f64> {
    let claims = jwt::claims(access.expose())?;
    let (exp, iat) = (claims.exp?, claims.iat?);
    let now = clock.system().duration_since(UNIX_EPOCH).ok()?.as_secs_f64();
    ((now - iat as f64).abs() < 2.0).then_some(exp as f64 - now)
}

/// When to refresh this access token proactively, from its `exp`: by the wall clock when it
/// agrees with the server's (exact to the sub-second), otherwise from `exp - iat` counted from
/// now (immune to a skewed local clock).
fn refresh_deadline(access: &AccessToken, options: &crate::Options) -> Option<Instant> {
    if !options.proactive_refresh {
        return None;
    }
    let clock = &options.clock;
    let max_margin = options.refresh_margin;
    let claims = jwt::claims(access.expose())?;
    let exp = claims.exp?;
    let now = clock.instant();
    match claims.iat {
        Some(iat) if exp > iat => {
            let lifetime = Duration::from_secs((exp - iat) as u64);
            let margin = max_margin.min(lifetime / 5);
            let remaining = match wallclock_remaining(access, clock) {
                Some(r) => Duration::from_secs_f64(r.clamp(0.0, lifetime.as_secs_f64())),
                None => lifetime,
            };
            Some(now + remaining.saturating_sub(margin))
        }
        _ => {
            let unix_now = clock.system().duration_since(UNIX_EPOCH).ok()?.as_secs() as i64;
            let remaining = Duration::from_secs(exp.saturating_sub(unix_now).max(0) as u64);
            let margin = max_margin.min(remaining / 5);
            Some(now + remaining.saturating_sub(margin))
        }
    }
}

const MAX_PAGES: u64 = 100_000;

fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|e| e.into_inner())
}
fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|e| e.into_inner())
}

impl Session {
    pub(crate) fn new(transport: Transport, access: AccessToken, refresh: RefreshToken) -> Session {
        let refresh_at = refresh_deadline(&access, transport.options());
        Session {
            inner: Arc::new(Inner {
                transport,
                tokens: RwLock::new(Tokens { access, refresh, generation: 0, refresh_at }),
                gate: tokio::sync::Mutex::new(()),
                listeners: Mutex::new(Vec::new()),
                ended: AtomicBool::new(false),
            }),
        }
    }

    /// The server this session is signed in to.
    pub fn server(&self) -> &ServerUrl {
        self.inner.transport.server()
    }

    /// The current refresh token (after any rotation).
    pub fn refresh_token(&self) -> RefreshToken {
        read(&self.inner.tokens).refresh.clone()
    }

    /// Called whenever the server hands out a new refresh token, so the app can save it.
    pub fn on_refresh_rotated(&self, f: impl Fn(&RefreshToken) + Send + Sync + 'static) {
        self.inner.listeners.lock().unwrap_or_else(|e| e.into_inner()).push(Arc::new(f));
    }

    /// How many times the access token was refreshed in this session (diagnostics and tests).
    pub fn refresh_count(&self) -> u64 {
        read(&self.inner.tokens).generation
    }

    /// True after logout or after the server refused the refresh token.
    pub fn is_ended(&self) -> bool {
        self.inner.ended.load(Ordering::SeqCst)
    }

    /// Refreshes the access token now (shared with any refresh already under way).
    pub async fn refresh_now(&self) -> Result<(), Error> {
        let generation = read(&self.inner.tokens).generation;
        self.refresh_from(generation).await
    }

    /// Whether the server still accepts the current access token (`auth/token/verify/`).
    pub async fn verify(&self) -> Result<bool, Error> {
        let access = read(&self.inner.tokens).access.clone();
        verify_token(&self.inner.transport, &access).await
    }

    // ------------------------------------------------------------------ account

    pub async fn user(&self) -> Result<User, Error> {
        let url = self.url("auth/user/");
        self.call(Method::GET, &url, false, None).await
    }

    /// `PATCH auth/user/`: changes only the fields that are set.
    pub async fn update_user(&self, patch: &UserPatch) -> Result<User, Error> {
        let url = self.url("auth/user/");
        let body = to_value(patch)?;
        self.call(Method::PATCH, &url, false, Some(&body)).await
    }

    /// `PUT auth/user/`: replaces the editable fields.
    pub async fn replace_user(&self, user: &UserPatch) -> Result<User, Error> {
        let url = self.url("auth/user/");
        let body = to_value(user)?;
        self.call(Method::PUT, &url, false, Some(&body)).await
    }

    /// `POST auth/password/change/`. A mismatch between `new` and `confirm` comes back as a
    /// validation error on `new_password2`.
    pub async fn change_password(&self, old: &Password, new: &Password, confirm: &Password) -> Result<(), Error> {
        let url = self.url("auth/password/change/");
        let body = json!({"old_password": old.expose(), "new_password1": new.expose(), "new_password2": confirm.expose()});
        let _: Value = self.call(Method::POST, &url, false, Some(&body)).await?;
        Ok(())
    }

    /// `POST auth/logout/` with the refresh token (the server blacklists it). The session ends
    /// here whatever the answer; an error only says the server could not be told. A refresh token
    /// the server already refuses counts as logged out.
    pub async fn logout(&self) -> Result<(), Error> {
        let refresh = self.refresh_token();
        self.inner.ended.store(true, Ordering::SeqCst);
        let url = self.url("auth/logout/");
        let a = self.inner.transport.execute(Method::POST, &url, Auth::None, Some(&json!({"refresh": refresh.expose()}))).await?;
        match a.status {
            200..=299 | 401 => Ok(()),
            _ => Err(classify(Route::Logout, &a)),
        }
    }

    // ------------------------------------------------------------------ organisations

    /// One page (1-based) of the user's organisations. Past the end: `Err(NotFound)`.
    pub async fn organisations_page(&self, page: u32) -> Result<Page<Organisation>, Error> {
        let mut url = self.url("organisations/");
        if page > 1 {
            url.query_pairs_mut().append_pair("page", &page.to_string());
        }
        self.fetch_page(&url).await
    }

    /// Every organisation, in server order, without duplicates.
    pub async fn list_all_organisations(&self) -> Result<Vec<Organisation>, Error> {
        self.list_organisations_progressively(|_| {}).await
    }

    /// [`Session::list_all_organisations`], handing each page to `on_batch` as soon as it (and
    /// every page before it) has arrived: first page 1, then the others in server order, with
    /// how many of how many are in. At most
    /// [`Options::list_concurrency`](crate::Options::list_concurrency) requests are in flight, and
    /// a `Retry-After` holds them all.
    pub async fn list_organisations_progressively(&self, mut on_batch: impl FnMut(ListBatch<'_, Organisation>) + Send) -> Result<Vec<Organisation>, Error> {
        self.list_all("organisations/", |o: &Organisation| o.id, &mut on_batch).await
    }

    /// `POST organisations/`. When the answer is lost (the connection broke, it timed out, it
    /// came back unreadable, a proxy gave up), the server may have created it all the same: the
    /// list is read, and an organisation with the same name, base currency and currencies is
    /// taken as this one (the newest, if several), so a second attempt never creates it twice.
    pub async fn create_organisation(&self, new: &NewOrganisation) -> Result<Organisation, Error> {
        let url = self.url("organisations/");
        let body = to_value(new)?;
        match self.call(Method::POST, &url, true, Some(&body)).await {
            Err(error) if error.outcome_unknown() => match self.list_all_organisations().await {
                Ok(all) => all.into_iter().filter(|o| same_organisation(o, new)).max_by_key(|o| o.id).ok_or(error),
                Err(_) => Err(error),
            },
            other => other,
        }
    }

    pub async fn organisation(&self, id: i64) -> Result<Organisation, Error> {
        let url = self.url(&format!("organisations/{id}/"));
        self.call(Method::GET, &url, true, None).await
    }

    /// `PATCH organisations/{id}/`: changes only the fields that are set.
    pub async fn update_organisation(&self, id: i64, patch: &OrganisationPatch) -> Result<Organisation, Error> {
        let url = self.url(&format!("organisations/{id}/"));
        let body = to_value(patch)?;
        self.call(Method::PATCH, &url, true, Some(&body)).await
    }

    /// `POST organisations/{id}/make_active/`: the server's message.
    pub async fn make_active(&self, id: i64) -> Result<String, Error> {
        let url = self.url(&format!("organisations/{id}/make_active/"));
        let v: Value = self.call(Method::POST, &url, true, Some(&json!({}))).await?;
        Ok(["message", "detail"]
            .iter()
            .find_map(|k| v.get(*k).and_then(Value::as_str))
            .unwrap_or_default()
            .to_string())
    }

    // ------------------------------------------------------------------ internals

    fn url(&self, path: &str) -> Url {
        self.inner.transport.url(path)
    }

    /// A link from the server (`next`, `previous`): absolute or relative, it must be on the
    /// configured origin.
    fn pinned(&self, from: &Url, link: &str) -> Result<Url, Error> {
        self.inner.transport.pinned(from, link)
    }

    /// Whether the server accepts `candidate` as this user's API key: one protected call
    /// (organisations, page 1) with it, the key in use left untouched. `Err(ApiKeyRejected)`
    /// when it is refused.
    pub async fn check_api_key(&self, candidate: &ApiKey) -> Result<(), Error> {
        let header = key_header(candidate)?;
        let url = self.url("organisations/");
        let a = self.send(Method::GET, &url, Key::Candidate(&header), None, None).await?;
        let v = expect_json(Route::Protected, a)?;
        page_from_value::<Organisation>(v).map(|_| ()).ok_or(Error::NotOas)
    }

    async fn call<T: DeserializeOwned>(&self, method: Method, url: &Url, with_key: bool, body: Option<&Value>) -> Result<T, Error> {
        let key = if with_key { Key::InUse } else { Key::None };
        let a = self.send(method, url, key, body, None).await?;
        let v = expect_json(Route::Protected, a)?;
        serde_json::from_value(v).map_err(|_| Error::NotOas)
    }

    async fn fetch_page<T: DeserializeOwned>(&self, url: &Url) -> Result<Page<T>, Error> {
        Ok(self.fetch_page_sized(url, None).await?.0)
    }

    /// A page and the size of its body in bytes.
    async fn fetch_page_sized<T: DeserializeOwned>(&self, url: &Url, pace: Option<&Pace>) -> Result<(Page<T>, u64), Error> {
        let a = self.send(Method::GET, url, Key::InUse, None, pace).await?;
        let bytes = a.body.len() as u64;
        let v = expect_json(Route::Protected, a)?;
        Ok((page_from_value(v).ok_or(Error::NotOas)?, bytes))
    }

    fn snapshot(&self) -> (AccessToken, u64, bool) {
        let t = read(&self.inner.tokens);
        let due = t.refresh_at.is_some_and(|d| self.inner.transport.options().clock.instant() >= d);
        (t.access.clone(), t.generation, due)
    }

    /// Sends with the current token; refreshes first if it is about to expire, and once more
    /// (then retries once) if the server answers 401.
    async fn send(&self, method: Method, url: &Url, key: Key<'_>, body: Option<&Value>, pace: Option<&Pace>) -> Result<crate::error::Answer, Error> {
        if self.is_ended() {
            return Err(Error::SessionExpired);
        }
        let (mut access, mut generation, due) = self.snapshot();
        if due {
            match self.refresh_from(generation).await {
                Ok(()) => (access, generation, _) = self.snapshot(),
                Err(Error::SessionExpired) => return Err(Error::SessionExpired),
                // The server could not refresh just now; the current token may still be valid
                // (a 401 below tries once more).
                Err(_) => {}
            }
        }
        let auth = |t| match key {
            Key::None => Auth::Bearer(t),
            Key::InUse => Auth::BearerAndKey(t),
            Key::Candidate(header) => Auth::BearerAndCandidateKey(t, header),
        };
        let a = self.inner.transport.execute_paced(method.clone(), url, auth(&access), body, pace).await?;
        if a.status != 401 {
            return Ok(a);
        }
        self.refresh_from(generation).await?;
        let (access, _, _) = self.snapshot();
        self.inner.transport.execute_paced(method, url, auth(&access), body, pace).await
    }

    /// Refreshes unless another caller already did since `seen` (single flight).
    async fn refresh_from(&self, seen: u64) -> Result<(), Error> {
        let _gate = self.inner.gate.lock().await;
        if self.is_ended() {
            return Err(Error::SessionExpired);
        }
        if read(&self.inner.tokens).generation != seen {
            return Ok(());
        }
        let refresh = read(&self.inner.tokens).refresh.clone();
        match refresh_tokens(&self.inner.transport, &refresh).await {
            Ok((access, rotated)) => {
                {
                    let mut t = write(&self.inner.tokens);
                    t.refresh_at = refresh_deadline(&access, self.inner.transport.options());
                    t.access = access;
                    t.generation += 1;
                    if let Some(r) = &rotated {
                        t.refresh = r.clone();
                    }
                }
                if let Some(r) = rotated {
                    let listeners: Vec<Listener> = self.inner.listeners.lock().unwrap_or_else(|e| e.into_inner()).clone();
                    for l in listeners {
                        l(&r);
                    }
                }
                Ok(())
            }
            Err(Error::SessionExpired) => {
                self.inner.ended.store(true, Ordering::SeqCst);
                Err(Error::SessionExpired)
            }
            Err(e) => Err(e),
        }
    }

    /// Page 1, then the other pages concurrently (computed from `count` and the page size seen),
    /// falling back to following `next`. Server order, no duplicates, no gaps; each page goes to
    /// `on_batch` once it and every page before it are in. Stops with [`Error::ListTooLarge`]
    /// past [`Options::max_list_items`](crate::Options::max_list_items) items or
    /// [`Options::max_list_bytes`](crate::Options::max_list_bytes) bytes of pages, whatever the
    /// server's `count` says.
    async fn list_all<T>(&self, path: &str, id: fn(&T) -> i64, on_batch: &mut (dyn FnMut(ListBatch<'_, T>) + Send)) -> Result<Vec<T>, Error>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let started = Instant::now();
        let pace = Pace::default();
        let listed = self.list_all_paced(path, id, on_batch, &pace).await;
        // Its pages, once (the transport logs only those that failed): path, outcome and time.
        let outcome = listed.as_ref().map_or_else(|e| e.code().to_string(), |all| format!("{} items", all.len()));
        log::info!("GET {} (every page) -> {outcome} in {} ms", self.url(path).path(), started.elapsed().as_millis());
        listed
    }

    async fn list_all_paced<T>(&self, path: &str, id: fn(&T) -> i64, on_batch: &mut (dyn FnMut(ListBatch<'_, T>) + Send), pace: &Pace) -> Result<Vec<T>, Error>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let base = self.url(path);
        let mut budget = Budget::new(self.inner.transport.options());
        let (first, bytes): (Page<T>, u64) = self.fetch_page_sized(&base, Some(pace)).await?;
        budget.take(first.results.len(), bytes)?;
        let mut out = Collected::new(id, first.count, on_batch);
        let Some(next) = first.next.clone() else {
            out.push(first.results);
            return Ok(out.finish());
        };
        if first.count > budget.max_items {
            return Err(budget.exceeded());
        }
        let next_url = self.pinned(&base, &next)?;
        let size = first.results.len() as u64;
        let pages = if size > 0 { first.count.div_ceil(size) } else { 0 };
        let count = first.count;
        let template = PageTemplate::from_next(&next_url, size).filter(|_| (2..=MAX_PAGES).contains(&pages));
        let Some(template) = template else {
            return self.follow_next(first, &base, budget, out, pace).await;
        };
        out.push(first.results);
        match self.fetch_rest_concurrently(&template, count, pages, size, budget, &mut out, pace).await {
            Ok(true) => Ok(out.finish()),
            // The list changed under us (or the server paginates differently): walk it.
            Ok(false) | Err(Error::NotFound) => {
                out.restart();
                let mut budget = Budget::new(self.inner.transport.options());
                let (first, bytes) = self.fetch_page_sized(&base, Some(pace)).await?;
                budget.take(first.results.len(), bytes)?;
                out.total = first.count;
                self.follow_next(first, &base, budget, out, pace).await
            }
            Err(e) => Err(e),
        }
    }

    /// Pages 2..=`pages`, at most `list_concurrency` in flight (a slow page does not hold up
    /// the others), handed on in server order. `Ok(false)` when a page does not fit the first
    /// one's count and size (the list changed meanwhile).
    #[allow(clippy::too_many_arguments)]
    async fn fetch_rest_concurrently<T>(&self, template: &PageTemplate, count: u64, pages: u64, size: u64, mut budget: Budget, out: &mut Collected<'_, T>, pace: &Pace) -> Result<bool, Error>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let concurrency = self.inner.transport.options().list_concurrency.max(1);
        let mut fetched = stream::iter(2..=pages)
            .map(|k| {
                let url = template.url(k, size);
                async move {
                    let (p, bytes): (Page<T>, u64) = self.fetch_page_sized(&url, Some(pace)).await?;
                    if let Some(n) = &p.next {
                        self.pinned(&url, n)?;
                    }
                    Ok::<_, Error>((k, p, bytes))
                }
            })
            .buffer_unordered(concurrency);
        // Pages that arrived ahead of one still on its way.
        let mut ahead = std::collections::BTreeMap::new();
        let mut next = 2;
        while let Some((k, p, bytes)) = fetched.try_next().await? {
            budget.take(p.results.len(), bytes)?;
            ahead.insert(k, p);
            while let Some(p) = ahead.remove(&next) {
                let expected = if next == pages { count - (pages - 1) * size } else { size };
                if p.count != count || p.results.len() as u64 != expected {
                    return Ok(false);
                }
                out.push(p.results);
                next += 1;
            }
        }
        Ok(true)
    }

    async fn follow_next<T: DeserializeOwned>(&self, first: Page<T>, first_url: &Url, mut budget: Budget, mut out: Collected<'_, T>, pace: &Pace) -> Result<Vec<T>, Error> {
        let mut next = first.next;
        out.push(first.results);
        let mut seen = HashSet::new();
        let mut current = first_url.clone();
        while let Some(link) = next {
            let url = self.pinned(&current, &link)?;
            if !seen.insert(url.to_string()) || seen.len() as u64 > MAX_PAGES {
                return Err(Error::Unexpected("the server's pages link back to themselves".into()));
            }
            let (p, bytes): (Page<T>, u64) = self.fetch_page_sized(&url, Some(pace)).await?;
            budget.take(p.results.len(), bytes)?;
            out.push(p.results);
            next = p.next;
            current = url;
        }
        Ok(out.finish())
    }
}

/// What a listing has so far, handed to the caller page by page
/// ([`Session::list_organisations_progressively`]).
#[derive(Debug)]
pub struct ListBatch<'a, T> {
    /// The items that just arrived, in server order, none seen before in this listing.
    pub items: &'a [T],
    /// How many items have arrived so far (this batch included).
    pub loaded: u64,
    /// How many there are, as the server counts them (the last batch has `loaded == total`).
    pub total: u64,
    /// The list changed on the server while it was read, so it is being read again from the
    /// start: forget the items of earlier batches; `items` are the first ones again.
    pub restarted: bool,
}

/// The items of a listing so far, without duplicates, and whom to tell.
struct Collected<'f, T> {
    items: Vec<T>,
    seen: HashSet<i64>,
    id: fn(&T) -> i64,
    total: u64,
    restarted: bool,
    on_batch: &'f mut (dyn FnMut(ListBatch<'_, T>) + Send),
}

impl<'f, T> Collected<'f, T> {
    fn new(id: fn(&T) -> i64, total: u64, on_batch: &'f mut (dyn FnMut(ListBatch<'_, T>) + Send)) -> Self {
        let capacity = total.min(100_000) as usize;
        Collected { items: Vec::with_capacity(capacity), seen: HashSet::with_capacity(capacity), id, total, restarted: false, on_batch }
    }

    fn push(&mut self, page: Vec<T>) {
        let start = self.items.len();
        for item in page {
            if self.seen.insert((self.id)(&item)) {
                self.items.push(item);
            }
        }
        let loaded = self.items.len() as u64;
        let restarted = std::mem::take(&mut self.restarted);
        (self.on_batch)(ListBatch { items: &self.items[start..], loaded, total: self.total.max(loaded), restarted });
    }

    fn restart(&mut self) {
        self.items.clear();
        self.seen.clear();
        self.restarted = true;
    }

    /// Every item; the caller is told the total is what arrived, when the count was off.
    fn finish(self) -> Vec<T> {
        let loaded = self.items.len() as u64;
        if loaded != self.total {
            (self.on_batch)(ListBatch { items: &[], loaded, total: loaded, restarted: self.restarted });
        }
        self.items
    }
}

/// What a listing may still take: items and bytes of pages (see [`Error::ListTooLarge`]).
#[derive(Debug, Clone)]
struct Budget {
    items: u64,
    bytes: u64,
    max_items: u64,
    max_bytes: u64,
}

impl Budget {
    fn new(options: &crate::Options) -> Budget {
        Budget { items: 0, bytes: 0, max_items: options.max_list_items, max_bytes: options.max_list_bytes }
    }

    fn take(&mut self, items: usize, bytes: u64) -> Result<(), Error> {
        self.items = self.items.saturating_add(items as u64);
        self.bytes = self.bytes.saturating_add(bytes);
        if self.items > self.max_items || self.bytes > self.max_bytes {
            Err(self.exceeded())
        } else {
            Ok(())
        }
    }

    fn exceeded(&self) -> Error {
        Error::ListTooLarge { max_items: self.max_items, max_bytes: self.max_bytes }
    }
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<Value, Error> {
    serde_json::to_value(v).map_err(|_| Error::Unexpected("a request could not be encoded".into()))
}


#[derive(Deserialize)]
struct RefreshAnswer {
    access: String,
    #[serde(default)]
    refresh: Option<String>,
}

/// `POST auth/token/refresh/`: a new access token, and a new refresh token when rotated.
pub(crate) async fn refresh_tokens(transport: &Transport, refresh: &RefreshToken) -> Result<(AccessToken, Option<RefreshToken>), Error> {
    let url = transport.url("auth/token/refresh/");
    let a = transport.execute(Method::POST, &url, Auth::None, Some(&json!({"refresh": refresh.expose()}))).await?;
    if a.status == 400 {
        // e.g. {"refresh": ["This field may not be blank."]}
        return Err(if a.json().is_some() { Error::SessionExpired } else { Error::NotOas });
    }
    let v = expect_json(Route::Refresh, a)?;
    let r: RefreshAnswer = serde_json::from_value(v).map_err(|_| Error::NotOas)?;
    if r.access.is_empty() {
        return Err(Error::NotOas);
    }
    let rotated = r.refresh.filter(|n| !n.is_empty() && n != refresh.expose()).map(RefreshToken::new);
    Ok((AccessToken::new(r.access), rotated))
}

/// `POST auth/token/verify/`: whether the server still accepts this access token.
pub(crate) async fn verify_token(transport: &Transport, token: &AccessToken) -> Result<bool, Error> {
    let url = transport.url("auth/token/verify/");
    let a = transport.execute(Method::POST, &url, Auth::None, Some(&json!({"token": token.expose()}))).await?;
    match a.status {
        200..=299 => {
            if a.body.iter().all(u8::is_ascii_whitespace) || a.json().is_some() {
                Ok(true)
            } else {
                Err(Error::NotOas)
            }
        }
        400 | 401 if a.json().is_some() => Ok(false),
        _ => Err(classify(Route::Verify, &a)),
    }
}


/// How to address page `k` directly, learnt from the `next` link of page 1.
#[derive(Debug, Clone)]
enum PageTemplate {
    /// `?page=2` (DRF PageNumberPagination).
    Page { url: Url },
    /// `?offset=N&limit=N` (DRF LimitOffsetPagination).
    Offset { url: Url },
}

impl PageTemplate {
    fn from_next(next: &Url, size: u64) -> Option<PageTemplate> {
        let pairs: Vec<(String, String)> = next.query_pairs().into_owned().collect();
        if pairs.iter().any(|(k, v)| k == "page" && v == "2") {
            Some(PageTemplate::Page { url: next.clone() })
        } else if size > 0 && pairs.iter().any(|(k, v)| k == "offset" && v.parse::<u64>() == Ok(size)) {
            Some(PageTemplate::Offset { url: next.clone() })
        } else {
            None
        }
    }

    /// The URL of page `k` (1-based).
    fn url(&self, k: u64, size: u64) -> Url {
        let (url, key, value) = match self {
            PageTemplate::Page { url } => (url, "page", k.to_string()),
            PageTemplate::Offset { url } => (url, "offset", ((k - 1) * size).to_string()),
        };
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .into_owned()
            .map(|(k2, v)| if k2 == key { (k2, value.clone()) } else { (k2, v) })
            .collect();
        let mut u = url.clone();
        u.query_pairs_mut().clear().extend_pairs(pairs);
        u
    }
}

/// Whether `o` is what `new` asked for (name trimmed, currencies in any order).
fn same_organisation(o: &Organisation, new: &NewOrganisation) -> bool {
    let set = |c: &[String]| c.iter().map(|c| c.trim().to_ascii_uppercase()).collect::<HashSet<_>>();
    o.name.trim() == new.name.trim()
        && o.base_currency.eq_ignore_ascii_case(new.base_currency.trim())
        && set(&o.currencies) == set(&new.currencies)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadline_from_jwt() {
        // exp - iat = 300 s: refresh 30 s early (max margin).
        let tok = |exp: i64, iat: i64| {
            let payload = format!("{{\"exp\":{exp},\"iat\":{iat}}}");
            AccessToken::new(format!("x.{}.y", b64(payload.as_bytes())))
        };
        let before = Instant::now();
        let o = crate::Options::default();
        let d = refresh_deadline(&tok(1300, 1000), &o).unwrap();
        assert!(d >= before + Duration::from_secs(270) && d <= Instant::now() + Duration::from_secs(270));
        // 1-second tokens: refresh after 0.8 s.
        let d = refresh_deadline(&tok(1001, 1000), &o).unwrap();
        assert!(d >= before + Duration::from_millis(800) && d <= Instant::now() + Duration::from_millis(800));
        assert!(refresh_deadline(&AccessToken::new("opaque"), &o).is_none());
        let off = crate::Options { proactive_refresh: false, ..o };
        assert!(refresh_deadline(&tok(1001, 1000), &off).is_none());
    }

    fn b64(bytes: &[u8]) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    #[test]
    fn page_templates() {
        let next = Url::parse("https://h/api/organisations/?page=2&x=1").unwrap();
        let t = PageTemplate::from_next(&next, 10).unwrap();
        assert_eq!(t.url(7, 10).as_str(), "https://h/api/organisations/?page=7&x=1");
        let next = Url::parse("https://h/api/organisations/?limit=10&offset=10").unwrap();
        let t = PageTemplate::from_next(&next, 10).unwrap();
        assert_eq!(t.url(3, 10).as_str(), "https://h/api/organisations/?limit=10&offset=20");
        assert!(PageTemplate::from_next(&Url::parse("https://h/api/organisations/?cursor=abc").unwrap(), 10).is_none());
    }

    #[test]
    fn batches_keep_the_first_of_duplicates_and_count_to_the_total() {
        let mut seen: Vec<(Vec<i64>, u64, u64, bool)> = Vec::new();
        let mut record = |b: ListBatch<'_, i64>| seen.push((b.items.to_vec(), b.loaded, b.total, b.restarted));
        let mut out = Collected::new(|x: &i64| *x, 5, &mut record);
        out.push(vec![1, 2, 1]);
        out.push(vec![3, 2]);
        out.restart();
        out.push(vec![1, 2]);
        out.push(vec![3, 4, 5]);
        assert_eq!(out.finish(), vec![1, 2, 3, 4, 5]);
        assert_eq!(
            seen,
            vec![(vec![1, 2], 2, 5, false), (vec![3], 3, 5, false), (vec![1, 2], 2, 5, true), (vec![3, 4, 5], 5, 5, false)]
        );
        // A count that was off: the last word is the number that arrived.
        let mut last = None;
        let mut record = |b: ListBatch<'_, i64>| last = Some((b.loaded, b.total));
        let mut out = Collected::new(|x: &i64| *x, 4, &mut record);
        out.push(vec![1, 1, 2]);
        assert_eq!(out.finish(), vec![1, 2]);
        assert_eq!(last, Some((2, 2)));
    }
}
