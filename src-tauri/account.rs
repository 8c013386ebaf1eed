//! The account's rules and the types the Account and About screens use. Tauri-free, so plain
//! `cargo test` covers them: the role in plain words, the password strength hint, the theme, the
//! diagnostic text for a support e-mail.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What the account may do on the server, from `is_staff` / `is_superuser`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// A regular account.
    Member,
    /// `is_staff`: may use the server's administration site.
    Staff,
    /// `is_superuser`: every permission on the server.
    Administrator,
}

impl Role {
    pub fn of(user: &oas_api::User) -> Role {
        if user.is_superuser {
            Role::Administrator
        } else if user.is_staff {
            Role::Staff
        } else {
            Role::Member
        }
    }
}

/// The profile as the server returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Profile {
    #[ts(type = "number")]
    pub id: i64,
    pub username: String,
    pub email: String,
    pub role: Role,
    /// ISO 8601 as the server sent it; the UI formats it in local time and language.
    pub last_login: Option<String>,
}

impl From<&oas_api::User> for Profile {
    fn from(user: &oas_api::User) -> Self {
        Self {
            id: user.id,
            username: user.username.clone(),
            email: user.email.clone(),
            role: Role::of(user),
            last_login: user.last_login.clone().filter(|s| !s.trim().is_empty()),
        }
    }
}

/// What the "Edit personal information" form sends.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ProfileUpdate {
    pub username: String,
    pub email: String,
}

impl ProfileUpdate {
    /// Only what changed is sent, so an untouched field can never be refused.
    pub fn patch(&self, current: &oas_api::User) -> oas_api::UserPatch {
        let changed = |new: &str, old: &str| Some(new.trim().to_string()).filter(|n| n != old);
        oas_api::UserPatch {
            username: changed(&self.username, &current.username),
            email: changed(&self.email, &current.email),
            ..Default::default()
        }
    }
}

/// What the "Change password" form sends. It carries secrets, so it has no `Debug`.
#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
    pub confirm: String,
}

/// How hard a new password is to guess, before it is sent (zxcvbn's score, 0 to 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum StrengthLevel {
    VeryWeak,
    Weak,
    Fair,
    Strong,
    VeryStrong,
}

/// Why a password is easy to guess, for a hint in the user's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum StrengthWarning {
    KeyboardPattern,
    Repeats,
    Sequence,
    CommonPassword,
    Dates,
    SingleWord,
    Names,
    /// Contains the username or email.
    PersonalInfo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PasswordStrength {
    /// 0 (guessed at once) to 4 (very hard to guess).
    pub score: u8,
    pub level: StrengthLevel,
    pub warning: Option<StrengthWarning>,
}

/// zxcvbn's estimate of `password`, knowing the account's username and email (a password built
/// from them is weak). Only a hint: the server's validators decide.
pub fn password_strength(password: &str, username: &str, email: &str) -> PasswordStrength {
    use zxcvbn::feedback::Warning as W;
    use zxcvbn::Score;
    let local_part = email.split('@').next().unwrap_or_default();
    let inputs: Vec<&str> = [username, email, local_part].into_iter().filter(|s| !s.is_empty()).collect();
    let entropy = zxcvbn::zxcvbn(password, &inputs);
    let (score, level) = match entropy.score() {
        Score::Zero => (0, StrengthLevel::VeryWeak),
        Score::One => (1, StrengthLevel::Weak),
        Score::Two => (2, StrengthLevel::Fair),
        Score::Three => (3, StrengthLevel::Strong),
        _ => (4, StrengthLevel::VeryStrong),
    };
    let personal = !password.is_empty()
        && inputs.iter().any(|i| i.len() >= 3 && password.to_lowercase().contains(&i.to_lowercase()));
    let warning = if personal && score < 3 {
        Some(StrengthWarning::PersonalInfo)
    } else {
        entropy.feedback().and_then(|f| f.warning()).map(|w| match w {
            W::StraightRowsOfKeysAreEasyToGuess | W::ShortKeyboardPatternsAreEasyToGuess => StrengthWarning::KeyboardPattern,
            W::RepeatsLikeAaaAreEasyToGuess | W::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => StrengthWarning::Repeats,
            W::SequencesLikeAbcAreEasyToGuess => StrengthWarning::Sequence,
            W::ThisIsATop10Password
            | W::ThisIsATop100Password
            | W::ThisIsACommonPassword
            | W::ThisIsSimilarToACommonlyUsedPassword => StrengthWarning::CommonPassword,
            W::RecentYearsAreEasyToGuess | W::DatesAreOftenEasyToGuess => StrengthWarning::Dates,
            W::AWordByItselfIsEasyToGuess => StrengthWarning::SingleWord,
            W::NamesAndSurnamesByThemselvesAreEasyToGuess | W::CommonNamesAndSurnamesAreEasyToGuess => StrengthWarning::Names,
        })
    };
    PasswordStrength { score, level, warning }
}

/// The colour scheme: the OS's, or one chosen in the app.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

/// What the About view shows. Nothing secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AppInfo {
    pub name: String,
    pub version: String,
    /// Seconds since 1970 (UTC) when the app was built; the UI formats it.
    #[ts(type = "number | null")]
    pub built_at: Option<i64>,
    pub tauri_version: String,
    pub webview_version: Option<String>,
    /// e.g. "linux x86_64".
    pub os: String,
    pub docs_url: String,
    /// None when the build names no project page.
    pub project_url: Option<String>,
}

/// The links the About view opens; the webview names one, Rust holds the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Link {
    Documentation,
    Project,
}

pub const DOCS_URL: &str = "https://oas-beta.ottomate.me/api/docs/";

/// The project's page, from Cargo.toml's `repository` (or `homepage`), if it names one.
pub fn project_url() -> Option<String> {
    [env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE")]
        .into_iter()
        .find(|u| u.starts_with("https://"))
        .map(str::to_string)
}

impl AppInfo {
    pub fn current(tauri_version: &str, webview_version: Option<String>) -> AppInfo {
        AppInfo {
            name: "OAS Desktop".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            built_at: option_env!("OAS_DESKTOP_BUILT_AT").and_then(|s| s.parse().ok()),
            tauri_version: tauri_version.into(),
            webview_version,
            os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
            docs_url: DOCS_URL.into(),
            project_url: project_url(),
        }
    }

    /// The text "Copy diagnostic information" puts on the clipboard for a support e-mail:
    /// versions, OS, language and server address. Never a key, token, username or password.
    pub fn diagnostics(&self, server: Option<&str>, language: &str, theme: Theme) -> String {
        let mut lines = vec![
            format!("{} {}", self.name, self.version),
            format!("Built: {}", self.built_at.map(|t| t.to_string()).unwrap_or_else(|| "unknown".into())),
            format!("Tauri: {}", self.tauri_version),
            format!("WebView: {}", self.webview_version.as_deref().unwrap_or("unknown")),
            format!("OS: {}", self.os),
            format!("Language: {}", language.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(20).collect::<String>()),
            format!("Theme: {theme:?}"),
        ];
        lines.push(format!("Server: {}", server.map(strip_userinfo).unwrap_or_else(|| "not signed in".into())));
        lines.join("\n")
    }
}

/// A server address without any `user:password@` part (an address never carries one here, but
/// diagnostics must not depend on that).
fn strip_userinfo(server: &str) -> String {
    match server.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_once('/').map(|(a, p)| (a, format!("/{p}"))).unwrap_or((rest, String::new()));
            let host = authority.rsplit_once('@').map(|(_, h)| h).unwrap_or(authority);
            format!("{scheme}://{host}{path}")
        }
        None => server.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(is_staff: bool, is_superuser: bool) -> oas_api::User {
        oas_api::User {
            id: 1,
            username: "ana".into(),
            email: "ana@example.com".into(),
            last_login: Some("2026-11-28T10:00:00Z".into()),
            is_superuser,
            is_staff,
            is_active: true,
        }
    }

    #[test]
    fn the_about_screen_links_to_the_repository_cargo_toml_names() {
        let info = AppInfo::current("2", None);
        assert_eq!(info.project_url.as_deref(), Some(env!("CARGO_PKG_REPOSITORY")));
        assert!(env!("CARGO_PKG_REPOSITORY").starts_with("https://"));
    }

    #[test]
    fn role_in_plain_words() {
        assert_eq!(Role::of(&user(false, false)), Role::Member);
        assert_eq!(Role::of(&user(true, false)), Role::Staff);
        assert_eq!(Role::of(&user(true, true)), Role::Administrator);
        assert_eq!(Role::of(&user(false, true)), Role::Administrator);
        assert_eq!(serde_json::to_value(Role::Administrator).unwrap(), "administrator");
    }

    #[test]
    fn profile_update_sends_only_what_changed() {
        let current = user(false, false);
        let same = ProfileUpdate { username: " ana ".into(), email: "ana@example.com".into() };
        assert_eq!(same.patch(&current), oas_api::UserPatch::default());
        let changed = ProfileUpdate { username: "ana.b".into(), email: " ana@example.com".into() };
        let patch = changed.patch(&current);
        assert_eq!(patch.username.as_deref(), Some("ana.b"));
        assert_eq!(patch.email, None);
    }

    #[test]
    fn strength_hint() {
        let weak = password_strength("password", "ana", "ana@example.com");
        assert_eq!(weak.level, StrengthLevel::VeryWeak);
        assert_eq!(weak.warning, Some(StrengthWarning::CommonPassword));
        let personal = password_strength("ana2026", "ana", "ana@example.com");
        assert!(personal.score < 3);
        assert_eq!(personal.warning, Some(StrengthWarning::PersonalInfo));
        let strong = password_strength("violet-harbour-tundra-41", "ana", "ana@example.com");
        assert!(strong.score >= 3, "{strong:?}");
        assert_eq!(password_strength("", "ana", "").score, 0);
    }

    #[test]
    fn diagnostics_hold_no_secret() {
        let info = AppInfo::current("2.12.0", Some("2.44".into()));
        let text = info.diagnostics(Some("https://bob:secret@oas.example/api/"), "es-MX", Theme::Dark);
        assert!(text.contains("https://oas.example/api/"), "{text}");
        assert!(!text.contains("secret") && !text.contains("bob"), "{text}");
        assert!(text.contains(env!("CARGO_PKG_VERSION")));
        assert!(text.contains("Language: es-MX"));
        assert!(info.diagnostics(None, "en", Theme::System).contains("not signed in"));
    }

    #[test]
    fn theme_json() {
        assert_eq!(serde_json::to_value(Theme::System).unwrap(), "system");
        assert_eq!(serde_json::from_value::<Theme>("dark".into()).unwrap(), Theme::Dark);
        assert_eq!(serde_json::from_value::<Link>("documentation".into()).unwrap(), Link::Documentation);
    }
}
