//! The dispatcher: one thread per running transfer (Amanda's main loop).
//!
//! It receives every element's messages, performs cancellation (calling
//! each element's `cancel` source to destination, then raising the cancel
//! token), eats all but the last DONE and forwards the rest to the user's
//! channel, keeping a copy for the [`Summary`](crate::transfer::Summary).
//!
//! Shell: [`spawn`] starts the dispatcher thread; [`dispatch`] is its body.
#![allow(clippy::disallowed_methods)] // Shell: spawns the dispatcher thread.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender};
use std::thread::JoinHandle;

use crate::element::Chain;
use crate::error::Error;
use crate::msg::{Msg, MsgKind};
use crate::transfer::chain::Event;

/// What the dispatcher hands back when the transfer is done.
pub(crate) struct Dispatched {
    /// Every message delivered, in order (the last is DONE).
    pub messages: Vec<Msg>,
    /// Whether it processed a cancel.
    pub cancelled: bool,
}

/// Starts the dispatcher for `chain`: it waits for `active` DONEs on
/// `events`, forwards messages to `user` and signals `done` at the end.
pub(crate) fn spawn(
    chain: Arc<Chain>,
    events: Receiver<Event>,
    active: usize,
    user: Sender<Msg>,
    done: Sender<()>,
) -> Result<JoinHandle<Dispatched>, Error> {
    std::thread::Builder::new()
        .name("xfer-dispatch".into())
        .spawn(move || dispatch(&chain, &events, active, &user, &done))
        .map_err(|e| Error::Io {
            context: "spawning the dispatcher".into(),
            source: e,
        })
}

/// The dispatcher's loop: runs until `active` elements have sent DONE, then
/// delivers the one final DONE from the last element.
fn dispatch(
    chain: &Chain,
    rx: &Receiver<Event>,
    active: usize,
    user: &Sender<Msg>,
    done: &Sender<()>,
) -> Dispatched {
    let mut remaining = active;
    let mut cancelled = false;
    let mut messages = Vec::new();
    let last = chain.elems.len().saturating_sub(1);
    let deliver = |m: Msg, messages: &mut Vec<Msg>| {
        let _ = user.send(m.clone());
        messages.push(m);
    };
    while remaining > 0 {
        let Ok(ev) = rx.recv() else { break };
        match ev {
            Event::Msg(Msg {
                kind: MsgKind::Done,
                ..
            }) => remaining -= 1,
            Event::Msg(m) => deliver(m, &mut messages),
            Event::Cancel => {
                if !cancelled {
                    cancelled = true;
                    chain.cancel_all();
                    deliver(
                        Msg {
                            elt: chain.elt(0),
                            kind: MsgKind::Cancel,
                        },
                        &mut messages,
                    );
                }
            }
        }
    }
    deliver(
        Msg {
            elt: chain.elt(last),
            kind: MsgKind::Done,
        },
        &mut messages,
    );
    let _ = done.send(());
    Dispatched {
        messages,
        cancelled,
    }
}
