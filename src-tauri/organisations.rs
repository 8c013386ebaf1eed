//! Rules of the organisations screen that are not HTTP: which organisation is active, whether
//! the server has contacts, and what a save's outcome means to the form. Tauri-free, unit-tested.
//! The UI never recomputes these: it shows what these functions return.

use std::time::{Duration, Instant};

use crate::error::IpcError;
use crate::ipc::{Activation, EditConflict, Organisation, OrganisationDraft, OrganisationRow, OrganisationRows, OrganisationsListed};

/// What the list says about the whole account, learnt page by page: which organisation is
/// active and whether the server has contacts. When the server reports no `is_active` flag at
/// all, the organisation this app last activated (for this server and user) is marked instead.
#[derive(Debug, Default)]
pub struct Listing {
    last_activated: Option<i64>,
    reports_active: bool,
    flagged: Option<i64>,
    last_activated_seen: bool,
    contacts_supported: bool,
}

impl Listing {
    pub fn new(last_activated: Option<i64>) -> Self {
        Self { last_activated, ..Self::default() }
    }

    pub fn observe(&mut self, batch: &oas_api::ListBatch<'_, oas_api::Organisation>) {
        if batch.restarted {
            *self = Self::new(self.last_activated);
        }
        for o in batch.items {
            self.reports_active |= o.is_active.is_some();
            self.contacts_supported |= o.contacts.is_some();
            if o.is_active == Some(true) && self.flagged.is_none() {
                self.flagged = Some(o.id);
            }
            self.last_activated_seen |= Some(o.id) == self.last_activated;
        }
    }

    /// Which organisation is active, from the rows seen so far: the server's flag when it reports
    /// one, else the one this app last activated, once its row is in. Rows go to the UI with it,
    /// so the badge shows with its row; the listing's end gives the final word.
    pub fn active_id(&self) -> Option<i64> {
        if self.reports_active {
            self.flagged
        } else {
            self.last_activated.filter(|_| self.last_activated_seen)
        }
    }

    pub fn finish(self, total: u64) -> OrganisationsListed {
        OrganisationsListed { total, active_id: self.active_id(), contacts_supported: self.contacts_supported }
    }
}

/// How often rows go to the UI after the first page (which goes at once): a few messages a
/// second keep the window busy with rows, not with messages.
pub const ROWS_EVERY: Duration = Duration::from_millis(100);

/// Turns a listing's batches into messages of rows for the UI: the first at once, then at most
/// one every `every`, and the last as soon as it is in.
pub struct RowBatcher<F: FnMut(OrganisationRows)> {
    send: F,
    every: Duration,
    pending: Vec<OrganisationRow>,
    restart: bool,
    sent_at: Option<Instant>,
}

impl<F: FnMut(OrganisationRows)> RowBatcher<F> {
    pub fn new(every: Duration, send: F) -> Self {
        Self { send, every, pending: Vec::new(), restart: false, sent_at: None }
    }

    /// `active_id`: which of the rows so far is active ([`Listing::active_id`]).
    pub fn batch(&mut self, b: &oas_api::ListBatch<'_, oas_api::Organisation>, active_id: Option<i64>) {
        if b.restarted {
            self.pending.clear();
            self.restart = true;
        }
        self.pending.extend(b.items.iter().map(OrganisationRow::from));
        let due = self.sent_at.is_none_or(|t| t.elapsed() >= self.every) || b.loaded >= b.total;
        if due {
            let rows = std::mem::take(&mut self.pending);
            (self.send)(OrganisationRows { rows, loaded: b.loaded, total: b.total, restart: std::mem::take(&mut self.restart), active_id });
            self.sent_at = Some(Instant::now());
        }
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

/// The last complete listing of the few most recent sessions, so an organisation can still be
/// opened (read, and typed into as a draft) while its server cannot be reached. Keyed by the
/// session's id: another session, or another server, never sees these copies.
#[derive(Default)]
pub struct LastListings(std::sync::Mutex<Vec<(u64, std::collections::HashMap<i64, oas_api::Organisation>)>>);

impl LastListings {
    /// Sessions whose last listing is kept (a switch between a few servers keeps each one's).
    const KEPT: usize = 4;

    /// Takes the listing itself: copying 10,000 organisations would hold up the list's answer.
    pub fn keep(&self, session: u64, all: Vec<oas_api::Organisation>) {
        let by_id = all.into_iter().map(|o| (o.id, o)).collect();
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        kept.retain(|(s, _)| *s != session);
        kept.push((session, by_id));
        if kept.len() > Self::KEPT {
            kept.remove(0);
        }
    }

    /// The copy of `id` from `session`'s last listing, if it had one.
    pub fn get(&self, session: u64, id: i64) -> Option<oas_api::Organisation> {
        let kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        kept.iter().find(|(s, _)| *s == session).and_then(|(_, by_id)| by_id.get(&id).cloned())
    }

    /// What updates the copy after a save or a fetch, so the copy is never older than the form.
    pub fn put(&self, session: u64, organisation: &oas_api::Organisation) {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, by_id)) = kept.iter_mut().find(|(s, _)| *s == session) {
            by_id.insert(organisation.id, organisation.clone());
        }
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

    fn batch(items: &[oas_api::Organisation], loaded: u64, total: u64, restarted: bool) -> oas_api::ListBatch<'_, oas_api::Organisation> {
        oas_api::ListBatch { items, loaded, total, restarted }
    }

    /// The listing's verdict once every page in `pages` was seen.
    fn view(pages: &[Vec<oas_api::Organisation>], last_activated: Option<i64>) -> OrganisationsListed {
        let mut listing = Listing::new(last_activated);
        let mut loaded = 0;
        for p in pages {
            loaded += p.len() as u64;
            listing.observe(&batch(p, loaded, 0, false));
        }
        listing.finish(loaded)
    }

    #[test]
    fn the_server_flag_wins_over_what_the_app_remembers() {
        let v = view(&[vec![org(1, Some(false), true)], vec![org(2, Some(true), true)]], Some(1));
        assert_eq!(v.active_id, Some(2));
        assert!(v.contacts_supported);
        assert_eq!(v.total, 2);
    }

    #[test]
    fn without_a_server_flag_the_last_activated_is_active() {
        let v = view(&[vec![org(1, None, false), org(2, None, false)]], Some(1));
        assert_eq!(v.active_id, Some(1));
        assert!(!v.contacts_supported);
    }

    #[test]
    fn a_server_that_reports_flags_but_none_active_has_none_active() {
        // The app's memory does not override a server that says "none".
        assert_eq!(view(&[vec![org(1, Some(false), false), org(2, Some(false), false)]], Some(1)).active_id, None);
    }

    #[test]
    fn a_restarted_listing_forgets_what_it_saw() {
        let mut listing = Listing::new(None);
        listing.observe(&batch(&[org(1, Some(true), true)], 1, 2, false));
        listing.observe(&batch(&[org(2, Some(false), false)], 1, 1, true));
        assert_eq!(listing.finish(1), OrganisationsListed { total: 1, active_id: None, contacts_supported: false });
    }

    #[test]
    fn rows_go_first_at_once_then_together_then_the_last_at_once() {
        let mut sent = Vec::new();
        let mut b = RowBatcher::new(Duration::from_secs(3600), |m: OrganisationRows| sent.push(m));
        let p = |id| vec![org(id, None, false)];
        b.batch(&batch(&p(1), 1, 4, false), None);
        b.batch(&batch(&p(2), 2, 4, false), None);
        b.batch(&batch(&p(3), 3, 4, false), None);
        b.batch(&batch(&p(4), 4, 4, false), None);
        let ids: Vec<(Vec<i64>, u64, u64, bool)> = sent.iter().map(|m| (m.rows.iter().map(|r| r.id).collect(), m.loaded, m.total, m.restart)).collect();
        assert_eq!(ids, vec![(vec![1], 1, 4, false), (vec![2, 3, 4], 4, 4, false)]);
        assert_eq!(sent[0].rows[0], OrganisationRow { id: 1, name: "Org 1".into(), base_currency: "USD".into(), currencies: vec!["USD".into(), "EUR".into()], image: None });

        // A restart drops what was not sent yet and says so with the next message.
        let mut sent = Vec::new();
        let mut b = RowBatcher::new(Duration::ZERO, |m: OrganisationRows| sent.push(m));
        b.batch(&batch(&p(1), 1, 2, false), None);
        b.batch(&batch(&p(5), 1, 1, true), None);
        assert_eq!((sent[1].rows[0].id, sent[1].restart, sent[1].loaded, sent[1].total), (5, true, 1, 1));
    }

    /// The listing as the command runs it: each batch observed, then sent with the answer so far.
    fn streamed(pages: &[Vec<oas_api::Organisation>], last_activated: Option<i64>) -> (Vec<Option<i64>>, OrganisationsListed) {
        let mut sent = Vec::new();
        let mut listing = Listing::new(last_activated);
        let mut b = RowBatcher::new(Duration::ZERO, |m: OrganisationRows| sent.push(m.active_id));
        let total = pages.iter().map(|p| p.len() as u64).sum();
        let mut loaded = 0;
        for p in pages {
            loaded += p.len() as u64;
            let page = batch(p, loaded, total, false);
            listing.observe(&page);
            b.batch(&page, listing.active_id());
        }
        (sent, listing.finish(total))
    }

    #[test]
    fn rows_carry_the_active_organisation_from_the_message_its_row_is_in() {
        // The server's flag, on the second page.
        let (sent, listed) = streamed(&[vec![org(1, Some(false), true)], vec![org(2, Some(true), true)], vec![org(3, Some(false), true)]], None);
        assert_eq!(sent, vec![None, Some(2), Some(2)]);
        assert_eq!(listed.active_id, Some(2));
        // No flags: the one this app activated, once its row has come.
        let (sent, listed) = streamed(&[vec![org(1, None, false)], vec![org(2, None, false)]], Some(2));
        assert_eq!(sent, vec![None, Some(2)]);
        assert_eq!(listed.active_id, Some(2));
        // A server that flags none has none, whatever the app remembers.
        let (sent, _) = streamed(&[vec![org(1, Some(false), false)], vec![org(2, Some(false), false)]], Some(1));
        assert_eq!(sent, vec![None, None]);
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
        assert_eq!(view(&[vec![org(1, None, false)]], Some(9)).active_id, None);
        assert_eq!(view(&[], None).active_id, None);
    }

    fn named(id: i64, name: &str) -> oas_api::Organisation {
        serde_json::from_value(serde_json::json!({"id": id, "name": name, "base_currency": "EUR", "currencies": ["EUR"]})).unwrap()
    }

    #[test]
    fn last_listings_answer_only_their_own_session_and_keep_the_few_most_recent() {
        let last = LastListings::default();
        last.keep(1, vec![named(10, "Acme")]);
        last.keep(2, vec![named(10, "Other server's Acme")]);
        assert_eq!(last.get(1, 10).unwrap().name, "Acme");
        assert_eq!(last.get(2, 10).unwrap().name, "Other server's Acme");
        assert!(last.get(1, 11).is_none());
        last.put(1, &named(10, "Acme Renamed"));
        assert_eq!(last.get(1, 10).unwrap().name, "Acme Renamed");
        last.put(9, &named(10, "No listing"));
        assert!(last.get(9, 10).is_none(), "a session never listed keeps nothing");
        for session in 3..=6 {
            last.keep(session, vec![named(1, "x")]);
        }
        assert!(last.get(1, 10).is_none(), "the oldest session's copy made room");
        assert!(last.get(6, 1).is_some());
    }
}
