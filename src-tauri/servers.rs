//! Server profiles: named servers ("Production", "Training sandbox"), each with its own address,
//! colour and remembered account, and which one is in use. Pure rules; `settings.rs` keeps them
//! in settings.json and the keychain keeps each one's secrets under its address and user id.
//!
//! A profile's id is stable (renaming keeps it). No two profiles share an address, so an address
//! names at most one profile and one session. A new address is a new server: the key and session
//! kept for the old one are forgotten and the key is asked for again.

use oas_api::ServerUrl;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{ErrorCode, IpcError};
use crate::ipc::Remembered;

/// What the window title starts with.
pub const APP_NAME: &str = "OAS Desktop";
/// Longest profile name, in characters (it sits in the header and the window title).
pub const NAME_MAX: usize = 40;

/// A profile's colour in the header: a small fixed palette, each with enough contrast for white
/// text in both themes (the name is always written next to it: colour is never the only cue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "camelCase")]
pub enum ServerColour {
    Blue,
    Green,
    Orange,
    Purple,
    Red,
    Grey,
}

/// One server the person works with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ServerProfile {
    pub id: String,
    pub name: String,
    pub colour: ServerColour,
    /// Its address (the API root) and the account last signed in there.
    pub remembered: Remembered,
}

impl ServerProfile {
    pub fn server(&self) -> &str {
        &self.remembered.server
    }
}

/// What a person types to add or change a profile.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ServerInput {
    pub name: String,
    pub address: String,
    pub colour: ServerColour,
}

/// Every profile and the one in use, as kept in settings.json.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Servers {
    pub profiles: Vec<ServerProfile>,
    /// The profile in use; `None` is "another server" on the sign-in form.
    pub current: Option<String>,
    /// Ids are never reused, so nothing remembered for a removed profile finds a new one.
    next_id: u64,
}

/// What changing a profile means for the keychain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edited {
    pub profile: ServerProfile,
    /// The address changed: what was kept for the old one (key, session) is to be forgotten.
    pub moved_from: Option<Remembered>,
}

fn name_problem(code: ErrorCode, message: &str) -> IpcError {
    IpcError::field(code, "name", message)
}

/// The host of an API root, as a first name for a server nobody named yet.
fn host_of(server: &str) -> String {
    let rest = server.split_once("://").map_or(server, |(_, rest)| rest);
    rest.split('/').next().unwrap_or(rest).to_string()
}

impl Servers {
    /// What settings.json holds. Versions before profiles remembered one server (`remembered`):
    /// it becomes the first profile, named by its host, with the same keychain entries.
    pub fn load(stored: Option<Servers>, remembered: Option<Remembered>) -> Servers {
        if let Some(stored) = stored {
            return stored;
        }
        let mut servers = Servers::default();
        if let Some(remembered) = remembered.filter(|r| !r.server.trim().is_empty()) {
            let name = host_of(&remembered.server);
            let profile = servers.make(name.chars().take(NAME_MAX).collect(), ServerColour::Blue, remembered);
            servers.current = Some(profile.id.clone());
            servers.profiles.push(profile);
        }
        servers
    }

    fn make(&mut self, name: String, colour: ServerColour, remembered: Remembered) -> ServerProfile {
        loop {
            self.next_id += 1;
            let id = format!("s{}", self.next_id);
            if self.get(&id).is_none() {
                return ServerProfile { id, name, colour, remembered };
            }
        }
    }

    pub fn get(&self, id: &str) -> Option<&ServerProfile> {
        self.profiles.iter().find(|p| p.id == id)
    }

    pub fn current(&self) -> Option<&ServerProfile> {
        self.get(self.current.as_deref()?)
    }

    /// The profile of this address (an API root), if any.
    pub fn by_server(&self, server: &str) -> Option<&ServerProfile> {
        self.profiles.iter().find(|p| p.server() == server)
    }

    /// What the sign-in form remembers: the profile in use's, or nothing for "another server".
    pub fn remembered(&self) -> Remembered {
        self.current().map(|p| p.remembered.clone()).unwrap_or_default()
    }

    /// "OAS Desktop — Production", so the window says which server is in use.
    pub fn window_title(&self) -> String {
        match self.current() {
            Some(profile) => format!("{APP_NAME} — {}", profile.name),
            None => APP_NAME.to_string(),
        }
    }

    fn check_name(&self, name: &str, except: Option<&str>) -> Result<String, IpcError> {
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() || name.chars().count() > NAME_MAX {
            return Err(name_problem(ErrorCode::ServerNameInvalid, "a server's name is 1 to 40 characters"));
        }
        let taken = self.profiles.iter().any(|p| Some(p.id.as_str()) != except && p.name.to_lowercase() == name.to_lowercase());
        if taken {
            return Err(name_problem(ErrorCode::ServerNameTaken, "another server has this name"));
        }
        Ok(name)
    }

    fn check_address(&self, address: &str, except: Option<&str>) -> Result<String, IpcError> {
        let server = ServerUrl::parse(address)
            .map_err(|e| {
                let error = IpcError::from(e);
                IpcError::field(error.code, "address", error.message)
            })?
            .as_str()
            .to_string();
        if self.profiles.iter().any(|p| Some(p.id.as_str()) != except && p.server() == server) {
            return Err(IpcError::field(ErrorCode::ServerAddressTaken, "address", "another server has this address"));
        }
        Ok(server)
    }

    /// Adds a profile (not yet signed in). It does not become the one in use.
    pub fn add(&mut self, input: &ServerInput) -> Result<ServerProfile, IpcError> {
        let name = self.check_name(&input.name, None)?;
        let server = self.check_address(&input.address, None)?;
        let profile = self.make(name, input.colour, Remembered { server, ..Remembered::default() });
        self.profiles.push(profile.clone());
        Ok(profile)
    }

    /// Renames, recolours or readdresses a profile. A new address keeps the remembered username
    /// (the same person, most likely) but not the user id: the key kept for the old address is
    /// not sent to the new one.
    pub fn edit(&mut self, id: &str, input: &ServerInput) -> Result<Edited, IpcError> {
        let name = self.check_name(&input.name, Some(id))?;
        let server = self.check_address(&input.address, Some(id))?;
        let profile = self.profiles.iter_mut().find(|p| p.id == id).ok_or_else(unknown)?;
        let moved_from = (profile.remembered.server != server).then(|| profile.remembered.clone());
        profile.name = name;
        profile.colour = input.colour;
        if moved_from.is_some() {
            profile.remembered = Remembered { server, user_id: None, ..profile.remembered.clone() };
        }
        Ok(Edited { profile: profile.clone(), moved_from })
    }

    /// Removes a profile; when it was in use, the first one left (if any) takes its place.
    pub fn remove(&mut self, id: &str) -> Result<ServerProfile, IpcError> {
        let index = self.profiles.iter().position(|p| p.id == id).ok_or_else(unknown)?;
        let removed = self.profiles.remove(index);
        if self.current.as_deref() == Some(id) {
            self.current = self.profiles.first().map(|p| p.id.clone());
        }
        Ok(removed)
    }

    /// Makes a profile the one in use (`None`: "another server").
    pub fn select(&mut self, id: Option<&str>) -> Result<(), IpcError> {
        if let Some(id) = id {
            self.get(id).ok_or_else(unknown)?;
        }
        self.current = id.map(str::to_string);
        Ok(())
    }

    /// The profile a sign-in to `server` (an API root) is for: the one with that address; else
    /// the one in use when it has never been signed in (it takes the address); else a new one,
    /// named by the host. Not stored until `signed_in`.
    pub fn for_sign_in(&self, server: &str) -> ServerProfile {
        if let Some(profile) = self.by_server(server) {
            return profile.clone();
        }
        if let Some(current) = self.current().filter(|p| p.remembered.user_id.is_none() && p.remembered.username.is_empty() && p.remembered.email.is_empty()) {
            return ServerProfile { remembered: Remembered { server: server.to_string(), ..Remembered::default() }, ..current.clone() };
        }
        let mut next = self.clone();
        let mut name: String = host_of(server).chars().take(NAME_MAX).collect();
        let mut n = 1;
        while next.check_name(&name, None).is_err() {
            n += 1;
            name = format!("{} ({n})", host_of(server).chars().take(NAME_MAX - 5).collect::<String>());
        }
        let colour = next.unused_colour();
        next.make(name, colour, Remembered { server: server.to_string(), ..Remembered::default() })
    }

    fn unused_colour(&self) -> ServerColour {
        use strum::VariantArray;
        let used = |c: &ServerColour| self.profiles.iter().any(|p| p.colour == *c);
        *ServerColour::VARIANTS.iter().find(|c| !used(c)).unwrap_or(&ServerColour::Blue)
    }

    /// A sign-in succeeded for `profile` (from `for_sign_in`): it is stored with what to remember
    /// and becomes the one in use.
    pub fn signed_in(&mut self, profile: ServerProfile, remembered: Remembered) {
        if let Some(n) = profile.id.strip_prefix('s').and_then(|n| n.parse::<u64>().ok()) {
            self.next_id = self.next_id.max(n);
        }
        let id = profile.id.clone();
        let profile = ServerProfile { remembered, ..profile };
        match self.profiles.iter_mut().find(|p| p.id == id) {
            Some(existing) => *existing = profile,
            None => self.profiles.push(profile),
        }
        self.current = Some(id);
    }

    /// The account details of the profile on `server` changed (a new username, a restored old
    /// profile that gains its user id).
    pub fn remember(&mut self, remembered: Remembered) {
        if let Some(profile) = self.profiles.iter_mut().find(|p| p.server() == remembered.server) {
            profile.remembered = remembered;
        }
    }
}

fn unknown() -> IpcError {
    IpcError::new(ErrorCode::NotFound, "no such server profile")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, address: &str) -> ServerInput {
        ServerInput { name: name.into(), address: address.into(), colour: ServerColour::Green }
    }

    fn ana(server: &str) -> Remembered {
        Remembered { server: server.into(), username: "ana".into(), email: "ana@example.com".into(), user_id: Some(7) }
    }

    #[test]
    fn the_one_remembered_server_of_an_older_version_becomes_the_first_profile() {
        let old = ana("https://oas.example.com/api/");
        let servers = Servers::load(None, Some(old.clone()));
        assert_eq!(servers.profiles.len(), 1);
        let first = &servers.profiles[0];
        assert_eq!((first.name.as_str(), first.remembered.clone()), ("oas.example.com", old.clone()));
        assert_eq!(servers.current.as_deref(), Some(first.id.as_str()));
        assert_eq!(servers.remembered(), old, "same address and user id: the same keychain entries");
        assert_eq!(servers.window_title(), "OAS Desktop — oas.example.com");

        assert_eq!(Servers::load(None, None), Servers::default());
        assert_eq!(Servers::load(None, Some(Remembered::default())).profiles.len(), 0);
        // Profiles already there win over the old field (which older builds may still write).
        let mut kept = Servers::default();
        kept.add(&input("Beta", "oas-beta.example.com")).unwrap();
        assert_eq!(Servers::load(Some(kept.clone()), Some(old)), kept);
    }

    #[test]
    fn names_are_trimmed_unique_and_short_addresses_are_normalised_and_unique() {
        let mut servers = Servers::default();
        let production = servers.add(&input("  Production  ", "https://oas.example.com/api/docs/")).unwrap();
        assert_eq!(production.name, "Production");
        assert_eq!(production.server(), "https://oas.example.com/api/");
        assert_eq!(servers.current, None, "adding does not switch");

        let code = |r: Result<ServerProfile, IpcError>| r.unwrap_err().code;
        assert_eq!(code(servers.add(&input("production", "beta.example.com"))), ErrorCode::ServerNameTaken);
        assert_eq!(code(servers.add(&input("   ", "beta.example.com"))), ErrorCode::ServerNameInvalid);
        assert_eq!(code(servers.add(&input(&"x".repeat(41), "beta.example.com"))), ErrorCode::ServerNameInvalid);
        assert_eq!(code(servers.add(&input("Beta", "oas.example.com"))), ErrorCode::ServerAddressTaken);
        assert_eq!(code(servers.add(&input("Beta", "http://beta.example.com"))), ErrorCode::InsecureAddress);
        let error = servers.add(&input("Beta", "")).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidAddress);
        assert!(error.fields.unwrap().contains_key("address"));
        let beta = servers.add(&input("Beta", "beta.example.com")).unwrap();
        assert_ne!(beta.id, production.id);
    }

    #[test]
    fn renaming_keeps_the_id_and_account_a_new_address_forgets_the_account() {
        let mut servers = Servers::default();
        let profile = servers.add(&input("Sandbox", "127.0.0.1:8765")).unwrap();
        servers.signed_in(profile.clone(), ana("http://127.0.0.1:8765/api/"));

        let renamed = servers.edit(&profile.id, &ServerInput { colour: ServerColour::Red, ..input("Training sandbox", "127.0.0.1:8765") }).unwrap();
        assert_eq!(renamed.moved_from, None);
        assert_eq!((renamed.profile.id.as_str(), renamed.profile.name.as_str()), (profile.id.as_str(), "Training sandbox"));
        assert_eq!(renamed.profile.colour, ServerColour::Red);
        assert_eq!(renamed.profile.remembered.user_id, Some(7), "the keychain entries still match");
        assert_eq!(servers.window_title(), "OAS Desktop — Training sandbox");

        let moved = servers.edit(&profile.id, &input("Training sandbox", "127.0.0.1:9000")).unwrap();
        assert_eq!(moved.moved_from, Some(ana("http://127.0.0.1:8765/api/")));
        assert_eq!(moved.profile.remembered, Remembered { server: "http://127.0.0.1:9000/api/".into(), user_id: None, ..ana("") });
        assert_eq!(servers.edit("s99", &input("X", "x.example.com")).unwrap_err().code, ErrorCode::NotFound);
    }

    #[test]
    fn removing_the_profile_in_use_moves_to_the_first_left() {
        let mut servers = Servers::default();
        let a = servers.add(&input("Production", "a.example.com")).unwrap();
        let b = servers.add(&input("Beta", "b.example.com")).unwrap();
        servers.select(Some(&b.id)).unwrap();
        servers.remove(&a.id).unwrap();
        assert_eq!(servers.current.as_deref(), Some(b.id.as_str()));
        servers.remove(&b.id).unwrap();
        assert_eq!(servers.current, None);
        assert_eq!(servers.window_title(), "OAS Desktop");
        assert_eq!(servers.select(Some(&a.id)).unwrap_err().code, ErrorCode::NotFound);
        let c = servers.add(&input("Production", "a.example.com")).unwrap();
        assert!(![a.id, b.id].contains(&c.id), "ids are never reused");
    }

    #[test]
    fn a_sign_in_goes_to_the_profile_of_its_address_or_a_fresh_one() {
        let mut servers = Servers::default();
        // First run: "another server" makes a profile named by its host.
        let first = servers.for_sign_in("https://oas.example.com/api/");
        assert!(servers.profiles.is_empty(), "not stored before the sign-in succeeds");
        servers.signed_in(first.clone(), ana("https://oas.example.com/api/"));
        assert_eq!(servers.current().unwrap().name, "oas.example.com");
        assert_eq!(servers.for_sign_in("https://oas.example.com/api/").id, first.id);

        // A profile added but never signed in takes the address typed on its form.
        let beta = servers.add(&input("Beta", "beta.example.com")).unwrap();
        servers.select(Some(&beta.id)).unwrap();
        let typed = servers.for_sign_in("https://beta2.example.com/api/");
        assert_eq!((typed.id.as_str(), typed.server()), (beta.id.as_str(), "https://beta2.example.com/api/"));

        // One that has an account keeps it: another address is another server.
        servers.select(Some(&first.id)).unwrap();
        let other = servers.for_sign_in("https://other.example.com/api/");
        assert!(servers.get(&other.id).is_none());
        assert_ne!(other.colour, first.colour);
        servers.signed_in(other.clone(), ana("https://other.example.com/api/"));
        assert_eq!(servers.profiles.len(), 3);
        assert_eq!(servers.current.as_deref(), Some(other.id.as_str()));
        let again = servers.add(&input("Again", "again.example.com")).unwrap();
        assert_ne!(again.id, other.id);
    }

    #[test]
    fn the_stored_form_round_trips() {
        let mut servers = Servers::default();
        let p = servers.add(&input("Production", "a.example.com")).unwrap();
        servers.select(Some(&p.id)).unwrap();
        let json = serde_json::to_value(&servers).unwrap();
        assert_eq!(json["profiles"][0]["colour"], "green");
        assert_eq!(serde_json::from_value::<Servers>(json).unwrap(), servers);
    }
}
