//! SQLite storage: users, API keys, organisations, blacklisted refresh tokens.
//!
//! WAL mode: one writer connection behind a mutex, and a small pool of read-only connections so
//! that reads run concurrently (each statement sees the latest committed data; nothing is
//! cached across requests). A busy timeout lets the admin commands write while a server is
//! running on the same file.
//!
//! Paging: each organisation carries `seq`, its 1-based position among its owner's
//! organisations in `id` order, kept exact by triggers inside every write transaction (whoever
//! writes: this server, the admin commands, an older binary). A page is then an index range
//! `(owner_id, seq)` and the count is the last `seq`, instead of an `OFFSET` walk and a
//! `COUNT(*)` over all of the owner's rows.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use anyhow::{anyhow, bail, Context};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rusqlite::{params, Connection, OptionalExtension};

use crate::clock::Clock;
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

/// In what order `seed_orgs_named` names what it creates: "Seed Organisation 00001" first, or
/// the same names in no order, as a real account's names are when the server lists by id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SeedNames {
    #[default]
    InOrder,
    Shuffled,
}

pub struct Store {
    writer: Mutex<Connection>,
    readers: r2d2::Pool<ReadOnly>,
    path: PathBuf,
    clock: Clock,
}

/// The read-only connections, for r2d2 (which opens them on demand, up to its `max_size`).
/// r2d2 rather than a hand-written pool; not r2d2_sqlite, whose manager never reports broken.
struct ReadOnly(PathBuf);

impl r2d2::ManageConnection for ReadOnly {
    type Connection = Connection;
    type Error = rusqlite::Error;

    fn connect(&self) -> rusqlite::Result<Connection> {
        use rusqlite::OpenFlags;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(&self.0, flags)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        Ok(conn)
    }

    fn is_valid(&self, _: &mut Connection) -> rusqlite::Result<()> {
        Ok(())
    }

    /// Still inside a read transaction: its snapshot would go stale, so r2d2 closes it.
    fn has_broken(&self, conn: &mut Connection) -> bool {
        !conn.is_autocommit()
    }
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
    contacts TEXT NOT NULL DEFAULT '[]',
    seq INTEGER
);
CREATE INDEX IF NOT EXISTS organisations_owner ON organisations(owner_id, id);
CREATE TABLE IF NOT EXISTS blacklist (jti TEXT PRIMARY KEY, expires_unix INTEGER NOT NULL);
"#;

/// Fills `seq` in a database written before it existed.
const SEQ_BACKFILL: &str = r#"
UPDATE organisations SET seq = (
    SELECT r.rn FROM (
        SELECT id, ROW_NUMBER() OVER (PARTITION BY owner_id ORDER BY id) AS rn FROM organisations
    ) AS r WHERE r.id = organisations.id
);
"#;

/// `seq` = position among the owner's organisations in `id` order, maintained on every insert,
/// delete and change of owner or id. Each step is an index lookup or a range over the rows that
/// come after the changed one (none when appending, as the API always does).
const SEQ_SCHEMA: &str = r#"
CREATE INDEX IF NOT EXISTS organisations_owner_seq ON organisations(owner_id, seq);
CREATE TRIGGER IF NOT EXISTS organisations_seq_insert AFTER INSERT ON organisations BEGIN
    UPDATE organisations SET seq = seq + 1 WHERE owner_id = NEW.owner_id AND id > NEW.id;
    UPDATE organisations SET seq = 1 + COALESCE((SELECT o.seq FROM organisations AS o
        WHERE o.owner_id = NEW.owner_id AND o.id < NEW.id ORDER BY o.id DESC LIMIT 1), 0)
        WHERE id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS organisations_seq_delete AFTER DELETE ON organisations BEGIN
    UPDATE organisations SET seq = seq - 1 WHERE owner_id = OLD.owner_id AND id > OLD.id;
END;
CREATE TRIGGER IF NOT EXISTS organisations_seq_move AFTER UPDATE OF owner_id, id ON organisations
WHEN OLD.owner_id IS NOT NEW.owner_id OR OLD.id IS NOT NEW.id BEGIN
    UPDATE organisations SET seq = seq - 1
        WHERE owner_id = OLD.owner_id AND id > OLD.id AND id <> NEW.id;
    UPDATE organisations SET seq = seq + 1 WHERE owner_id = NEW.owner_id AND id > NEW.id;
    UPDATE organisations SET seq = 1 + COALESCE((SELECT o.seq FROM organisations AS o
        WHERE o.owner_id = NEW.owner_id AND o.id < NEW.id ORDER BY o.id DESC LIMIT 1), 0)
        WHERE id = NEW.id;
END;
"#;

impl Store {
    /// Opens (creating if needed) the database at `path`; `clock` dates what it writes and
    /// decides which API keys have expired.
    pub fn open(path: &Path, clock: Clock) -> anyhow::Result<Store> {
        let conn = Connection::open(path)
            .with_context(|| format!("cannot open database {}", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            bail!("cannot switch {} to WAL mode (got {mode})", path.display());
        }
        conn.execute_batch("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")?;
        Self::migrate(&conn)?;
        let max = std::thread::available_parallelism().map_or(4, |n| n.get()).clamp(2, 8) + 2;
        let readers = r2d2::Pool::builder()
            .max_size(max as u32)
            .min_idle(Some(0))
            .connection_timeout(std::time::Duration::from_secs(30))
            .build_unchecked(ReadOnly(path.to_path_buf()));
        Ok(Store {
            writer: Mutex::new(conn),
            readers,
            path: path.to_path_buf(),
            clock,
        })
    }

    /// The schema, in one write transaction (another process may open the file at the same time).
    fn migrate(conn: &Connection) -> anyhow::Result<()> {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let res = (|| -> anyhow::Result<()> {
            conn.execute_batch(SCHEMA)?;
            let has_seq: bool = conn
                .query_row(
                    "SELECT COUNT(*) FROM pragma_table_info('organisations') WHERE name='seq'",
                    [],
                    |r| r.get::<_, i64>(0),
                )
                .map(|n| n > 0)?;
            if !has_seq {
                conn.execute_batch("ALTER TABLE organisations ADD COLUMN seq INTEGER")?;
            }
            let have_triggers: i64 = conn.query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type='trigger' AND name LIKE 'organisations_seq_%'",
                [],
                |r| r.get(0),
            )?;
            if !has_seq || have_triggers < 3 {
                conn.execute_batch(SEQ_BACKFILL)?;
            }
            conn.execute_batch(SEQ_SCHEMA)?;
            Ok(())
        })();
        match res {
            Ok(()) => {
                conn.execute_batch("COMMIT")?;
                Ok(())
            }
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The writer connection (also used by writes that read back what they wrote).
    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A read-only connection from the pool (waits when all are in use).
    fn reader(&self) -> anyhow::Result<r2d2::PooledConnection<ReadOnly>> {
        self.readers
            .get()
            .with_context(|| format!("cannot open database {} for reading", self.path.display()))
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
            params![username, email, hash, self.clock.now_iso()],
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
        Self::user_by_id_on(&*self.reader()?, id)
    }

    fn user_by_id_on(conn: &Connection, id: i64) -> anyhow::Result<Option<UserRow>> {
        let mut stmt = conn.prepare_cached(
            "SELECT id, username, email, password_hash, is_superuser, is_staff, is_active, last_login FROM users WHERE id=?1",
        )?;
        Ok(stmt.query_row(params![id], Self::user_from_row).optional()?)
    }

    pub fn user_by_username(&self, username: &str) -> anyhow::Result<Option<UserRow>> {
        let conn = self.reader()?;
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
        let conn = self.reader()?;
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
        let now = self.clock.now_iso();
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
        let conn = self.reader()?;
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
                params![prefix, secrets::hash_api_key(&key), user.id, user.username, self.clock.now_iso()],
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
        let past = self.clock.unix() - 1;
        conn.execute("UPDATE api_keys SET expiry_unix=?1 WHERE id=?2", params![past, id])?;
        Ok(())
    }

    /// djangorestframework-api-key's `is_valid`: a known prefix, the right hash, not revoked,
    /// not expired.
    pub fn check_key(&self, key: &str) -> anyhow::Result<KeyStatus> {
        Self::check_key_on(&*self.reader()?, key, self.clock.unix())
    }

    fn check_key_on(conn: &Connection, key: &str, now_unix: i64) -> anyhow::Result<KeyStatus> {
        let Some((prefix, _)) = key.split_once('.') else {
            return Ok(KeyStatus::Unknown);
        };
        let row: Option<(String, Option<i64>, bool)> = {
            let mut stmt = conn.prepare_cached(
                "SELECT hashed_key, expiry_unix, revoked FROM api_keys WHERE prefix=?1",
            )?;
            stmt.query_row(params![prefix], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).optional()?
        };
        let Some((hashed, expiry, revoked)) = row else {
            return Ok(KeyStatus::Unknown);
        };
        if !secrets::api_key_matches(key, &hashed) {
            return Ok(KeyStatus::Unknown);
        }
        if revoked {
            return Ok(KeyStatus::Revoked);
        }
        if let Some(exp) = expiry {
            if exp <= now_unix {
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
            .reader()?
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

    /// The owner's number of organisations: the last `seq` (one index lookup).
    fn count_on(conn: &Connection, owner_id: i64) -> anyhow::Result<usize> {
        let mut stmt = conn.prepare_cached(
            "SELECT seq FROM organisations WHERE owner_id=?1 ORDER BY seq DESC LIMIT 1",
        )?;
        let n: Option<Option<i64>> = stmt.query_row(params![owner_id], |r| r.get(0)).optional()?;
        Ok(n.flatten().unwrap_or(0).max(0) as usize)
    }

    /// `ORDER BY id LIMIT limit OFFSET offset`, as the index range of positions it covers (`seq`
    /// follows `id`, so the index gives the rows in order without a sort).
    fn list_on(conn: &Connection, owner_id: i64, offset: usize, limit: usize) -> anyhow::Result<Vec<OrgRow>> {
        let mut stmt = conn.prepare_cached(
            "SELECT id, owner_id, name, base_currency, currencies, image, is_active, contacts FROM organisations WHERE owner_id=?1 AND seq>?2 AND seq<=?3 ORDER BY seq",
        )?;
        let (lo, hi) = (offset as i64, offset.saturating_add(limit) as i64);
        let rows = stmt
            .query_map(params![owner_id, lo, hi], Self::org_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn get_org_on(conn: &Connection, owner_id: i64, id: i64) -> anyhow::Result<Option<OrgRow>> {
        let mut stmt = conn.prepare_cached(
            "SELECT id, owner_id, name, base_currency, currencies, image, is_active, contacts FROM organisations WHERE id=?1 AND owner_id=?2",
        )?;
        Ok(stmt.query_row(params![id, owner_id], Self::org_from_row).optional()?)
    }

    pub fn count_orgs(&self, owner_id: i64) -> anyhow::Result<usize> {
        Self::count_on(&*self.reader()?, owner_id)
    }

    pub fn list_orgs(&self, owner_id: i64, offset: usize, limit: usize) -> anyhow::Result<Vec<OrgRow>> {
        Self::list_on(&*self.reader()?, owner_id, offset, limit)
    }

    /// One page, from one snapshot: the count, then `page(count)` → `Some(offset)` (None = no
    /// such page), then the rows. Returns the count and, for a valid page, its offset and rows.
    #[allow(clippy::type_complexity)]
    pub fn org_page(
        &self,
        owner_id: i64,
        limit: usize,
        page: impl FnOnce(usize) -> Option<usize>,
    ) -> anyhow::Result<(usize, Option<(usize, Vec<OrgRow>)>)> {
        self.read(|snap| snap.org_page(owner_id, limit, page))
    }

    /// Several reads from one snapshot (one read transaction on one pooled connection).
    pub fn read<T>(&self, f: impl FnOnce(&Snapshot<'_>) -> anyhow::Result<T>) -> anyhow::Result<T> {
        let conn = self.reader()?;
        conn.prepare_cached("BEGIN DEFERRED")?.execute([])?;
        let res = f(&Snapshot { conn: &conn, clock: &self.clock });
        // A read transaction: ending it cannot lose anything.
        if conn.prepare_cached("COMMIT").and_then(|mut c| c.execute([])).is_err() && !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        res
    }

    pub fn get_org(&self, owner_id: i64, id: i64) -> anyhow::Result<Option<OrgRow>> {
        Self::get_org_on(&*self.reader()?, owner_id, id)
    }

    pub fn create_org(&self, owner_id: i64, w: &OrgWrite) -> anyhow::Result<OrgRow> {
        let id: Option<OrgRow> = {
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
            let id = conn.last_insert_rowid();
            Self::get_org_on(&conn, owner_id, id)?
        };
        id.ok_or_else(|| anyhow!("organisation vanished"))
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
            Self::get_org_on(&conn, owner_id, id)
        }
    }

    /// The owner of organisation `id`, if it exists.
    pub fn org_owner(&self, id: i64) -> anyhow::Result<Option<i64>> {
        Ok(self
            .conn()
            .query_row("SELECT owner_id FROM organisations WHERE id=?1", params![id], |r| r.get(0))
            .optional()?)
    }

    /// Deletes organisation `id` (whoever owns it); false if there was none.
    pub fn delete_org(&self, id: i64) -> anyhow::Result<bool> {
        Ok(self.conn().execute("DELETE FROM organisations WHERE id=?1", params![id])? > 0)
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
            Self::get_org_on(&conn, owner_id, id)
        }
    }

    /// Creates `count` organisations for `username` in one transaction.
    pub fn seed_orgs(&self, username: &str, count: usize) -> anyhow::Result<()> {
        self.seed_orgs_named(username, count, SeedNames::InOrder)
    }

    /// `seed_orgs`, the names given in `names` order: the ids always follow creation.
    pub fn seed_orgs_named(&self, username: &str, count: usize, names: SeedNames) -> anyhow::Result<()> {
        let user = self.require_user(username)?;
        const CURRENCIES: [&str; 8] = ["USD", "EUR", "GBP", "MXN", "JPY", "CAD", "AUD", "CHF"];
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let start = Self::count_on(&tx, user.id)?;
        {
            let mut stmt = tx.prepare(
                "INSERT INTO organisations(owner_id, name, base_currency, currencies) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut numbers: Vec<usize> = (start + 1..=start + count).collect();
            if names == SeedNames::Shuffled {
                // The same order for the same count, so runs of a benchmark compare.
                numbers.shuffle(&mut rand::rngs::StdRng::seed_from_u64(count as u64));
            }
            for n in numbers {
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

/// Reads that see one consistent state of the database (see [`Store::read`]).
pub struct Snapshot<'a> {
    conn: &'a Connection,
    clock: &'a Clock,
}

impl Snapshot<'_> {
    pub fn user_by_id(&self, id: i64) -> anyhow::Result<Option<UserRow>> {
        Store::user_by_id_on(self.conn, id)
    }

    pub fn check_key(&self, key: &str) -> anyhow::Result<KeyStatus> {
        Store::check_key_on(self.conn, key, self.clock.unix())
    }

    /// The count, then `page(count)` → `Some(offset)` (None = no such page), then the rows.
    /// Returns the count and, for a valid page, its offset and rows.
    #[allow(clippy::type_complexity)]
    pub fn org_page(
        &self,
        owner_id: i64,
        limit: usize,
        page: impl FnOnce(usize) -> Option<usize>,
    ) -> anyhow::Result<(usize, Option<(usize, Vec<OrgRow>)>)> {
        let count = Store::count_on(self.conn, owner_id)?;
        let Some(offset) = page(count) else {
            return Ok((count, None));
        };
        let rows = Store::list_on(self.conn, owner_id, offset, limit)?;
        Ok((count, Some((offset, rows))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `seq` stands for: DRF's `COUNT(*)` and `ORDER BY id LIMIT OFFSET`.
    fn assert_pages_match_offset(store: &Store, owner: i64) {
        let conn = store.conn();
        let count: i64 = conn
            .query_row("SELECT COUNT(*) FROM organisations WHERE owner_id=?1", [owner], |r| r.get(0))
            .unwrap();
        drop(conn);
        assert_eq!(store.count_orgs(owner).unwrap(), count as usize, "count of owner {owner}");
        for size in [1usize, 3, 10] {
            for offset in (0..count as usize + size).step_by(size) {
                let expected: Vec<i64> = {
                    let conn = store.conn();
                    let mut stmt = conn
                        .prepare("SELECT id FROM organisations WHERE owner_id=?1 ORDER BY id LIMIT ?2 OFFSET ?3")
                        .unwrap();
                    let ids = stmt
                        .query_map(params![owner, size as i64, offset as i64], |r| r.get(0))
                        .unwrap()
                        .collect::<Result<Vec<i64>, _>>()
                        .unwrap();
                    ids
                };
                let got: Vec<i64> =
                    store.list_orgs(owner, offset, size).unwrap().into_iter().map(|o| o.id).collect();
                assert_eq!(got, expected, "owner {owner}, offset {offset}, size {size}");
                let (c, page) = store.org_page(owner, size, |_| Some(offset)).unwrap();
                assert_eq!(c, count as usize);
                assert_eq!(page.unwrap().1.into_iter().map(|o| o.id).collect::<Vec<_>>(), expected);
            }
        }
    }

    fn org(name: &str) -> OrgWrite {
        OrgWrite {
            name: Some(name.into()),
            base_currency: Some("EUR".into()),
            currencies: Some(vec!["EUR".into()]),
            ..OrgWrite::default()
        }
    }

    #[test]
    fn positions_follow_inserts_deletes_and_moves() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.sqlite3"), Clock::real()).unwrap();
        let a = store.create_user("a", "", "pw-a-123456").unwrap();
        let b = store.create_user("b", "", "pw-b-123456").unwrap();
        assert_eq!(store.count_orgs(a).unwrap(), 0);
        assert!(store.list_orgs(a, 0, 10).unwrap().is_empty());
        for i in 0..12 {
            store.create_org(if i % 3 == 0 { b } else { a }, &org(&format!("o{i}"))).unwrap();
        }
        store.seed_orgs("a", 7).unwrap();
        assert_pages_match_offset(&store, a);
        assert_pages_match_offset(&store, b);
        {
            let conn = store.conn();
            // Delete from the middle, the start and the end; move one to the other owner; give
            // one a smaller free id; insert with an explicit id in the middle.
            conn.execute_batch(
                "DELETE FROM organisations WHERE id IN (2, 5);
                 DELETE FROM organisations WHERE id = (SELECT MAX(id) FROM organisations);
                 UPDATE organisations SET owner_id = 2 WHERE id = 8;
                 UPDATE organisations SET id = 5 WHERE id = 9;
                 INSERT INTO organisations(id, owner_id, name, base_currency, currencies) VALUES (2, 1, 'x', 'EUR', 'EUR');",
            )
            .unwrap();
        }
        assert_pages_match_offset(&store, a);
        assert_pages_match_offset(&store, b);
    }

    #[test]
    fn a_database_from_before_positions_is_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(&SCHEMA.replace(",\n    seq INTEGER\n", "\n")).unwrap();
            conn.execute_batch(
                "INSERT INTO users(username, password_hash, date_joined) VALUES ('a', 'x', ''), ('b', 'x', '');
                 INSERT INTO organisations(owner_id, name, base_currency, currencies) VALUES
                    (1, 'a1', 'EUR', 'EUR'), (2, 'b1', 'EUR', 'EUR'), (1, 'a2', 'EUR', 'EUR'),
                    (1, 'a3', 'EUR', 'EUR'), (2, 'b2', 'EUR', 'EUR');",
            )
            .unwrap();
            let cols: i64 = conn
                .query_row("SELECT COUNT(*) FROM pragma_table_info('organisations') WHERE name='seq'", [], |r| r.get(0))
                .unwrap();
            assert_eq!(cols, 0);
        }
        let store = Store::open(&path, Clock::real()).unwrap();
        assert_pages_match_offset(&store, 1);
        assert_pages_match_offset(&store, 2);
        store.create_org(1, &org("a4")).unwrap();
        assert_pages_match_offset(&store, 1);
        drop(store);
        // Opening again changes nothing.
        let store = Store::open(&path, Clock::real()).unwrap();
        assert_eq!(store.count_orgs(1).unwrap(), 4);
        assert_pages_match_offset(&store, 1);
    }

    #[test]
    fn readers_see_each_committed_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.sqlite3"), Clock::real()).unwrap();
        let a = store.create_user("a", "", "pw-a-123456").unwrap();
        // Hold every reader once so that the pool is full of connections opened before the writes.
        let held: Vec<_> = (0..store.readers.max_size()).map(|_| store.reader().unwrap()).collect();
        drop(held);
        for i in 1..=20 {
            store.create_org(a, &org(&format!("o{i}"))).unwrap();
            assert_eq!(store.count_orgs(a).unwrap(), i);
        }
        let key = store.issue_key("a").unwrap();
        assert_eq!(store.check_key(&key).unwrap(), KeyStatus::Valid);
        store.revoke_key(&key).unwrap();
        assert_eq!(store.check_key(&key).unwrap(), KeyStatus::Revoked);
    }

    #[test]
    fn a_reader_left_inside_a_transaction_is_closed_not_reused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.sqlite3"), Clock::real()).unwrap();
        let a = store.create_user("a", "", "pw-a-123456").unwrap();
        {
            let conn = store.reader().unwrap();
            conn.execute_batch("BEGIN").unwrap();
            let n: i64 = conn.query_row("SELECT COUNT(*) FROM organisations", [], |r| r.get(0)).unwrap();
            assert_eq!(n, 0);
            assert!(!conn.is_autocommit());
        }
        assert_eq!(store.readers.state().connections, 0, "the connection was closed");
        store.create_org(a, &org("o1")).unwrap();
        assert_eq!(store.count_orgs(a).unwrap(), 1);
        assert_eq!(store.readers.state().idle_connections, 1, "a finished reader goes back");
    }

    #[test]
    fn shuffled_seed_names_are_the_same_names_in_no_order_and_the_same_every_time() {
        let names = |shuffled: SeedNames| {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open(&dir.path().join("t.sqlite3"), Clock::real()).unwrap();
            let a = store.create_user("a", "", "pw-a-123456").unwrap();
            store.seed_orgs_named("a", 200, shuffled).unwrap();
            store.list_orgs(a, 0, 500).unwrap().into_iter().map(|o| o.name).collect::<Vec<_>>()
        };
        let in_order = names(SeedNames::InOrder);
        let shuffled = names(SeedNames::Shuffled);
        assert_eq!(in_order.first().map(String::as_str), Some("Seed Organisation 00001"));
        assert!(in_order.windows(2).all(|w| w[0] < w[1]), "in id order, the names are sorted");
        assert_ne!(shuffled, in_order, "listed by id, the shuffled names are in no order");
        let mut sorted = shuffled.clone();
        sorted.sort();
        assert_eq!(sorted, in_order, "the same names");
        assert_eq!(names(SeedNames::Shuffled), shuffled, "the same order every time");
    }
}
