//! XSUB and SUB: receive fair-queued from the publishers, send subscriptions to all
//! of them. libzmq: `xsub.cpp`, `sub.cpp` (SUB is XSUB that filters what it
//! receives, takes its subscriptions as `ZMQ_SUBSCRIBE`/`ZMQ_UNSUBSCRIBE` and cannot
//! send; here one type with a flag, as libzmq's subclass changes only that).
//!
//! Inside the engine a subscription is the message `1` + topic, a cancellation
//! `0` + topic; a network session turns them into ZMTP SUBSCRIBE/CANCEL commands.
//! Every topic is sent again to each publisher that attaches later, and the socket
//! filters too, since an inproc publisher may have sent before it heard of a change.

use core::ffi::c_int;

use super::pattern::bool_option;
use super::pattern::Pattern;
use super::xpub::count_out;
use crate::constants::*;
use crate::error::{Errno, Result};
use crate::msg::Msg;
use crate::options::SocketOptions;
use crate::pipe::{Pipe, PipeId};
use crate::routing::subscriptions::{subscription_msg, TopicSet};
use crate::routing::upstream::Upstream;

#[derive(Debug)]
pub struct XSub {
    /// SUB rather than XSUB.
    subscriber: bool,
    /// Messages in from the publishers; subscriptions (joins) out to them.
    upstream: Upstream,
    subscriptions: TopicSet,
    /// A matching message `has_in` already took from the queue.
    prefetched: Option<Msg>,
    more_recv: bool,
    more_send: bool,
    /// Later parts of the message being sent may be subscriptions too.
    process_subscribe: bool,
    /// `ZMQ_ONLY_FIRST_SUBSCRIBE`.
    only_first_subscribe: bool,
    /// `ZMQ_XSUB_VERBOSE_UNSUBSCRIBE`: pass on every cancellation, not only the last.
    verbose_unsubs: bool,
    /// `ZMQ_INVERT_MATCHING`.
    invert_matching: bool,
}

impl XSub {
    pub fn new(subscriber: bool) -> XSub {
        XSub {
            subscriber,
            upstream: Upstream::default(),
            subscriptions: TopicSet::default(),
            prefetched: None,
            more_recv: false,
            more_send: false,
            process_subscribe: false,
            only_first_subscribe: false,
            verbose_unsubs: false,
            invert_matching: false,
        }
    }

    /// Whether a received message passes the filter (SUB only).
    fn wanted(&self, msg: &Msg) -> bool {
        !self.subscriber || self.subscriptions.matches(msg.data()) ^ self.invert_matching
    }

    /// The next wanted message from the queue; unwanted ones are dropped whole.
    fn next_wanted(&mut self) -> Result<Msg> {
        let mut msg = Msg::new();
        self.next_wanted_into(&mut msg)?;
        Ok(msg)
    }

    /// [`next_wanted`](Self::next_wanted) into `msg` (see `recv_into`).
    fn next_wanted_into(&mut self, msg: &mut Msg) -> Result<()> {
        loop {
            self.upstream.queue.recv_into(msg)?;
            if self.wanted(msg) {
                return Ok(());
            }
            while msg.more() {
                self.upstream.queue.recv_into(msg)?;
            }
            // Dropped: not the caller's any more, whatever comes next.
            *msg = Msg::new();
        }
    }

    /// XSUB's send: subscriptions are recorded and go to every publisher, anything
    /// else goes upstream unchanged.
    fn send_upstream(&mut self, msg: &mut Msg) {
        let first_part = !self.more_send;
        self.more_send = msg.more();
        if first_part {
            self.process_subscribe = !self.only_first_subscribe;
        } else if !self.process_subscribe {
            self.upstream.dist.send_to_all(msg);
            return;
        }
        match msg.data().split_first() {
            Some((1, topic)) => {
                // Duplicates go on too: XPUB_VERBOSE upstream wants to see them.
                self.subscriptions.add(topic);
                self.process_subscribe = true;
                self.upstream.dist.send_to_all(msg);
            }
            Some((0, topic)) => {
                self.process_subscribe = true;
                if self.subscriptions.remove(topic) || self.verbose_unsubs {
                    self.upstream.dist.send_to_all(msg);
                } else {
                    drop(msg.take());
                }
            }
            _ => self.upstream.dist.send_to_all(msg),
        }
    }
}

impl Pattern for XSub {
    fn attach(&mut self, pipe: Pipe) {
        // The new publisher learns every topic; one with no room loses them, as a
        // subscription sent at the high-water mark is lost.
        for topic in self.subscriptions.topics() {
            let _ = pipe.write(subscription_msg(1, &topic));
        }
        self.upstream.attach(pipe);
    }

    fn read_activated(&mut self, id: PipeId) {
        self.upstream.read_activated(id);
    }

    fn write_activated(&mut self, id: PipeId) {
        self.upstream.write_activated(id);
    }

    fn peer_closed(&mut self, id: PipeId) {
        self.upstream.peer_closed(id);
    }

    fn remove(&mut self, id: PipeId) -> Option<Pipe> {
        self.upstream.remove(id)
    }

    fn pipes(&self) -> Vec<Pipe> {
        self.upstream.pipes()
    }

    fn send(&mut self, msg: &mut Msg) -> Result<()> {
        if self.subscriber {
            return Err(Errno::ENOTSUP);
        }
        self.send_upstream(msg);
        Ok(())
    }

    fn recv(&mut self) -> Result<Msg> {
        let mut msg = Msg::new();
        self.recv_into(&mut msg)?;
        Ok(msg)
    }

    /// The part straight into the caller's message. `EAGAIN` leaves `msg` untouched,
    /// unless unwanted messages were dropped on the way: then it is left empty, as
    /// libzmq leaves it whenever nothing was received.
    fn recv_into(&mut self, msg: &mut Msg) -> Result<()> {
        if let Some(prefetched) = self.prefetched.take() {
            *msg = prefetched;
        } else if self.more_recv || !self.subscriber {
            self.upstream.queue.recv_into(msg)?;
        } else {
            self.next_wanted_into(msg)?;
        }
        self.more_recv = msg.more();
        Ok(())
    }

    fn has_in(&mut self) -> bool {
        if self.more_recv || self.prefetched.is_some() {
            return true;
        }
        self.prefetched = self.next_wanted().ok();
        self.prefetched.is_some()
    }

    fn has_out(&mut self) -> bool {
        // Subscriptions can always be sent (a full pipe loses them).
        !self.subscriber
    }

    fn set_option(&mut self, option: c_int, value: Option<&[u8]>) -> Option<Result<()>> {
        let value_or_empty = value.unwrap_or_default();
        match (self.subscriber, option) {
            (true, ZMQ_SUBSCRIBE) => self.send_upstream(&mut subscription_msg(1, value_or_empty)),
            (true, ZMQ_UNSUBSCRIBE) => self.send_upstream(&mut subscription_msg(0, value_or_empty)),
            (false, ZMQ_ONLY_FIRST_SUBSCRIBE) => match bool_option(value) {
                Ok(on) => self.only_first_subscribe = on,
                Err(error) => return Some(Err(error)),
            },
            (false, ZMQ_XSUB_VERBOSE_UNSUBSCRIBE) => match bool_option(value) {
                Ok(on) => self.verbose_unsubs = on,
                Err(error) => return Some(Err(error)),
            },
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::part;
    use crate::pipe::{pipe_pair, Limits};

    #[test]
    fn a_sub_receives_wanted_messages_whole_into_the_callers_message() {
        let mut sub = XSub::new(true);
        let (end, publisher) = pipe_pair([Limits::default(); 2]);
        sub.attach(end);
        sub.set_option(ZMQ_SUBSCRIBE, Some(b"A")).unwrap().unwrap();
        for msg in [part(b"B1", true), part(b"B2", false), part(b"A1", true), part(b"x", false)] {
            publisher.write(msg).unwrap();
        }
        let mut msg = Msg::from_slice(b"the caller's").unwrap();
        sub.recv_into(&mut msg).unwrap();
        assert_eq!((msg.data(), msg.more()), (&b"A1"[..], true), "the unwanted message is dropped whole");
        sub.recv_into(&mut msg).unwrap();
        assert_eq!((msg.data(), msg.more()), (&b"x"[..], false), "later parts are not filtered");

        // Only unwanted messages: they are dropped and the message is left empty.
        publisher.write(part(b"B3", false)).unwrap();
        assert_eq!(sub.recv_into(&mut msg), Err(Errno::EAGAIN));
        assert!(msg.is_empty());
        // Nothing at all: the caller's message is untouched.
        let mut msg = Msg::from_slice(b"mine").unwrap();
        assert_eq!(sub.recv_into(&mut msg), Err(Errno::EAGAIN));
        assert_eq!(msg.data(), b"mine");
    }
}
