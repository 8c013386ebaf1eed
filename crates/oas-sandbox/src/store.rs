//! SQLite storage: users, API keys, organisations, blacklisted refresh tokens.
//!
//! One connection behind a mutex, WAL mode, a busy timeout so that the admin commands can write
//! while a server is running on the same file.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use anyhow::{anyhow, bail, Context};
use rusqlite::{params, Connection, OptionalExtension};

use crate::secrets;

/// A user row, as the API shows it (plus what the server needs).
#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub is_superuser: bool,
    pub is_staff: bool,
    pub is_active: bool,
    pub last_login: Option<String>,
}

/// A contact of an organisation (sandbox extension).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Contact {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub role: String,
}

/// An organisation row.
#[derive(Debug, Clone)]
pub struct OrgRow {
    pub id: i64,
    pub owner_id: i64,
    pub name: String,
    pub base_currency: String,
    pub currencies: Vec<String>,
    pub image: Option<String>,
    pub is_active: bool,
    pub contacts: Vec<Contact>,
}

/// Fields of an organisation to write.
#[derive(Debug, Clone, Default)]
pub struct OrgWrite {
    pub name: Option<String>,
    pub base_currency: Option<String>,
    pub currencies: Option<Vec<String>>,
    pub image: Option<Option<String>>,
    pub contacts: Option<Vec<Contact>>,
}

/// What is wrong with an API key, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStatus {
    Valid,
    Unknown,
    Revoked,
    Expired,
}

pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    is_superuser INTEGER NOT NULL DEFAULT 0,
    is_staff INTEGER NOT NULL DEFAULT 0,
    is_active INTEGER NOT NULL DEFAULT 1,
    last_login TEXT,
    date_joined TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    prefix TEXT NOT NULL UNIQUE,
    hashed_key TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    name TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    expiry_unix INTEGER,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS organisations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    base_currency TEXT NOT NULL,
    currencies TEXT NOT NULL,
    image TEXT,
    is_active INTEGER NOT NULL DEFAULT 0,
    contacts TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS organisations_owner ON organisations(owner_id, id);
CREATE TABLE IF NOT EXISTS blacklist (jti TEXT PRIMARY KEY, expires_unix INTEGER NOT NULL);
"#;

fn now_iso() -> String {
    crate::util::drf_datetime(chrono::Utc::now())
}

impl Store {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> anyhow::Result<Store> {
        let conn = Connection::open(path)
            .with_context(|| format!("cannot open database {}", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            bail!("cannot switch {} to WAL mode (got {mode})", path.display());
        }
        conn.execute_batch("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")?;
        conn.execute_batch(SCHEMA)?;
        Ok(Store { conn: Mutex::new(conn), path: path.to_path_buf() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The HMAC secret for JWTs, created on first use and kept in the database so that tokens
    /// survive a restart.
    pub fn jwt_secret(&self) -> anyhow::Result<Vec<u8>> {
        let conn = self.conn();
        let existing: Option<Vec<u8>> = conn
            .query_row("SELECT value FROM meta WHERE key='jwt_secret'", [], |r| r.get(0))
            .optional()?;
        if let Some(s) = existing {
            return Ok(s);
        }
        let secret = secrets::random_bytes(32);
        conn.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES ('jwt_secret', ?1)",
            params![secret],
        )?;
        let s: Vec<u8> =
            conn.query_row("SELECT value FROM meta WHERE key='jwt_secret'", [], |r| r.get(0))?;
        Ok(s)
    }

    // ---------------------------------------------------------------- users

    /// Creates a user; fails if the username is taken.
    pub fn create_user(&self, username: &str, email: &str, password: &str) -> anyhow::Result<i64> {
        if username.is_empty() {
            bail!("the username may not be empty");
        }
        if password.is_empty() {
            bail!("the password may not be empty");
        }
        let hash = secrets::hash_password(password)?;
        let conn = self.conn();
        let taken: Option<i64> = conn
            .query_row("SELECT id FROM users WHERE username=?1", params![username], |r| r.get(0))
            .optional()?;
        if taken.is_some() {
            bail!("a user with that username already exists");
        }
        conn.execute(
            "INSERT INTO users(username, email, password_hash, date_joined) VALUES (?1, ?2, ?3, ?4)",
            params![username, email, hash, now_iso()],
        )?;
        Ok(conn.last_insert_rowid())
    }

    fn user_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UserRow> {
        Ok(UserRow {
            id: r.get(0)?,
            username: r.get(1)?,
            email: r.get(2)?,
            password_hash: r.get(3)?,
            is_superuser: r.get(4)?,
            is_staff: r.get(5)?,
            is_active: r.get(6)?,
            last_login: r.get(7)?,
        })
    }

    const USER_COLS: &'static str =
        "id, username, email, password_hash, is_superuser, is_staff, is_active, last_login";

    pub fn user_by_id(&self, id: i64) -> anyhow::Result<Option<UserRow>> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                &format!("SELECT {} FROM users WHERE id=?1", Self::USER_COLS),
                params![id],
                Self::user_from_row,
            )
            .optional()?)
    }

    pub fn user_by_username(&self, username: &str) -> anyhow::Result<Option<UserRow>> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                &format!("SELECT {} FROM users WHERE username=?1", Self::USER_COLS),
                params![username],
                Self::user_from_row,
            )
            .optional()?)
    }

    /// Django's `email__iexact` lookup (first match by id).
    pub fn user_by_email_iexact(&self, email: &str) -> anyhow::Result<Option<UserRow>> {
        let conn = self.conn();
        let lower = email.to_lowercase();
        let mut stmt = conn.prepare(&format!(
            "SELECT {} FROM users WHERE email <> '' ORDER BY id",
            Self::USER_COLS
        ))?;
        let rows = stmt.query_map([], Self::user_from_row)?;
        for row in rows {
            let u = row?;
            if u.email.to_lowercase() == lower {
                return Ok(Some(u));
            }
        }
        Ok(None)
    }

    pub fn require_user(&self, username: &str) -> anyhow::Result<UserRow> {
        self.user_by_username(username)?.ok_or_else(|| anyhow!("no user named {username:?}"))
    }

    pub fn touch_last_login(&self, id: i64) -> anyhow::Result<String> {
        let now = now_iso();
        self.conn().execute("UPDATE users SET last_login=?1 WHERE id=?2", params![now, id])?;
        Ok(now)
    }

    pub fn update_user(&self, id: i64, username: Option<&str>, email: Option<&str>) -> anyhow::Result<()> {
        let conn = self.conn();
        if let Some(u) = username {
            conn.execute("UPDATE users SET username=?1 WHERE id=?2", params![u, id])?;
        }
        if let Some(e) = email {
            conn.execute("UPDATE users SET email=?1 WHERE id=?2", params![e, id])?;
        }
        Ok(())
    }

    pub fn username_taken_by_other(&self, username: &str, id: i64) -> anyhow::Result<bool> {
        let conn = self.conn();
        let other: Option<i64> = conn
            .query_row(
                "SELECT id FROM users WHERE username=?1 AND id<>?2",
                params![username, id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(other.is_some())
    }

    pub fn set_password(&self, id: i64, password: &str) -> anyhow::Result<()> {
        self.set_password_hash(id, &secrets::hash_password(password)?)
    }

    pub fn set_password_hash(&self, id: i64, hash: &str) -> anyhow::Result<()> {
        self.conn().execute("UPDATE users SET password_hash=?1 WHERE id=?2", params![hash, id])?;
        Ok(())
    }

    // ---------------------------------------------------------------- API keys

    /// Issues a new API key for `username`; returns the full key (shown once, never stored).
    pub fn issue_key(&self, username: &str) -> anyhow::Result<String> {
        let user = self.require_user(username)?;
        let conn = self.conn();
        loop {
            let (prefix, key) = secrets::generate_api_key();
            let taken: Option<i64> = conn
                .query_row("SELECT id FROM api_keys WHERE prefix=?1", params![prefix], |r| r.get(0))
                .optional()?;
            if taken.is_some() {
                continue;
            }
            conn.execute(
                "INSERT INTO api_keys(prefix, hashed_key, user_id, name, created) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![prefix, secrets::hash_api_key(&key), user.id, user.username, now_iso()],
            )?;
            return Ok(key);
        }
    }

    /// Finds the key row id from a full key or a bare prefix.
    fn key_id(conn: &Connection, key_or_prefix: &str) -> anyhow::Result<i64> {
        let (prefix, full) = match key_or_prefix.split_once('.') {
            Some((p, _)) => (p, true),
            None => (key_or_prefix, false),
        };
        let row: Option<(i64, String)> = conn
            .query_row(
                "SELECT id, hashed_key FROM api_keys WHERE prefix=?1",
                params![prefix],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match row {
            Some((id, hashed)) if !full || secrets::hash_api_key(key_or_prefix) == hashed => Ok(id),
            _ => bail!("no such API key"),
        }
    }

    pub fn revoke_key(&self, key_or_prefix: &str) -> anyhow::Result<()> {
        let conn = self.conn();
        let id = Self::key_id(&conn, key_or_prefix)?;
        conn.execute("UPDATE api_keys SET revoked=1 WHERE id=?1", params![id])?;
        Ok(())
    }

    pub fn expire_key(&self, key_or_prefix: &str) -> anyhow::Result<()> {
        let conn = self.conn();
        let id = Self::key_id(&conn, key_or_prefix)?;
        let past = chrono::Utc::now().timestamp() - 1;
        conn.execute("UPDATE api_keys SET expiry_unix=?1 WHERE id=?2", params![past, id])?;
        Ok(())
    }

    /// djangorestframework-api-key's `is_valid`: a known prefix, the right hash, not revoked,
    /// not expired.
    pub fn check_key(&self, key: &str) -> anyhow::Result<KeyStatus> {
        let Some((prefix, _)) = key.split_once('.') else {
            return Ok(KeyStatus::Unknown);
        };
        let conn = self.conn();
        let row: Option<(String, Option<i64>, bool)> = conn
            .query_row(
                "SELECT hashed_key, expiry_unix, revoked FROM api_keys WHERE prefix=?1",
                params![prefix],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((hashed, expiry, revoked)) = row else {
            return Ok(KeyStatus::Unknown);
        };
        if !secrets::constant_time_eq(secrets::hash_api_key(key).as_bytes(), hashed.as_bytes()) {
            return Ok(KeyStatus::Unknown);
        }
        if revoked {
            return Ok(KeyStatus::Revoked);
        }
        if let Some(exp) = expiry {
            if exp <= chrono::Utc::now().timestamp() {
                return Ok(KeyStatus::Expired);
            }
        }
        Ok(KeyStatus::Valid)
    }

    // ---------------------------------------------------------------- blacklist

    pub fn blacklist(&self, jti: &str, expires_unix: i64) -> anyhow::Result<()> {
        self.conn().execute(
            "INSERT OR IGNORE INTO blacklist(jti, expires_unix) VALUES (?1, ?2)",
            params![jti, expires_unix],
        )?;
        Ok(())
    }

    pub fn is_blacklisted(&self, jti: &str) -> anyhow::Result<bool> {
        let found: Option<i64> = self
            .conn()
            .query_row("SELECT 1 FROM blacklist WHERE jti=?1", params![jti], |r| r.get(0))
            .optional()?;
        Ok(found.is_some())
    }

    // ---------------------------------------------------------------- organisations

    fn org_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OrgRow> {
        let currencies: String = r.get(4)?;
        let contacts: String = r.get(7)?;
        Ok(OrgRow {
            id: r.get(0)?,
            owner_id: r.get(1)?,
            name: r.get(2)?,
            base_currency: r.get(3)?,
            currencies: currencies
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            image: r.get(5)?,
            is_active: r.get(6)?,
            contacts: serde_json::from_str(&contacts).unwrap_or_default(),
        })
    }

    const ORG_COLS: &'static str =
        "id, owner_id, name, base_currency, currencies, image, is_active, contacts";

    pub fn count_orgs(&self, owner_id: i64) -> anyhow::Result<usize> {
        let n: i64 = self.conn().query_row(
            "SELECT COUNT(*) FROM organisations WHERE owner_id=?1",
            params![owner_id],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    pub fn list_orgs(&self, owner_id: i64, offset: usize, limit: usize) -> anyhow::Result<Vec<OrgRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {} FROM organisations WHERE owner_id=?1 ORDER BY id LIMIT ?2 OFFSET ?3",
            Self::ORG_COLS
        ))?;
        let rows = stmt
            .query_map(params![owner_id, limit as i64, offset as i64], Self::org_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    pub fn get_org(&self, owner_id: i64, id: i64) -> anyhow::Result<Option<OrgRow>> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                &format!(
                    "SELECT {} FROM organisations WHERE id=?1 AND owner_id=?2",
                    Self::ORG_COLS
                ),
                params![id, owner_id],
                Self::org_from_row,
            )
            .optional()?)
    }

    pub fn create_org(&self, owner_id: i64, w: &OrgWrite) -> anyhow::Result<OrgRow> {
        let id = {
            let conn = self.conn();
            conn.execute(
                "INSERT INTO organisations(owner_id, name, base_currency, currencies, image, contacts) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    owner_id,
                    w.name.clone().unwrap_or_default(),
                    w.base_currency.clone().unwrap_or_default(),
                    w.currencies.clone().unwrap_or_default().join(","),
                    w.image.clone().flatten(),
                    serde_json::to_string(&w.contacts.clone().unwrap_or_default())?,
                ],
            )?;
            conn.last_insert_rowid()
        };
        self.get_org(owner_id, id)?.ok_or_else(|| anyhow!("organisation vanished"))
    }

    pub fn update_org(&self, owner_id: i64, id: i64, w: &OrgWrite) -> anyhow::Result<Option<OrgRow>> {
        {
            let mut conn = self.conn();
            let tx = conn.transaction()?;
            if let Some(v) = &w.name {
                tx.execute("UPDATE organisations SET name=?1 WHERE id=?2 AND owner_id=?3", params![v, id, owner_id])?;
            }
            if let Some(v) = &w.base_currency {
                tx.execute("UPDATE organisations SET base_currency=?1 WHERE id=?2 AND owner_id=?3", params![v, id, owner_id])?;
            }
            if let Some(v) = &w.currencies {
                tx.execute("UPDATE organisations SET currencies=?1 WHERE id=?2 AND owner_id=?3", params![v.join(","), id, owner_id])?;
            }
            if let Some(v) = &w.image {
                tx.execute("UPDATE organisations SET image=?1 WHERE id=?2 AND owner_id=?3", params![v, id, owner_id])?;
            }
            if let Some(v) = &w.contacts {
                tx.execute("UPDATE organisations SET contacts=?1 WHERE id=?2 AND owner_id=?3", params![serde_json::to_string(v)?, id, owner_id])?;
            }
            tx.commit()?;
        }
        self.get_org(owner_id, id)
    }

    /// Makes `id` the owner's only active organisation. Returns false if it is not theirs.
    pub fn make_active(&self, owner_id: i64, id: i64) -> anyhow::Result<Option<OrgRow>> {
        {
            let mut conn = self.conn();
            let tx = conn.transaction()?;
            let found: Option<i64> = tx
                .query_row(
                    "SELECT id FROM organisations WHERE id=?1 AND owner_id=?2",
                    params![id, owner_id],
                    |r| r.get(0),
                )
                .optional()?;
            if found.is_none() {
                return Ok(None);
            }
            tx.execute("UPDATE organisations SET is_active=0 WHERE owner_id=?1 AND is_active=1", params![owner_id])?;
            tx.execute("UPDATE organisations SET is_active=1 WHERE id=?1", params![id])?;
            tx.commit()?;
        }
        self.get_org(owner_id, id)
    }

    /// Creates `count` organisations for `username` in one transaction.
    pub fn seed_orgs(&self, username: &str, count: usize) -> anyhow::Result<()> {
        let user = self.require_user(username)?;
        const CURRENCIES: [&str; 8] = ["USD", "EUR", "GBP", "MXN", "JPY", "CAD", "AUD", "CHF"];
        let mut conn = self.conn();
        let start: i64 = conn.query_row(
            "SELECT COUNT(*) FROM organisations WHERE owner_id=?1",
            params![user.id],
            |r| r.get(0),
        )?;
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare(
                "INSERT INTO organisations(owner_id, name, base_currency, currencies) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for i in 0..count {
                let n = start as usize + i + 1;
                let base = CURRENCIES[n % CURRENCIES.len()];
                let other = CURRENCIES[(n + 3) % CURRENCIES.len()];
                stmt.execute(params![
                    user.id,
                    format!("Seed Organisation {n:05}"),
                    base,
                    format!("{base},{other}"),
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn has_orgs(&self, owner_id: i64) -> anyhow::Result<bool> {
        Ok(self.count_orgs(owner_id)? > 0)
    }
}
