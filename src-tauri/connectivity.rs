//! Whether the server can be reached, and when to try it again. A call that cannot reach the
//! server (refused, no route, timed out) puts the app offline; any answer from the server, even an
//! error, puts it back online. While offline the server is probed with backoff (1, 2, 4 … capped
//! at 30 s, from the start again after an answer), or at once when the person asks ("Retry now").
//! The UI hears every change as the `connection-state` event. Tauri-free: tested on its own.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::Notify;
use ts_rs::TS;

/// What one call's outcome says about reaching the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The server answered (with anything, errors included).
    Answered,
    /// Nothing answered: connection refused, no route, or no answer in time.
    Unreachable,
    /// Says nothing either way (nothing was sent, or the failure was not the network's).
    Unknown,
}

pub fn reach_of<T>(result: &Result<T, oas_api::Error>) -> Reach {
    use oas_api::Error as E;
    match result {
        Ok(_) => Reach::Answered,
        Err(error) => match error {
            E::Unreachable | E::Timeout => Reach::Unreachable,
            // A failed handshake is not an answer, but retrying will not fix a certificate.
            E::Tls | E::InvalidAddress(_) | E::Unexpected(_) => Reach::Unknown,
            E::NotOas
            | E::BadAnswer
            | E::WrongCredentials
            | E::ApiKeyRejected
            | E::SessionExpired
            | E::NotFound
            | E::Throttled { .. }
            | E::Validation { .. }
            | E::Server { .. }
            | E::ResponseTooLarge
            | E::RequestTooLarge
            | E::ListTooLarge { .. }
            | E::OriginMismatch => Reach::Answered,
        },
    }
}

/// How long to wait before each probe: `first`, doubled each time, never more than `cap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub cap: Duration,
}

impl Backoff {
    pub const STANDARD: Backoff = Backoff { first: Duration::from_secs(1), cap: Duration::from_secs(30) };

    /// The wait before probe number `attempt` (from 0).
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt).unwrap_or(u32::MAX);
        self.first.saturating_mul(factor).min(self.cap)
    }
}

/// What the UI is told (the `connection-state` event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum ConnectionState {
    Online,
    /// The server cannot be reached; the next try is in `retryInSeconds` (0: trying now).
    Offline {
        #[serde(rename = "retryInSeconds")]
        #[ts(rename = "retryInSeconds")]
        retry_in_seconds: u32,
    },
}

type Probe = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Reach> + Send>> + Send + Sync>;
type Listener = Arc<dyn Fn(ConnectionState) + Send + Sync>;

struct Shared {
    backoff: Backoff,
    /// `Some(n)` while offline: `n` counts the offline spells, so a stale prober knows to stop.
    offline: Mutex<Option<u64>>,
    spells: Mutex<u64>,
    wake: Notify,
    probe: OnceLock<Probe>,
    listener: OnceLock<Listener>,
}

impl Shared {
    fn emit(&self, state: ConnectionState) {
        if let Some(listener) = self.listener.get() {
            listener(state);
        }
    }

    fn spell(&self) -> Option<u64> {
        *self.offline.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Back online; tells the UI if that is news.
    fn answered(&self) {
        let was = self.offline.lock().unwrap_or_else(|e| e.into_inner()).take();
        if was.is_some() {
            self.emit(ConnectionState::Online);
        }
    }
}

#[derive(Clone)]
pub struct Connectivity {
    shared: Arc<Shared>,
}

impl Connectivity {
    pub fn new(backoff: Backoff) -> Self {
        Self {
            shared: Arc::new(Shared {
                backoff,
                offline: Mutex::new(None),
                spells: Mutex::new(0),
                wake: Notify::new(),
                probe: OnceLock::new(),
                listener: OnceLock::new(),
            }),
        }
    }

    /// Called with every change of state.
    pub fn on_change(&self, listener: impl Fn(ConnectionState) + Send + Sync + 'static) {
        let _ = self.shared.listener.set(Arc::new(listener));
    }

    /// How to ask the server whether it answers (a light call with the current session).
    pub fn set_probe<F>(&self, probe: impl Fn() -> F + Send + Sync + 'static)
    where
        F: Future<Output = Reach> + Send + 'static,
    {
        let _ = self.shared.probe.set(Arc::new(move || Box::pin(probe())));
    }

    pub fn is_offline(&self) -> bool {
        self.shared.spell().is_some()
    }

    /// Takes in what a call found out. Going offline starts the prober (on the current runtime).
    pub fn observe(&self, reach: Reach) {
        match reach {
            Reach::Unknown => {}
            Reach::Answered => self.shared.answered(),
            Reach::Unreachable => {
                let spell = {
                    let mut offline = self.shared.offline.lock().unwrap_or_else(|e| e.into_inner());
                    if offline.is_some() {
                        return;
                    }
                    let mut spells = self.shared.spells.lock().unwrap_or_else(|e| e.into_inner());
                    *spells += 1;
                    *offline = Some(*spells);
                    *spells
                };
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    runtime.spawn(probe_until_answered(self.shared.clone(), spell));
                }
            }
        }
    }

    /// "Retry now": the prober tries at once instead of waiting out its delay.
    pub fn retry_now(&self) {
        if self.is_offline() {
            self.shared.wake.notify_one();
        }
    }
}

async fn probe_until_answered(shared: Arc<Shared>, spell: u64) {
    let mut attempt = 0;
    loop {
        let delay = shared.backoff.delay(attempt);
        shared.emit(ConnectionState::Offline { retry_in_seconds: delay.as_secs_f64().ceil() as u32 });
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = shared.wake.notified() => {}
        }
        if shared.spell() != Some(spell) {
            return; // a call got an answer meanwhile (and said so)
        }
        shared.emit(ConnectionState::Offline { retry_in_seconds: 0 });
        let reach = match shared.probe.get() {
            Some(probe) => probe().await,
            None => Reach::Unknown,
        };
        if shared.spell() != Some(spell) {
            return;
        }
        match reach {
            Reach::Unreachable => attempt = attempt.saturating_add(1),
            // An answer, or nothing left to ask with (signed out): no longer offline.
            Reach::Answered | Reach::Unknown => return shared.answered(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use tokio::sync::mpsc;

    #[test]
    fn unreachable_and_timed_out_are_offline_any_answer_is_online() {
        use oas_api::Error as E;
        let of = |e: E| reach_of::<()>(&Err(e));
        assert_eq!(reach_of(&Ok(())), Reach::Answered);
        assert_eq!(of(E::Unreachable), Reach::Unreachable);
        assert_eq!(of(E::Timeout), Reach::Unreachable);
        for answered in [
            E::Server { status: 500 },
            E::Server { status: 502 },
            E::SessionExpired,
            E::ApiKeyRejected,
            E::NotFound,
            E::NotOas,
            E::BadAnswer,
            E::Throttled { retry_after: None },
        ] {
            assert_eq!(of(answered), Reach::Answered);
        }
        assert_eq!(of(E::Tls), Reach::Unknown);
        assert_eq!(of(E::Unexpected("x".into())), Reach::Unknown);
    }

    #[test]
    fn backoff_doubles_from_one_second_and_stops_at_thirty() {
        let seconds: Vec<u64> = (0..8).map(|n| Backoff::STANDARD.delay(n).as_secs()).collect();
        assert_eq!(seconds, [1, 2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(Backoff::STANDARD.delay(u32::MAX), Duration::from_secs(30));
    }

    /// A connectivity whose probe answers as `answers` says (Unreachable while it is > 0,
    /// counting down), with a 1 ms backoff, and the states it emits.
    fn harness(unreachable_probes: u32) -> (Connectivity, Arc<AtomicU32>, mpsc::UnboundedReceiver<ConnectionState>) {
        let c = Connectivity::new(Backoff { first: Duration::from_millis(1), cap: Duration::from_millis(4) });
        let (tx, rx) = mpsc::unbounded_channel();
        c.on_change(move |s| {
            let _ = tx.send(s);
        });
        let probes = Arc::new(AtomicU32::new(0));
        let counted = probes.clone();
        c.set_probe(move || {
            let n = counted.fetch_add(1, Ordering::SeqCst);
            async move { if n < unreachable_probes { Reach::Unreachable } else { Reach::Answered } }
        });
        (c, probes, rx)
    }

    async fn next(rx: &mut mpsc::UnboundedReceiver<ConnectionState>) -> ConnectionState {
        tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.expect("a state in time").expect("open")
    }

    #[tokio::test]
    async fn offline_probes_with_backoff_until_the_server_answers() {
        let (c, probes, mut rx) = harness(3);
        c.observe(Reach::Unreachable);
        assert!(c.is_offline());
        // Waits of 1, 2, 4, then 4 ms (the cap) before each probe; the fourth answers.
        let mut waits = Vec::new();
        loop {
            match next(&mut rx).await {
                ConnectionState::Offline { retry_in_seconds: 0 } => {}
                ConnectionState::Offline { retry_in_seconds } => waits.push(retry_in_seconds),
                ConnectionState::Online => break,
            }
        }
        // Whole seconds for the UI: every sub-second wait rounds up to 1.
        assert_eq!(waits, [1, 1, 1, 1]);
        assert_eq!(probes.load(Ordering::SeqCst), 4);
        assert!(!c.is_offline());
        // A second unreachable call while online starts a new spell, from the first delay again.
        c.observe(Reach::Unreachable);
        assert_eq!(next(&mut rx).await, ConnectionState::Offline { retry_in_seconds: 1 });
    }

    #[tokio::test]
    async fn a_call_that_gets_an_answer_ends_the_spell_and_the_prober() {
        let c = Connectivity::new(Backoff { first: Duration::from_secs(60), cap: Duration::from_secs(60) });
        let (tx, mut rx) = mpsc::unbounded_channel();
        c.on_change(move |s| {
            let _ = tx.send(s);
        });
        let probes = Arc::new(AtomicU32::new(0));
        let counted = probes.clone();
        c.set_probe(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            async { Reach::Answered }
        });
        c.observe(Reach::Unreachable);
        c.observe(Reach::Unreachable); // still one spell, one prober
        assert_eq!(next(&mut rx).await, ConnectionState::Offline { retry_in_seconds: 60 });
        c.observe(Reach::Unknown);
        assert!(c.is_offline(), "a failure that is not the network's changes nothing");
        c.observe(Reach::Answered);
        assert_eq!(next(&mut rx).await, ConnectionState::Online);
        c.observe(Reach::Answered);
        assert!(rx.try_recv().is_err(), "online once, not twice");
        assert_eq!(probes.load(Ordering::SeqCst), 0, "no probe before the first minute");
    }

    #[tokio::test]
    async fn retry_now_probes_at_once() {
        let c = Connectivity::new(Backoff { first: Duration::from_secs(60), cap: Duration::from_secs(60) });
        let (tx, mut rx) = mpsc::unbounded_channel();
        c.on_change(move |s| {
            let _ = tx.send(s);
        });
        c.set_probe(|| async { Reach::Answered });
        c.observe(Reach::Unreachable);
        assert_eq!(next(&mut rx).await, ConnectionState::Offline { retry_in_seconds: 60 });
        c.retry_now();
        assert_eq!(next(&mut rx).await, ConnectionState::Offline { retry_in_seconds: 0 });
        assert_eq!(next(&mut rx).await, ConnectionState::Online);
    }
}
