//! The rules of editing an organisation that another admin may be editing too: send only what
//! changed, and never overwrite their change unseen. Three versions are compared field by field:
//! the **base** (the organisation as it was when the form opened), **mine** (the form) and
//! **theirs** (the server's copy now).
//!
//! | mine changed | theirs changed | result                                   |
//! |--------------|----------------|------------------------------------------|
//! | no           | any            | keep theirs, send nothing                |
//! | yes          | no             | send mine                                |
//! | yes          | yes, same      | nothing to send                          |
//! | yes          | yes, different | a conflict: the person chooses           |
//!
//! Currencies compare as sets (order does not matter); contacts merge one contact at a time.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Error;
use crate::model::{Contact, Organisation, OrganisationPatch};
use crate::session::Session;

/// The fields of an organisation a person edits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrganisationFields {
    pub name: String,
    pub base_currency: String,
    pub currencies: Vec<String>,
    pub image: Option<String>,
    /// `None`: the server has no contacts, or this edit does not touch them.
    pub contacts: Option<Vec<Contact>>,
}

impl From<&Organisation> for OrganisationFields {
    fn from(o: &Organisation) -> Self {
        Self {
            name: o.name.clone(),
            base_currency: o.base_currency.clone(),
            currencies: o.currencies.clone(),
            image: o.image.clone(),
            contacts: o.contacts.clone(),
        }
    }
}

/// One editable field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EditField {
    Name,
    BaseCurrency,
    Currencies,
    Image,
    Contacts,
}

/// The outcome of comparing base, mine and theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merge {
    /// What to send: my changes to fields nobody else changed (empty when nothing to send).
    pub patch: OrganisationPatch,
    /// Theirs with my non-conflicting changes applied; conflicting fields hold mine.
    pub merged: OrganisationFields,
    /// Fields both of us changed to different values, in form order.
    pub conflicts: Vec<EditField>,
    /// Fields only they changed: their value is in `merged` (so the person can be told).
    pub theirs_kept: Vec<EditField>,
}

impl OrganisationPatch {
    /// True when the patch would change nothing.
    pub fn is_empty(&self) -> bool {
        *self == OrganisationPatch::default()
    }
}

fn text(s: &str) -> &str {
    s.trim()
}

fn image(i: &Option<String>) -> Option<&str> {
    i.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn currency_set(list: &[String]) -> BTreeSet<String> {
    list.iter().map(|c| c.trim().to_ascii_uppercase()).filter(|c| !c.is_empty()).collect()
}

fn blank_is_none(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn same_contact(a: &Contact, b: &Contact) -> bool {
    a.name.trim() == b.name.trim()
        && blank_is_none(&a.email) == blank_is_none(&b.email)
        && blank_is_none(&a.phone) == blank_is_none(&b.phone)
        && blank_is_none(&a.role) == blank_is_none(&b.role)
        && a.extra == b.extra
}

fn same_opt_contact(a: Option<&Contact>, b: Option<&Contact>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => same_contact(a, b),
        (None, None) => true,
        _ => false,
    }
}

fn same_contacts(a: &[Contact], b: &[Contact]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same_contact(a, b))
}

/// Which contact is which across versions: the server's `id` when it sends one, else the position.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ContactKey {
    Id(String),
    Position(usize),
}

fn keyed(list: &[Contact]) -> Vec<(ContactKey, &Contact)> {
    list.iter()
        .enumerate()
        .map(|(i, c)| {
            let key = match c.extra.get("id") {
                Some(Value::Number(n)) => ContactKey::Id(n.to_string()),
                Some(Value::String(s)) if !s.is_empty() => ContactKey::Id(s.clone()),
                _ => ContactKey::Position(i),
            };
            (key, c)
        })
        .collect()
}

fn find<'a>(list: &[(ContactKey, &'a Contact)], key: &ContactKey) -> Option<&'a Contact> {
    list.iter().find(|(k, _)| k == key).map(|(_, c)| *c)
}

/// Merges contact lists one contact at a time; `None` when one contact was changed differently
/// by both (or added by both at the same place).
fn merge_contacts(base: &[Contact], mine: &[Contact], theirs: &[Contact]) -> Option<Vec<Contact>> {
    let (base, mine, theirs) = (keyed(base), keyed(mine), keyed(theirs));
    let mut keys: Vec<&ContactKey> = mine.iter().map(|(k, _)| k).collect();
    for (k, _) in &theirs {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    for (k, _) in &base {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let mut out = Vec::new();
    for key in keys {
        let (b, m, t) = (find(&base, key), find(&mine, key), find(&theirs, key));
        let chosen = if same_opt_contact(m, b) {
            t
        } else if same_opt_contact(t, b) || same_opt_contact(m, t) {
            m
        } else {
            return None;
        };
        out.extend(chosen.cloned());
    }
    Some(out)
}

/// Compares base, mine and theirs (see the module's table).
pub fn merge(base: &OrganisationFields, mine: &OrganisationFields, theirs: &OrganisationFields) -> Merge {
    let mut patch = OrganisationPatch::default();
    let mut merged = theirs.clone();
    let mut conflicts = Vec::new();
    let mut theirs_kept = Vec::new();

    // For one field: Some(true) send mine, Some(false) keep theirs, None conflict.
    let decide = |mine_changed: bool, theirs_changed: bool, mine_is_theirs: bool| match (mine_changed, theirs_changed) {
        (false, _) => Some(false),
        (true, false) => Some(!mine_is_theirs),
        (true, true) if mine_is_theirs => Some(false),
        (true, true) => None,
    };
    let mut apply = |field: EditField, decision: Option<bool>, theirs_changed: bool, set: &mut dyn FnMut(&mut OrganisationPatch, &mut OrganisationFields)| {
        match decision {
            Some(false) => {
                if theirs_changed {
                    theirs_kept.push(field);
                }
            }
            Some(true) => set(&mut patch, &mut merged),
            None => {
                let mut ignored = OrganisationPatch::default();
                set(&mut ignored, &mut merged);
                conflicts.push(field);
            }
        }
    };

    let theirs_changed = text(&theirs.name) != text(&base.name);
    let d = decide(text(&mine.name) != text(&base.name), theirs_changed, text(&mine.name) == text(&theirs.name));
    apply(EditField::Name, d, theirs_changed, &mut |p, m| {
        p.name = Some(text(&mine.name).to_string());
        m.name = text(&mine.name).to_string();
    });

    let theirs_changed = text(&theirs.base_currency) != text(&base.base_currency);
    let d = decide(text(&mine.base_currency) != text(&base.base_currency), theirs_changed, text(&mine.base_currency) == text(&theirs.base_currency));
    apply(EditField::BaseCurrency, d, theirs_changed, &mut |p, m| {
        p.base_currency = Some(text(&mine.base_currency).to_string());
        m.base_currency = text(&mine.base_currency).to_string();
    });

    let (b, m, t) = (currency_set(&base.currencies), currency_set(&mine.currencies), currency_set(&theirs.currencies));
    apply(EditField::Currencies, decide(m != b, t != b, m == t), t != b, &mut |p, m| {
        p.currencies = Some(mine.currencies.clone());
        m.currencies = mine.currencies.clone();
    });

    let theirs_changed = image(&theirs.image) != image(&base.image);
    let d = decide(image(&mine.image) != image(&base.image), theirs_changed, image(&mine.image) == image(&theirs.image));
    apply(EditField::Image, d, theirs_changed, &mut |p, m| {
        p.image = Some(image(&mine.image).map(str::to_string));
        m.image = image(&mine.image).map(str::to_string);
    });

    // Contacts are only compared when this edit manages them and the server has them.
    if let (Some(mine_c), Some(theirs_c)) = (&mine.contacts, &theirs.contacts) {
        let base_c = base.contacts.as_deref().unwrap_or_default();
        if same_contacts(mine_c, base_c) {
            if !same_contacts(theirs_c, base_c) {
                theirs_kept.push(EditField::Contacts);
            }
        } else {
            match merge_contacts(base_c, mine_c, theirs_c) {
                Some(list) if same_contacts(&list, theirs_c) => {}
                Some(list) => {
                    patch.contacts = Some(list.clone());
                    merged.contacts = Some(list);
                }
                None => {
                    merged.contacts = Some(mine_c.clone());
                    conflicts.push(EditField::Contacts);
                }
            }
        }
    }

    Merge { patch, merged, conflicts, theirs_kept }
}

/// What changed from base to mine: the body of a PATCH that sends nothing else.
pub fn changes(base: &OrganisationFields, mine: &OrganisationFields) -> OrganisationPatch {
    merge(base, mine, base).patch
}

/// What became of a save.
// One value per save, moved once: boxing the large variants would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditOutcome {
    /// Nothing changed: no request was sent.
    Unchanged,
    /// Saved (or already as wished on the server): the server's organisation now.
    Saved(Organisation),
    /// Another admin changed the same fields differently: nothing was sent.
    Conflict { theirs: Organisation, merge: Merge },
}

/// Saves an edit: fetches the server's copy, compares three ways, and sends only my changes to
/// fields nobody else changed. A conflict sends nothing. The organisation deleted meanwhile:
/// `Err(NotFound)`.
pub async fn save_edit(session: &Session, id: i64, base: &OrganisationFields, mine: &OrganisationFields) -> Result<EditOutcome, Error> {
    if changes(base, mine).is_empty() {
        return Ok(EditOutcome::Unchanged);
    }
    let theirs = session.organisation(id).await?;
    let merge = merge(base, mine, &OrganisationFields::from(&theirs));
    if !merge.conflicts.is_empty() {
        return Ok(EditOutcome::Conflict { theirs, merge });
    }
    if merge.patch.is_empty() {
        return Ok(EditOutcome::Saved(theirs));
    }
    session.update_organisation(id, &merge.patch).await.map(EditOutcome::Saved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn org(name: &str, base: &str, currencies: &[&str], image: Option<&str>) -> OrganisationFields {
        OrganisationFields {
            name: name.into(),
            base_currency: base.into(),
            currencies: currencies.iter().map(|c| c.to_string()).collect(),
            image: image.map(str::to_string),
            contacts: None,
        }
    }

    fn contact(name: &str, email: Option<&str>, extra: Value) -> Contact {
        Contact { name: name.into(), email: email.map(str::to_string), extra: extra.as_object().cloned().unwrap_or_default(), ..Default::default() }
    }

    fn body(p: &OrganisationPatch) -> Value {
        serde_json::to_value(p).unwrap()
    }

    #[test]
    fn sends_only_what_changed() {
        let base = org("Acme", "USD", &["USD", "EUR"], Some("https://x/a.png"));
        let cases: Vec<(&str, OrganisationFields, Value)> = vec![
            ("nothing", base.clone(), json!({})),
            ("spaces around the name", org(" Acme ", "USD", &["USD", "EUR"], Some("https://x/a.png")), json!({})),
            ("currencies reordered", org("Acme", "USD", &["EUR", "USD"], Some("https://x/a.png")), json!({})),
            ("name", org("Acme Music", "USD", &["USD", "EUR"], Some("https://x/a.png")), json!({"name": "Acme Music"})),
            ("name trimmed", org("  New ", "USD", &["USD", "EUR"], Some("https://x/a.png")), json!({"name": "New"})),
            ("a currency added", org("Acme", "USD", &["USD", "EUR", "MXN"], Some("https://x/a.png")), json!({"currencies": ["USD", "EUR", "MXN"]})),
            ("base currency", org("Acme", "EUR", &["EUR", "USD"], Some("https://x/a.png")), json!({"base_currency": "EUR"})),
            ("image cleared", org("Acme", "USD", &["USD", "EUR"], Some("  ")), json!({"image": null})),
            ("image changed", org("Acme", "USD", &["USD", "EUR"], Some("https://x/b.png")), json!({"image": "https://x/b.png"})),
        ];
        for (what, mine, expected) in cases {
            assert_eq!(body(&changes(&base, &mine)), expected, "{what}");
        }
        assert!(changes(&base, &base).is_empty());
    }

    #[test]
    fn three_way_per_field() {
        let base = org("Acme", "USD", &["USD", "EUR"], None);
        // (what, mine, theirs, patch sent, conflicts)
        let cases: Vec<(&str, OrganisationFields, OrganisationFields, Value, Vec<EditField>)> = vec![
            ("only they changed", base.clone(), org("Theirs", "USD", &["USD", "EUR", "GBP"], None), json!({}), vec![]),
            ("only I changed", org("Mine", "USD", &["USD", "EUR"], None), base.clone(), json!({"name": "Mine"}), vec![]),
            (
                "different fields",
                org("Mine", "USD", &["USD", "EUR"], None),
                org("Acme", "USD", &["USD", "EUR", "GBP"], None),
                json!({"name": "Mine"}),
                vec![],
            ),
            ("both to the same value", org("Same", "USD", &["USD", "EUR"], None), org("Same", "USD", &["USD", "EUR"], None), json!({}), vec![]),
            ("both, differently", org("Mine", "USD", &["USD", "EUR"], None), org("Theirs", "USD", &["USD", "EUR"], None), json!({}), vec![EditField::Name]),
            (
                "same currency set in another order",
                org("Acme", "USD", &["USD", "EUR", "MXN"], None),
                org("Acme", "USD", &["MXN", "EUR", "USD"], None),
                json!({}),
                vec![],
            ),
            (
                "different currency sets",
                org("Acme", "USD", &["USD", "EUR", "MXN"], None),
                org("Acme", "USD", &["USD"], None),
                json!({}),
                vec![EditField::Currencies],
            ),
            (
                "a conflict does not hold back my other changes, but nothing is sent",
                org("Mine", "USD", &["USD", "EUR"], Some("https://x/m.png")),
                org("Theirs", "USD", &["USD", "EUR"], None),
                json!({"image": "https://x/m.png"}),
                vec![EditField::Name],
            ),
            (
                "several conflicts in form order",
                org("Mine", "EUR", &["EUR", "USD"], Some("https://x/m.png")),
                org("Theirs", "GBP", &["GBP", "USD", "EUR"], Some("https://x/t.png")),
                json!({}),
                vec![EditField::Name, EditField::BaseCurrency, EditField::Image],
            ),
        ];
        for (what, mine, theirs, patch, conflicts) in cases {
            let m = merge(&base, &mine, &theirs);
            assert_eq!(m.conflicts, conflicts, "{what}");
            assert_eq!(body(&m.patch), patch, "{what}");
        }
    }

    #[test]
    fn merged_keeps_their_changes_and_mine() {
        let base = org("Acme", "USD", &["USD", "EUR"], None);
        let mine = org("Mine", "USD", &["USD", "EUR"], Some("https://x/m.png"));
        let theirs = org("Theirs", "USD", &["USD", "EUR", "GBP"], None);
        let m = merge(&base, &mine, &theirs);
        assert_eq!(m.conflicts, vec![EditField::Name]);
        assert_eq!(m.theirs_kept, vec![EditField::Currencies]);
        // Their currencies, my image, and (in conflict) my name until the person chooses.
        assert_eq!(m.merged, org("Mine", "USD", &["USD", "EUR", "GBP"], Some("https://x/m.png")));
        // Choosing with `merged` as mine and theirs as the new base sends only what I chose.
        let again = merge(&theirs, &m.merged, &theirs);
        assert!(again.conflicts.is_empty());
        assert_eq!(body(&again.patch), json!({"name": "Mine", "image": "https://x/m.png"}));
    }

    #[test]
    fn contacts_merge_one_at_a_time() {
        let a = contact("Ana", Some("ana@x"), json!({"id": 1}));
        let b = contact("Bo", None, json!({"id": 2, "note": "vip"}));
        let with = |list: &[&Contact]| OrganisationFields { contacts: Some(list.iter().map(|c| (*c).clone()).collect()), ..org("Acme", "USD", &["USD"], None) };
        let base = with(&[&a, &b]);
        let a_mine = contact("Ana M", Some("ana@x"), json!({"id": 1}));
        let b_theirs = contact("Bo", Some("bo@x"), json!({"id": 2, "note": "vip"}));
        let b_mine = contact("Bo B", None, json!({"id": 2, "note": "vip"}));
        let new = contact("Cy", None, json!({}));

        // I edit Ana, they edit Bo: both kept, Bo's unknown field too.
        let m = merge(&base, &with(&[&a_mine, &b]), &with(&[&a, &b_theirs]));
        assert!(m.conflicts.is_empty());
        assert_eq!(m.patch.contacts, Some(vec![a_mine.clone(), b_theirs.clone()]));
        assert_eq!(body(&m.patch)["contacts"][1], json!({"id": 2, "name": "Bo", "email": "bo@x", "note": "vip"}));

        // Both edit Bo differently: a conflict.
        let m = merge(&base, &with(&[&a, &b_mine]), &with(&[&a, &b_theirs]));
        assert_eq!(m.conflicts, vec![EditField::Contacts]);

        // I add one, they delete Ana.
        let m = merge(&base, &with(&[&a, &b, &new]), &with(&[&b]));
        assert!(m.conflicts.is_empty());
        assert_eq!(m.patch.contacts, Some(vec![b.clone(), new.clone()]));

        // I delete Bo, they edit Ana: Ana theirs, Bo gone.
        let a_theirs = contact("Ana T", Some("ana@x"), json!({"id": 1}));
        let m = merge(&base, &with(&[&a]), &with(&[&a_theirs, &b]));
        assert_eq!(m.patch.contacts, Some(vec![a_theirs.clone()]));

        // I delete Bo, they edit Bo: a conflict.
        let m = merge(&base, &with(&[&a]), &with(&[&a, &b_theirs]));
        assert_eq!(m.conflicts, vec![EditField::Contacts]);

        // Blank and missing optional fields are the same contact.
        let a_blank = Contact { phone: Some(" ".into()), ..a.clone() };
        assert!(changes(&base, &with(&[&a_blank, &b])).is_empty());

        // Contacts without ids match by position.
        let (x, y) = (contact("X", None, json!({})), contact("Y", None, json!({})));
        let x2 = contact("X2", None, json!({}));
        let y2 = contact("Y2", None, json!({}));
        let m = merge(&with(&[&x, &y]), &with(&[&x2, &y]), &with(&[&x, &y2]));
        assert_eq!(m.patch.contacts, Some(vec![x2, y2]));

        // Contacts untouched by this edit are never sent.
        let m = merge(&base, &OrganisationFields { contacts: None, ..org("Mine", "USD", &["USD"], None) }, &with(&[&b]));
        assert_eq!(body(&m.patch), json!({"name": "Mine"}));
    }
}
