//! Rules of the organisations screen that are not HTTP: which organisation is active, whether
//! the server has contacts, and what a save's outcome means to the form. Tauri-free, unit-tested.
//! The UI never recomputes these: it shows what these functions return.

use crate::error::IpcError;
use crate::ipc::{Activation, EditConflict, Organisation, OrganisationDraft, OrganisationsView};

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

/// After Make active succeeded: the organisation just activated is the active one, whatever the
/// flags of a list read before. (The next `view` agrees: the server flags it, or the app
/// remembers it.)
pub fn activation(message: String, id: i64) -> Activation {
    Activation { message, active_id: Some(id) }
}

/// What a save of an edit answers the form: the saved organisation (the base itself when
/// nothing changed), or a conflict for the person to resolve.
pub fn edit_result(base: Organisation, mine: &OrganisationDraft, outcome: oas_api::EditOutcome) -> Result<Organisation, IpcError> {
    match outcome {
        oas_api::EditOutcome::Unchanged => Ok(base),
        oas_api::EditOutcome::Saved(saved) => Ok(saved.into()),
        oas_api::EditOutcome::Conflict { theirs, merge } => Err(IpcError::conflict(EditConflict::new(&base, mine, theirs, merge))),
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
    fn a_server_that_reports_flags_but_none_active_has_none_active() {
        // The app's memory does not override a server that says "none".
        assert_eq!(view(vec![org(1, Some(false), false), org(2, Some(false), false)], Some(1)).active_id, None);
    }

    #[test]
    fn the_organisation_just_activated_is_active() {
        assert_eq!(activation("Done".into(), 7), Activation { message: "Done".into(), active_id: Some(7) });
    }

    #[test]
    fn a_conflict_reaches_the_form_with_both_versions() {
        let base: Organisation = org(1, None, false).into();
        let mut theirs = org(1, None, false);
        theirs.name = "Theirs".into();
        theirs.currencies.push("GBP".into());
        let mine = OrganisationDraft {
            name: "Mine".into(),
            base_currency: "USD".into(),
            currencies: vec!["USD".into(), "EUR".into()],
            image: String::new(),
            contacts: None,
        };
        let merge = oas_api::edit::merge(&base.fields(), &mine.fields(), &(&theirs).into());
        let error = edit_result(base.clone(), &mine, oas_api::EditOutcome::Conflict { theirs, merge }).unwrap_err();
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json["code"], "conflict");
        assert_eq!(json["conflict"]["fields"], serde_json::json!(["name"]));
        assert_eq!(json["conflict"]["base"]["name"], "Org 1");
        assert_eq!(json["conflict"]["mine"]["name"], "Mine");
        assert_eq!(json["conflict"]["theirs"]["name"], "Theirs");
        // Their currency is already merged; the conflicting name holds mine until chosen.
        assert_eq!(json["conflict"]["merged"]["currencies"], serde_json::json!(["USD", "EUR", "GBP"]));
        assert_eq!(json["conflict"]["merged"]["name"], "Mine");
        assert_eq!(json["conflict"]["theirsKept"], serde_json::json!(["currencies"]));
        assert_eq!(edit_result(base.clone(), &mine, oas_api::EditOutcome::Unchanged).unwrap(), base);
    }

    #[test]
    fn a_remembered_organisation_that_is_gone_is_not_active() {
        assert_eq!(view(vec![org(1, None, false)], Some(9)).active_id, None);
        assert_eq!(view(vec![], None).active_id, None);
    }
}
