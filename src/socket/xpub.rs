//! XPUB and PUB: send each message to the subscribers whose topics prefix it; a
//! subscriber with no room loses it, unless `ZMQ_XPUB_NODROP`. XPUB also hands the
//! subscriptions to the application as messages (`1`/`0` + topic) and passes on
//! what XSUBs send upstream. libzmq: `xpub.cpp`, `pub.cpp` (PUB is XPUB that cannot
//! receive; here one type with a flag, as libzmq's subclass changes only that).

use core::ffi::c_int;
use std::collections::VecDeque;

use super::pattern::{bool_option, Pattern};
use crate::constants::*;
use crate::error::{Errno, Result};
use crate::msg::Msg;
use crate::options::SocketOptions;
use crate::pipe::{Pipe, PipeId, Read};
use crate::routing::distributor::Distributor;
use crate::routing::subscriptions::{subscription_msg, PipeTrie, Removed};

/// `ZMQ_TOPICS_COUNT` as libzmq's `do_getsockopt<int>`: a buffer of at least an int.
pub(super) fn count_out(count: usize, capacity: usize) -> Result<Vec<u8>> {
    if capacity < core::mem::size_of::<c_int>() {
        return Err(Errno::EINVAL);
    }
    Ok(c_int::try_from(count).unwrap_or(c_int::MAX).to_ne_bytes().to_vec())
}

#[derive(Debug)]
pub struct XPub {
    /// PUB rather than XPUB: nothing is received.
    publisher: bool,
    dist: Distributor,
    subscriptions: PipeTrie,
    /// `ZMQ_XPUB_MANUAL`: what each pipe asked for, to cancel it when the pipe goes.
    manual_subscriptions: PipeTrie,
    /// `ZMQ_XPUB_VERBOSE`: report every subscription, not only new topics.
    verbose_subs: bool,
    /// `ZMQ_XPUB_VERBOSER`: report every cancellation too.
    verbose_unsubs: bool,
    /// `ZMQ_XPUB_NODROP` off.
    lossy: bool,
    /// `ZMQ_XPUB_MANUAL`: the application sets subscriptions with `ZMQ_SUBSCRIBE`.
    manual: bool,
    /// `ZMQ_XPUB_MANUAL_LAST_VALUE`: the next message goes to the last pipe only.
    send_last_pipe: bool,
    /// `ZMQ_ONLY_FIRST_SUBSCRIBE`.
    only_first_subscribe: bool,
    /// `ZMQ_INVERT_MATCHING`.
    invert_matching: bool,
    /// `ZMQ_XPUB_WELCOME_MSG`, sent to each new subscriber.
    welcome: Option<Msg>,
    more_send: bool,
    more_recv: bool,
    process_subscribe: bool,
    /// In manual mode, the pipe whose subscription the application read last.
    last_pipe: Option<PipeId>,
    /// Messages for the application, and (manual mode) the pipe each came from.
    pending: VecDeque<Msg>,
    pending_pipes: VecDeque<Option<PipeId>>,
}

impl XPub {
    pub fn new(publisher: bool) -> XPub {
        XPub {
            publisher,
            dist: Distributor::default(),
            subscriptions: PipeTrie::default(),
            manual_subscriptions: PipeTrie::default(),
            verbose_subs: false,
            verbose_unsubs: false,
            lossy: true,
            manual: false,
            send_last_pipe: false,
            only_first_subscribe: false,
            invert_matching: false,
            welcome: None,
            more_send: false,
            more_recv: false,
            process_subscribe: false,
            last_pipe: None,
            pending: VecDeque::new(),
            pending_pipes: VecDeque::new(),
        }
    }

    /// Takes in what a subscriber sent: subscriptions, or (from an XSUB) messages.
    fn read_from(&mut self, id: PipeId) {
        let Some(pipe) = self.dist.pipe(id).cloned() else { return };
        while let Read::Msg(msg) = pipe.read() {
            let first_part = !self.more_recv;
            self.more_recv = msg.more();
            let subscription = if first_part || self.process_subscribe {
                match msg.data().split_first() {
                    Some((&kind @ (0 | 1), topic)) => Some((kind == 1, topic)),
                    _ => None,
                }
            } else {
                None
            };
            if first_part {
                self.process_subscribe = !self.only_first_subscribe || subscription.is_some();
            }
            match subscription {
                Some((subscribe, topic)) => {
                    let notify = if self.manual {
                        if subscribe {
                            self.manual_subscriptions.add(topic, id);
                        } else {
                            self.manual_subscriptions.remove(topic, id);
                        }
                        self.pending_pipes.push_back(Some(id));
                        true
                    } else if subscribe {
                        self.subscriptions.add(topic, id) || self.verbose_subs
                    } else {
                        self.subscriptions.remove(topic, id) != Removed::OthersRemain || self.verbose_unsubs
                    };
                    if notify && !self.publisher {
                        let mut notification = subscription_msg(u8::from(subscribe), topic);
                        notification.set_metadata(msg.metadata().cloned());
                        self.pending.push_back(notification);
                    }
                }
                // A PUB never takes user messages.
                None if !self.publisher => self.pending.push_back(msg),
                None => {}
            }
        }
    }

    /// The pipe is gone: its topics go, and the application hears of those nobody
    /// wants any more (or of all of them, with `ZMQ_XPUB_VERBOSER` or manual mode).
    fn terminated(&mut self, id: PipeId) {
        let cancelled = if self.manual {
            self.subscriptions.remove_pipe(id, false);
            if self.last_pipe == Some(id) {
                self.last_pipe = None;
            }
            self.manual_subscriptions.remove_pipe(id, false)
        } else {
            self.subscriptions.remove_pipe(id, !self.verbose_unsubs)
        };
        if !self.publisher {
            for topic in cancelled {
                self.pending.push_back(subscription_msg(0, &topic));
                if self.manual {
                    self.last_pipe = None;
                    self.pending_pipes.push_back(None);
                }
            }
        }
    }

    /// Marks the pipes that take a message starting with `data`.
    fn match_pipes(&mut self, data: &[u8]) {
        let dist = &mut self.dist;
        dist.unmatch();
        if self.manual && self.send_last_pipe && self.last_pipe.is_some() {
            let last = self.last_pipe.take();
            self.subscriptions.for_each_match(data, |pipe| {
                if Some(pipe) == last {
                    dist.mark_matching(pipe);
                }
            });
        } else {
            self.subscriptions.for_each_match(data, |pipe| dist.mark_matching(pipe));
        }
        if self.invert_matching {
            dist.reverse_match();
        }
    }
}

impl Pattern for XPub {
    fn attach(&mut self, pipe: Pipe) {
        if let Some(welcome) = &mut self.welcome {
            let _ = pipe.write(welcome.share());
        }
        let id = pipe.id();
        self.dist.attach(pipe);
        self.read_from(id);
    }

    fn read_activated(&mut self, id: PipeId) {
        self.read_from(id);
    }

    fn write_activated(&mut self, id: PipeId) {
        self.dist.activated(id);
    }

    fn peer_closed(&mut self, id: PipeId) {
        self.terminated(id);
        self.dist.remove(id);
    }

    fn remove(&mut self, id: PipeId) -> Option<Pipe> {
        self.terminated(id);
        self.dist.remove(id)
    }

    fn pipes(&self) -> Vec<Pipe> {
        self.dist.pipes().to_vec()
    }

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        let more = msg.more();
        if !self.more_send {
            // Whatever a refused attempt matched is matched again.
            self.match_pipes(msg.data());
        }
        if self.lossy {
            self.dist.send_to_matching(msg);
        } else if !self.dist.send_to_matching_if_room(msg) {
            return Err(Errno::EAGAIN);
        }
        if !more {
            self.dist.unmatch();
        }
        self.more_send = more;
        Ok(())
    }

    fn recv(&mut self) -> Result<Msg> {
        if self.publisher {
            return Err(Errno::ENOTSUP);
        }
        let Some(msg) = self.pending.pop_front() else { return Err(Errno::EAGAIN) };
        if self.manual {
            if let Some(pipe) = self.pending_pipes.pop_front() {
                // A pipe already gone cannot be given subscriptions.
                self.last_pipe = pipe.filter(|&id| self.dist.has_pipe(id));
            }
        }
        Ok(msg)
    }

    fn has_in(&mut self) -> bool {
        !self.publisher && !self.pending.is_empty()
    }

    fn has_out(&mut self) -> bool {
        true
    }

    fn set_option(&mut self, option: c_int, value: Option<&[u8]>) -> Option<Result<()>> {
        match option {
            ZMQ_XPUB_VERBOSE
            | ZMQ_XPUB_VERBOSER
            | ZMQ_XPUB_MANUAL_LAST_VALUE
            | ZMQ_XPUB_NODROP
            | ZMQ_XPUB_MANUAL
            | ZMQ_ONLY_FIRST_SUBSCRIBE => {
                let on = match bool_option(value) {
                    Ok(on) => on,
                    Err(error) => return Some(Err(error)),
                };
                match option {
                    ZMQ_XPUB_VERBOSE => (self.verbose_subs, self.verbose_unsubs) = (on, false),
                    ZMQ_XPUB_VERBOSER => (self.verbose_subs, self.verbose_unsubs) = (on, on),
                    ZMQ_XPUB_MANUAL_LAST_VALUE => (self.manual, self.send_last_pipe) = (on, on),
                    ZMQ_XPUB_NODROP => self.lossy = !on,
                    ZMQ_XPUB_MANUAL => self.manual = on,
                    _ => self.only_first_subscribe = on,
                }
            }
            ZMQ_SUBSCRIBE | ZMQ_UNSUBSCRIBE if self.manual => {
                if let Some(pipe) = self.last_pipe {
                    let topic = value.unwrap_or_default();
                    if option == ZMQ_SUBSCRIBE {
                        self.subscriptions.add(topic, pipe);
                    } else {
                        self.subscriptions.remove(topic, pipe);
                    }
                }
            }
            ZMQ_XPUB_WELCOME_MSG => {
                self.welcome =
                    value.filter(|bytes| !bytes.is_empty()).map(|bytes| Msg::from_vec(bytes.to_vec()));
            }
            _ => return None,
        }
        Some(Ok(()))
    }

    fn shared_option_set(&mut self, option: c_int, options: &SocketOptions) {
        if option == ZMQ_INVERT_MATCHING {
            self.invert_matching = options.invert_matching;
        }
    }

    fn option(&mut self, option: c_int, capacity: usize) -> Option<Result<Vec<u8>>> {
        (option == ZMQ_TOPICS_COUNT).then(|| count_out(self.subscriptions.len(), capacity))
    }
}
