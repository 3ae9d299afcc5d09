//! How a socket type's messages look on a ZMTP connection, where that is not simply
//! one frame per part, both ways:
//! - SUB/XSUB: a one-part `1`/`0` + topic message is a SUBSCRIBE/CANCEL command;
//! - RADIO: a message goes out as a group frame (with MORE) and a body frame; JOIN
//!   and LEAVE commands come in and are handed to the socket as they are;
//! - DISH: JOIN/LEAVE go out as commands; a group frame and a body frame come in as
//!   one message with that group.
//!
//! A connecting session keeps its pipe across reconnections, so the subscriptions
//! or groups sent so far are remembered here and sent again on each new connection
//! (libzmq has the socket resend them when the session "hiccups" its pipe).
//! libzmq: `radio_session_t`, `dish_session_t`, `msg_t::init_subscribe`.

use core::ffi::c_int;
use std::collections::BTreeSet;

use crate::constants::{ZMQ_DISH, ZMQ_GROUP_MAX_LENGTH, ZMQ_RADIO, ZMQ_SUB, ZMQ_XSUB};
use crate::msg::Msg;
use crate::routing::groups::group_from_wire;
use crate::zmtp;

/// A peer broke the wire form of its socket type (a DISH's group frame without MORE,
/// say): libzmq's session refuses the message and the connection fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed;

#[derive(Debug)]
pub(crate) struct Translator {
    socket_type: c_int,
    /// The last part sent had MORE: the next one does not start a message.
    sending_multipart: bool,
    /// SUB/XSUB: the topics subscribed; DISH: the groups joined; as sent so far.
    memberships: BTreeSet<Vec<u8>>,
    /// DISH: the group frame of the message being received.
    incoming_group: Option<Vec<u8>>,
}

impl Translator {
    pub(crate) fn new(socket_type: c_int) -> Translator {
        Translator {
            socket_type,
            sending_multipart: false,
            memberships: BTreeSet::new(),
            incoming_group: None,
        }
    }

    /// Turns a part taken from the pipe into the frames to send, in order.
    pub(crate) fn outgoing(&mut self, msg: &Msg, mut send: impl FnMut(&Msg)) {
        let starts_message = !self.sending_multipart;
        self.sending_multipart = msg.more();
        match self.socket_type {
            ZMQ_SUB | ZMQ_XSUB if starts_message && !msg.more() => match self.subscription(msg) {
                Some(command) => send(&command),
                None => send(msg),
            },
            ZMQ_RADIO => {
                let group = msg.group().map(|group| group.to_bytes()).unwrap_or_default();
                let mut group_frame = Msg::from_vec(group.to_vec());
                group_frame.set_more(true);
                send(&group_frame);
                send(msg);
            }
            ZMQ_DISH => {
                if self.membership_changes(msg) {
                    send(msg);
                }
            }
            _ => send(msg),
        }
    }

    /// A SUB's or XSUB's `1`/`0` + topic message as the SUBSCRIBE/CANCEL command
    /// (which the protocol writes as that same message to older peers), recorded;
    /// `None` for anything else, which goes as it is.
    fn subscription(&mut self, msg: &Msg) -> Option<Msg> {
        match msg.data().split_first() {
            Some((1, topic)) => {
                self.memberships.insert(topic.to_vec());
                Some(zmtp::subscribe_command(topic))
            }
            Some((0, topic)) => {
                self.memberships.remove(topic);
                Some(zmtp::cancel_command(topic))
            }
            _ => None,
        }
    }

    /// A DISH's JOIN or LEAVE, recorded; `false` when it changes nothing the peer
    /// knows of (a join resent on reconnection that was also still queued).
    fn membership_changes(&mut self, msg: &Msg) -> bool {
        let Some((join, group)) = zmtp::parse_membership(msg) else { return true };
        if join {
            self.memberships.insert(group.to_vec())
        } else {
            self.memberships.remove(group)
        }
    }

    /// What a new connection (after the first) is sent before anything queued: the
    /// subscriptions or groups the previous connections were given.
    pub(crate) fn resend(&mut self) -> Vec<Msg> {
        self.incoming_group = None;
        match self.socket_type {
            ZMQ_SUB | ZMQ_XSUB => {
                self.memberships.iter().map(|topic| zmtp::subscribe_command(topic)).collect()
            }
            ZMQ_DISH => self.memberships.iter().map(|group| zmtp::join_command(group)).collect(),
            _ => Vec::new(),
        }
    }

    /// A new connection begins: no message is half received.
    pub(crate) fn connection_started(&mut self) {
        self.incoming_group = None;
    }

    /// Whether [`incoming`](Self::incoming) hands every part on as it is (all socket
    /// types but DISH).
    pub(crate) fn passes_through(&self) -> bool {
        self.socket_type != ZMQ_DISH
    }

    /// A message part from the peer, as the socket takes it; `None` while a DISH's
    /// message is incomplete.
    pub(crate) fn incoming(&mut self, mut msg: Msg) -> Result<Option<Msg>, Malformed> {
        if self.passes_through() {
            return Ok(Some(msg));
        }
        let Some(group) = self.incoming_group.take() else {
            // The group frame: with MORE, and short enough to be a group.
            if !msg.more() || msg.len() > ZMQ_GROUP_MAX_LENGTH as usize {
                return Err(Malformed);
            }
            self.incoming_group = Some(msg.data().to_vec());
            return Ok(None);
        };
        // The body, the last part: DISH takes single-part messages only.
        if msg.more() {
            return Err(Malformed);
        }
        msg.set_group(group_from_wire(&group)).map_err(|_| Malformed)?;
        Ok(Some(msg))
    }

    /// A JOIN or LEAVE command from the peer, as the socket takes it: only a RADIO
    /// has use for them (libzmq's other sessions drop commands); a group longer than
    /// any group can be is dropped too (libzmq asserts).
    pub(crate) fn membership(&self, join: bool, group: &[u8]) -> Option<Msg> {
        if self.socket_type != ZMQ_RADIO || group.len() > ZMQ_GROUP_MAX_LENGTH as usize {
            return None;
        }
        Some(if join { zmtp::join_command(group) } else { zmtp::leave_command(group) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::part;
    use crate::msg::Flags;

    fn frames(translator: &mut Translator, msg: Msg) -> Vec<(Vec<u8>, bool, bool)> {
        let mut out = Vec::new();
        translator.outgoing(&msg, |frame| {
            out.push((frame.data().to_vec(), frame.more(), frame.flags().contains(Flags::COMMAND)))
        });
        out
    }

    #[test]
    fn a_radio_message_is_a_group_frame_and_a_body() {
        let mut radio = Translator::new(ZMQ_RADIO);
        let mut msg = part(b"Godfather", false);
        msg.set_group(b"Movies").unwrap();
        assert_eq!(
            frames(&mut radio, msg),
            [(b"Movies".to_vec(), true, false), (b"Godfather".to_vec(), false, false)]
        );
        // No group is the empty group.
        assert_eq!(
            frames(&mut radio, part(b"x", false)),
            [(Vec::new(), true, false), (b"x".to_vec(), false, false)]
        );
        assert!(radio.resend().is_empty());
    }

    #[test]
    fn a_dish_assembles_group_and_body() {
        let mut dish = Translator::new(ZMQ_DISH);
        assert_eq!(dish.incoming(part(b"TV", true)).unwrap().map(|m| m.len()), None);
        let msg = dish.incoming(part(b"Friends", false)).unwrap().unwrap();
        assert_eq!((msg.data(), msg.group().unwrap().to_bytes()), (&b"Friends"[..], &b"TV"[..]));
        // A group cut at a NUL, as libzmq's C string copy.
        dish.incoming(part(b"a\0b", true)).unwrap();
        let msg = dish.incoming(part(b"", false)).unwrap().unwrap();
        assert_eq!(msg.group().unwrap().to_bytes(), b"a");
    }

    #[test]
    fn a_dish_refuses_what_is_not_group_and_body() {
        let mut dish = Translator::new(ZMQ_DISH);
        assert_eq!(dish.incoming(part(b"no more", false)).unwrap_err(), Malformed);
        assert_eq!(dish.incoming(part(&[b'g'; 256], true)).unwrap_err(), Malformed);
        dish.incoming(part(&[b'g'; 255], true)).unwrap();
        assert_eq!(dish.incoming(part(b"body", true)).unwrap_err(), Malformed);
        // A new connection forgets a half-received message.
        dish.incoming(part(b"g", true)).unwrap();
        dish.connection_started();
        assert_eq!(dish.incoming(part(b"body", false)).unwrap_err(), Malformed);
    }

    #[test]
    fn a_dish_remembers_its_groups_for_the_next_connection() {
        let mut dish = Translator::new(ZMQ_DISH);
        let join = |group: &[u8]| zmtp::join_command(group);
        assert_eq!(frames(&mut dish, join(b"a")), [(b"\x04JOINa".to_vec(), false, true)]);
        assert_eq!(frames(&mut dish, join(b"b")).len(), 1);
        assert_eq!(frames(&mut dish, zmtp::leave_command(b"b")), [(b"\x05LEAVEb".to_vec(), false, true)]);
        let resent: Vec<Vec<u8>> = dish.resend().iter().map(|msg| msg.data().to_vec()).collect();
        assert_eq!(resent, [b"\x04JOINa".to_vec()]);
        // A join already resent is not sent twice; a leave of a group not joined is
        // not sent at all.
        assert!(frames(&mut dish, join(b"a")).is_empty());
        assert!(frames(&mut dish, zmtp::leave_command(b"zz")).is_empty());
    }

    #[test]
    fn only_a_radio_takes_joins_and_leaves() {
        let radio = Translator::new(ZMQ_RADIO);
        let join = radio.membership(true, b"tv").unwrap();
        assert_eq!(zmtp::parse_membership(&join), Some((true, &b"tv"[..])));
        let leave = radio.membership(false, b"tv").unwrap();
        assert_eq!(zmtp::parse_membership(&leave), Some((false, &b"tv"[..])));
        assert!(radio.membership(true, &[b'g'; 256]).is_none());
        assert!(Translator::new(ZMQ_DISH).membership(true, b"tv").is_none());
        assert!(Translator::new(crate::constants::ZMQ_XPUB).membership(true, b"tv").is_none());
    }

    #[test]
    fn subscriptions_become_commands_and_are_remembered() {
        let mut sub = Translator::new(ZMQ_SUB);
        let subscribe = Msg::from_vec(b"\x01news".to_vec());
        assert_eq!(frames(&mut sub, subscribe), [(b"\x09SUBSCRIBEnews".to_vec(), false, true)]);
        // Only a whole one-part message is a subscription.
        assert_eq!(frames(&mut sub, part(b"\x01a", true)), [(b"\x01a".to_vec(), true, false)]);
        assert_eq!(frames(&mut sub, part(b"\x01b", false)), [(b"\x01b".to_vec(), false, false)]);
        let resent: Vec<Vec<u8>> = sub.resend().iter().map(|msg| msg.data().to_vec()).collect();
        assert_eq!(resent, [b"\x09SUBSCRIBEnews".to_vec()]);
        frames(&mut sub, Msg::from_vec(b"\x00news".to_vec()));
        assert!(sub.resend().is_empty());
        let mut pair = Translator::new(crate::constants::ZMQ_PAIR);
        assert_eq!(frames(&mut pair, part(b"\x01a", false)), [(b"\x01a".to_vec(), false, false)]);
    }
}
