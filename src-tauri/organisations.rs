//! Rules of the organisations screen that are not HTTP: which organisation is active and
//! whether the server has contacts. Tauri-free, unit-tested.

use crate::ipc::{Organisation, OrganisationsView};

/// Builds the screen's view. When the server reports no `is_active` flag at all, the
/// organisation this app last activated (for this server and user) is marked instead.
pub fn view(organisations: Vec<oas_api::Organisation>, last_activated: Option<i64>) -> OrganisationsView {
    let reports_active = organisations.iter().any(|o| o.is_active.is_some());
    let contacts_supported = organisations.iter().any(|o| o.contacts.is_some());
    let active_id = if reports_active {
        organisations.iter().find(|o| o.is_active == Some(true)).map(|o| o.id)
    } else {
        last_activated.filter(|id| organisations.iter().any(|o| o.id == *id))
    };
    OrganisationsView {
        organisations: organisations.into_iter().map(Organisation::from).collect(),
        active_id,
        contacts_supported,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(id: i64, is_active: Option<bool>, contacts: bool) -> oas_api::Organisation {
        serde_json::from_value(serde_json::json!({
            "id": id, "name": format!("Org {id}"), "base_currency": "USD", "currencies": "USD,EUR",
            "image": null,
        }))
        .map(|mut o: oas_api::Organisation| {
            o.is_active = is_active;
            o.contacts = contacts.then(Vec::new);
            o
        })
        .unwrap()
    }

    #[test]
    fn the_server_flag_wins_over_what_the_app_remembers() {
        let v = view(vec![org(1, Some(false), true), org(2, Some(true), true)], Some(1));
        assert_eq!(v.active_id, Some(2));
        assert!(v.contacts_supported);
        assert_eq!(v.organisations[0].currencies, vec!["USD", "EUR"]);
    }

    #[test]
    fn without_a_server_flag_the_last_activated_is_active() {
        let v = view(vec![org(1, None, false), org(2, None, false)], Some(1));
        assert_eq!(v.active_id, Some(1));
        assert!(!v.contacts_supported);
    }

    #[test]
    fn a_remembered_organisation_that_is_gone_is_not_active() {
        assert_eq!(view(vec![org(1, None, false)], Some(9)).active_id, None);
        assert_eq!(view(vec![], None).active_id, None);
    }
}
