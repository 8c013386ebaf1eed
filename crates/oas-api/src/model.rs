//! Typed models of the OAS API, tolerant of unknown fields and of the variations the contract
//! allows.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// The signed-in user (`/api/auth/user/`, and `user` of the login answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    #[serde(default, deserialize_with = "lenient_string")]
    pub username: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub email: String,
    /// As the server sent it (ISO 8601, any offset).
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub last_login: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub is_superuser: bool,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub is_staff: bool,
    #[serde(default = "yes", deserialize_with = "lenient_bool")]
    pub is_active: bool,
}

fn yes() -> bool {
    true
}

/// A contact of an organisation. The contact fields are not published: this type accepts any
/// object, reads what it recognises and keeps the rest in `extra`, sent back unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Contact {
    #[serde(default, alias = "full_name", deserialize_with = "lenient_string")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient_opt_string")]
    pub email: Option<String>,
    #[serde(default, alias = "phone_number", skip_serializing_if = "Option::is_none", deserialize_with = "lenient_opt_string")]
    pub phone: Option<String>,
    #[serde(default, alias = "position", skip_serializing_if = "Option::is_none", deserialize_with = "lenient_opt_string")]
    pub role: Option<String>,
    /// Fields this app does not know (an `id`, a `created_at`, ...): kept so a save sends them back.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An organisation (`/api/organisations/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: i64,
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub base_currency: String,
    /// Read from a JSON list `["USD","EUR"]` or a string `"USD,EUR"`.
    #[serde(default, deserialize_with = "currencies")]
    pub currencies: Vec<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub image: Option<String>,
    #[serde(default, deserialize_with = "lenient_user")]
    pub owner: Option<User>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    pub is_active: Option<bool>,
    #[serde(default, deserialize_with = "lenient_contacts")]
    pub contacts: Option<Vec<Contact>>,
    /// Fields this app does not know. An edit sends only the fields it changed, so the server
    /// keeps these as they are.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One page of a list: `{count, next, previous, results}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    pub count: u64,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<T>,
}

/// The body of `POST /api/organisations/`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewOrganisation {
    pub name: String,
    pub base_currency: String,
    pub currencies: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Vec<Contact>>,
}

/// The body of `PATCH /api/organisations/{id}/`: only the fields that are `Some` are sent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OrganisationPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currencies: Option<Vec<String>>,
    /// `Some(None)` clears the image (sends `null`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Vec<Contact>>,
}

/// The body of `PATCH /api/auth/user/`: only the fields that are `Some` are sent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UserPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
}

// ---------------------------------------------------------------- lenient deserialisers

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    })
}

fn lenient_opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn bool_of(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().map(|n| n != 0),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Some(true),
            "false" | "0" | "no" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(bool_of(&Value::deserialize(d)?).unwrap_or(false))
}

fn lenient_opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(bool_of(&Value::deserialize(d)?))
}

/// Currency codes from a list or from a comma-separated string.
pub(crate) fn currencies_of(v: &Value) -> Vec<String> {
    let clean = |s: &str| s.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'').to_string();
    match v {
        Value::Array(items) => items
            .iter()
            .filter_map(|i| match i {
                Value::String(s) => Some(clean(s)),
                Value::Object(o) => o.get("code").and_then(Value::as_str).map(clean),
                _ => None,
            })
            .filter(|s| !s.is_empty())
            .collect(),
        Value::String(s) => {
            let s = s.trim();
            // A JSON list serialised into a string: "[\"USD\", \"EUR\"]".
            if s.starts_with('[') {
                if let Ok(inner @ Value::Array(_)) = serde_json::from_str::<Value>(s) {
                    return currencies_of(&inner);
                }
            }
            s.trim_matches(|c| c == '[' || c == ']')
                .split([',', ';'])
                .map(clean)
                .filter(|p| !p.is_empty())
                .collect()
        }
        _ => Vec::new(),
    }
}

fn currencies<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(currencies_of(&Value::deserialize(d)?))
}

fn lenient_user<'de, D: Deserializer<'de>>(d: D) -> Result<Option<User>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(if v.is_object() { serde_json::from_value(v).ok() } else { None })
}

fn lenient_contacts<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Contact>>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => Some(
            items
                .into_iter()
                .filter(Value::is_object)
                .filter_map(|i| serde_json::from_value(i).ok())
                .collect(),
        ),
        Value::Object(o) => serde_json::from_value(Value::Object(o)).ok().map(|c| vec![c]),
        _ => None,
    })
}

/// Parses a list answer: a `{count, next, previous, results}` page, or (tolerated) a bare list.
/// `None` when the JSON does not have that shape.
pub(crate) fn page_from_value<T: serde::de::DeserializeOwned>(v: Value) -> Option<Page<T>> {
    let (count, next, previous, results) = match v {
        Value::Array(items) => (None, None, None, items),
        Value::Object(mut o) => {
            let results = match o.remove("results")? {
                Value::Array(items) => items,
                _ => return None,
            };
            let count = o.get("count").and_then(Value::as_u64);
            let link = |v: Option<&Value>| v.and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
            (count, link(o.get("next")), link(o.get("previous")), results)
        }
        _ => return None,
    };
    let results: Vec<T> = results.into_iter().map(serde_json::from_value).collect::<Result<_, _>>().ok()?;
    Some(Page { count: count.unwrap_or(results.len() as u64), next, previous, results })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn user_tolerates_missing_and_unknown() {
        let u: User = serde_json::from_value(json!({"id": 3, "username": "ana", "extra": [1], "is_staff": "true"})).unwrap();
        assert_eq!(u.id, 3);
        assert_eq!(u.username, "ana");
        assert_eq!(u.email, "");
        assert!(u.is_staff && u.is_active && !u.is_superuser);
        assert_eq!(u.last_login, None);
        let u: User = serde_json::from_value(json!({"id": 1, "email": null, "last_login": "2026-11-28T05:00:00.123456-03:00", "is_active": false})).unwrap();
        assert_eq!(u.last_login.as_deref(), Some("2026-11-28T05:00:00.123456-03:00"));
        assert!(!u.is_active);
    }

    #[test]
    fn organisation_currencies_both_ways() {
        let o: Organisation = serde_json::from_value(json!({
            "id": 7, "name": "Acme", "base_currency": "USD", "currencies": "USD, EUR,,MXN", "image": null,
            "owner": {"id": 1, "username": "ana", "email": "a@x"}, "unknown": {"x": 1}
        })).unwrap();
        assert_eq!(o.currencies, vec!["USD", "EUR", "MXN"]);
        assert_eq!(o.image, None);
        assert_eq!(o.owner.unwrap().username, "ana");
        assert_eq!(Value::Object(o.extra), json!({"unknown": {"x": 1}}));
        let o: Organisation = serde_json::from_value(json!({"id": 8, "name": "B", "base_currency": "EUR", "currencies": ["EUR", "USD"], "owner": 5, "contacts": [{"name": "Bo", "email": "b@x", "zzz": 1}, 3]})).unwrap();
        assert_eq!(o.currencies, vec!["EUR", "USD"]);
        assert_eq!(o.owner, None);
        assert_eq!(o.contacts.unwrap(), vec![Contact { name: "Bo".into(), email: Some("b@x".into()), extra: json!({"zzz": 1}).as_object().unwrap().clone(), ..Default::default() }]);
        assert_eq!(currencies_of(&json!("[\"USD\", \"EUR\"]")), vec!["USD", "EUR"]);
        assert_eq!(currencies_of(&json!("['USD', 'EUR']")), vec!["USD", "EUR"]);
        assert_eq!(currencies_of(&json!(null)), Vec::<String>::new());
    }

    #[test]
    fn unknown_fields_survive_a_round_trip() {
        let sent = json!({
            "id": 4, "name": "A", "base_currency": "USD", "currencies": ["USD"], "image": null,
            "created_at": "2026-01-01", "tags": ["x"],
            "contacts": [{"id": 17, "full_name": "Bo", "email": "b@x", "note": {"vip": true}}]
        });
        let o: Organisation = serde_json::from_value(sent).unwrap();
        assert_eq!(o.extra.get("created_at"), Some(&json!("2026-01-01")));
        let contact = &o.contacts.as_ref().unwrap()[0];
        assert_eq!(contact.name, "Bo");
        assert_eq!(
            serde_json::to_value(contact).unwrap(),
            json!({"id": 17, "name": "Bo", "email": "b@x", "note": {"vip": true}})
        );
        let back = serde_json::to_value(&o).unwrap();
        assert_eq!(back["tags"], json!(["x"]));
        assert_eq!(back["contacts"][0]["note"], json!({"vip": true}));
    }

    #[test]
    fn pages() {
        let p: Page<Organisation> = page_from_value(json!({"count": 1, "next": null, "previous": "", "results": [{"id": 1, "name": "a", "base_currency": "USD", "currencies": []}]})).unwrap();
        assert_eq!((p.count, p.results.len(), p.previous), (1, 1, None));
        let p: Page<Organisation> = page_from_value(json!([{"id": 1}, {"id": 2}])).unwrap();
        assert_eq!(p.count, 2);
        assert!(page_from_value::<Organisation>(json!({"detail": "x"})).is_none());
        assert!(page_from_value::<Organisation>(json!({"results": [{"name": "no id"}]})).is_none());
    }

    #[test]
    fn patches_send_only_what_is_set() {
        let p = OrganisationPatch { name: Some("N".into()), image: Some(None), ..Default::default() };
        assert_eq!(serde_json::to_value(&p).unwrap(), json!({"name": "N", "image": null}));
        let n = NewOrganisation { name: "A".into(), base_currency: "USD".into(), currencies: vec!["USD".into()], ..Default::default() };
        assert_eq!(serde_json::to_value(&n).unwrap(), json!({"name": "A", "base_currency": "USD", "currencies": ["USD"]}));
    }
}
