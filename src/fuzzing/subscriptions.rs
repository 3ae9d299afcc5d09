//! Subscriptions and groups: the SUBSCRIBE/CANCEL/JOIN/LEAVE commands and their
//! message forms, the tries that hold topics (a SUB's counted set, an XPUB's
//! topics per pipe), a RADIO's group members, and the session's translation of
//! SUB, RADIO and DISH messages to and from the wire; each against a plain model.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use super::Input;
use crate::constants::{ZMQ_DISH, ZMQ_RADIO, ZMQ_SUB, ZMQ_XSUB};
use crate::msg::{Flags, Msg};
use crate::pipe::{pipe_pair, Limits, PipeId};
use crate::routing::groups::{group_from_wire, GroupMembers};
use crate::routing::subscriptions::{PipeTrie, Removed, TopicSet};
use crate::session::translate::{Malformed, Translator};
use crate::zmtp::command::{self, Command};
use crate::zmtp::{cancel_command, join_command, leave_command, parse_membership, subscribe_command};

/// Pipe ids to subscribe with (ids are unique in the process; the pipes themselves
/// are not needed).
fn pipe_ids() -> &'static [PipeId; 4] {
    static IDS: OnceLock<[PipeId; 4]> = OnceLock::new();
    IDS.get_or_init(|| [(); 4].map(|()| pipe_pair([Limits::default(); 2]).0.id()))
}

/// A frame as sent: body, MORE, COMMAND.
fn frame(msg: &Msg) -> (Vec<u8>, bool, bool) {
    (msg.data().to_vec(), msg.more(), msg.flags().contains(Flags::COMMAND))
}

/// The models, next to what they model.
struct State {
    topics: TopicSet,
    topic_model: BTreeMap<Vec<u8>, u32>,
    trie: PipeTrie,
    trie_model: BTreeMap<Vec<u8>, BTreeSet<usize>>,
    groups: GroupMembers,
    group_model: BTreeMap<Vec<u8>, Vec<usize>>,
    sub: Translator,
    sub_multipart: bool,
    sub_model: BTreeSet<Vec<u8>>,
    dish: Translator,
    dish_model: BTreeSet<Vec<u8>>,
    dish_group: Option<Vec<u8>>,
    radio: Translator,
}

/// Scripts of operations on every structure above, each checked against its
/// model after every step: SUB topic counts (`add` says new, `remove` says last,
/// `matches` is "some topic is a prefix", topics come back sorted); an XPUB's
/// pipes per topic (`add`, `remove`, `remove_pipe` with and without `only_last`,
/// every match reported once per matching topic); a RADIO's joins, counted per
/// pipe; commands parsed back to what made them; SUB/XSUB subscription messages
/// turned into commands and remembered for a reconnection; a DISH's group frames
/// and JOIN/LEAVE; a RADIO's group frames and the JOIN/LEAVE it takes.
///
/// Input: a selector byte (bit 0: XSUB rather than SUB), then operations: an
/// opcode byte and its operands.
pub fn subscriptions(data: &[u8]) {
    let mut input = Input(data);
    let selector = input.byte();
    let mut state = State {
        topics: TopicSet::default(),
        topic_model: BTreeMap::new(),
        trie: PipeTrie::default(),
        trie_model: BTreeMap::new(),
        groups: GroupMembers::default(),
        group_model: BTreeMap::new(),
        sub: Translator::new(if selector & 1 != 0 { ZMQ_XSUB } else { ZMQ_SUB }),
        sub_multipart: false,
        sub_model: BTreeSet::new(),
        dish: Translator::new(ZMQ_DISH),
        dish_model: BTreeSet::new(),
        dish_group: None,
        radio: Translator::new(ZMQ_RADIO),
    };
    let ids = pipe_ids();
    while !input.is_empty() {
        let op = input.byte();
        // Topics are short so that prefixes and repeats are common.
        let topic = |input: &mut Input<'_>| {
            let len = usize::from(input.byte() & 0x0f);
            input.bytes(len).to_vec()
        };
        match op % 12 {
            0 => {
                let topic = topic(&mut input);
                let count = state.topic_model.entry(topic.clone()).or_default();
                *count += 1;
                assert_eq!(state.topics.add(&topic), *count == 1);
            }
            1 => {
                let topic = topic(&mut input);
                let last = match state.topic_model.get_mut(&topic) {
                    Some(count) => {
                        *count -= 1;
                        *count == 0
                    }
                    None => false,
                };
                if last {
                    state.topic_model.remove(&topic);
                }
                assert_eq!(state.topics.remove(&topic), last);
            }
            2 => {
                let data = input.short();
                let expected = state.topic_model.keys().any(|topic| data.starts_with(topic));
                assert_eq!(state.topics.matches(data), expected);
            }
            3 => {
                let pipe = usize::from(op >> 4) % ids.len();
                let topic = topic(&mut input);
                let pipes = state.trie_model.entry(topic.clone()).or_default();
                let first = pipes.is_empty();
                pipes.insert(pipe);
                assert_eq!(state.trie.add(&topic, ids[pipe]), first);
            }
            4 => {
                let pipe = usize::from(op >> 4) % ids.len();
                let topic = topic(&mut input);
                let removed =
                    state.trie_model.get_mut(&topic).map(|pipes| (pipes.remove(&pipe), pipes.is_empty()));
                let expected = match removed {
                    Some((true, true)) => {
                        state.trie_model.remove(&topic);
                        Removed::Last
                    }
                    Some((true, false)) => Removed::OthersRemain,
                    _ => Removed::NotFound,
                };
                assert_eq!(state.trie.remove(&topic, ids[pipe]), expected);
            }
            5 => {
                let pipe = usize::from(op >> 4) % ids.len();
                let only_last = op & 0x80 != 0;
                let mut expected = Vec::new();
                state.trie_model.retain(|topic, pipes| {
                    if pipes.remove(&pipe) && (!only_last || pipes.is_empty()) {
                        expected.push(topic.clone());
                    }
                    !pipes.is_empty()
                });
                assert_eq!(state.trie.remove_pipe(ids[pipe], only_last), expected);
            }
            6 => {
                let data = input.short();
                let mut expected: Vec<PipeId> = state
                    .trie_model
                    .iter()
                    .filter(|(topic, _)| data.starts_with(topic))
                    .flat_map(|(_, pipes)| pipes.iter().map(|&pipe| ids[pipe]))
                    .collect();
                let mut found = Vec::new();
                state.trie.for_each_match(data, |pipe| found.push(pipe));
                expected.sort();
                found.sort();
                assert_eq!(found, expected);
            }
            7 => groups(&mut state, op, &mut input),
            8 => commands(&mut input),
            9 => sub_outgoing(&mut state, op, &mut input),
            10 => dish(&mut state, op, &mut input),
            _ => radio(&mut state, op, &mut input),
        }
        assert_eq!(state.topics.len(), state.topic_model.len());
        assert_eq!(state.topics.is_empty(), state.topic_model.is_empty());
        assert_eq!(state.trie.len(), state.trie_model.len());
        assert_eq!(state.trie.is_empty(), state.trie_model.is_empty());
        assert_eq!(state.groups.len(), state.group_model.len());
    }
    assert_eq!(state.topics.topics(), state.topic_model.keys().cloned().collect::<Vec<_>>());
    // Everything that is left, taken out pipe by pipe.
    for (pipe, &id) in ids.iter().enumerate() {
        let mut expected = Vec::new();
        state.trie_model.retain(|topic, pipes| {
            if pipes.remove(&pipe) {
                expected.push(topic.clone());
            }
            !pipes.is_empty()
        });
        assert_eq!(state.trie.remove_pipe(id, false), expected);
    }
    assert!(state.trie.is_empty());
}

/// A RADIO's joins: `join`, `leave`, `remove_pipe`, `members`.
fn groups(state: &mut State, op: u8, input: &mut Input<'_>) {
    let pipe = usize::from(op >> 4 & 3);
    let ids = pipe_ids();
    let group = input.short().to_vec();
    match op >> 6 {
        0 => {
            state.groups.join(&group, ids[pipe]);
            state.group_model.entry(group.clone()).or_default().push(pipe);
        }
        1 => {
            state.groups.leave(&group, ids[pipe]);
            if let Some(pipes) = state.group_model.get_mut(&group) {
                if let Some(at) = pipes.iter().position(|&p| p == pipe) {
                    pipes.remove(at);
                }
                if pipes.is_empty() {
                    state.group_model.remove(&group);
                }
            }
        }
        2 => {
            state.groups.remove_pipe(ids[pipe]);
            state.group_model.retain(|_, pipes| {
                pipes.retain(|&p| p != pipe);
                !pipes.is_empty()
            });
        }
        _ => {}
    }
    let mut members = state.groups.members(&group).to_vec();
    let mut expected: Vec<PipeId> = state
        .group_model
        .get(&group)
        .map(|pipes| pipes.iter().map(|&p| ids[p]).collect())
        .unwrap_or_default();
    members.sort();
    expected.sort();
    assert_eq!(members, expected);
}

/// Commands: made ones parse back; arbitrary ones parse to what they start with.
fn commands(input: &mut Input<'_>) {
    let body = input.short();
    let sub = subscribe_command(body);
    assert!(sub.flags().contains(Flags::COMMAND));
    assert_eq!(command::parse(sub.data()), Command::Subscribe(body));
    assert_eq!(command::as_legacy_subscription(sub.data()), Some((1, body)));
    let cancel = cancel_command(body);
    assert_eq!(command::parse(cancel.data()), Command::Cancel(body));
    assert_eq!(command::as_legacy_subscription(cancel.data()), Some((0, body)));
    assert_eq!(parse_membership(&join_command(body)), Some((true, body)));
    assert_eq!(parse_membership(&leave_command(body)), Some((false, body)));
    assert_eq!(parse_membership(&Msg::from_vec(join_command(body).data().to_vec())), None);
    match command::parse(body) {
        Command::Subscribe(topic) => assert_eq!([command::SUBSCRIBE, topic].concat(), body),
        Command::Cancel(topic) => assert_eq!([command::CANCEL, topic].concat(), body),
        Command::Join(group) => assert_eq!([command::JOIN, group].concat(), body),
        Command::Leave(group) => assert_eq!([command::LEAVE, group].concat(), body),
        Command::Ping { context, .. } => {
            assert!(body.starts_with(command::PING) && context.len() <= 16);
        }
        Command::Pong => assert!(body.starts_with(command::PONG)),
        Command::Other => {}
    }
    if let Some((prefix, topic)) = command::as_legacy_subscription(body) {
        let expected = if prefix == 1 { Command::Subscribe(topic) } else { Command::Cancel(topic) };
        assert_eq!(command::parse(body), expected);
    }
}

/// A SUB's or XSUB's outgoing parts: a single-part `1`/`0` + topic message is a
/// SUBSCRIBE/CANCEL command, remembered for the next connection; the rest passes.
fn sub_outgoing(state: &mut State, op: u8, input: &mut Input<'_>) {
    if op & 0x80 != 0 {
        let resent: Vec<_> = state.sub.resend().iter().map(frame).collect();
        let expected: Vec<_> = state.sub_model.iter().map(|topic| frame(&subscribe_command(topic))).collect();
        assert_eq!(resent, expected);
        return;
    }
    let body = input.short().to_vec();
    let mut msg = Msg::from_vec(body.clone());
    msg.set_more(op & 0x40 != 0);
    let mut sent = Vec::new();
    state.sub.outgoing(&msg, |part| sent.push(frame(part)));
    let starts = !state.sub_multipart;
    state.sub_multipart = op & 0x40 != 0;
    let expected = match body.split_first() {
        Some((1, topic)) if starts && !state.sub_multipart => {
            state.sub_model.insert(topic.to_vec());
            frame(&subscribe_command(topic))
        }
        Some((0, topic)) if starts && !state.sub_multipart => {
            state.sub_model.remove(topic);
            frame(&cancel_command(topic))
        }
        _ => (body, state.sub_multipart, false),
    };
    assert_eq!(sent, vec![expected]);
}

/// A DISH: incoming group and body frames (from the network), outgoing JOIN/LEAVE.
fn dish(state: &mut State, op: u8, input: &mut Input<'_>) {
    match op >> 6 {
        0 | 1 => {
            let bytes = input.short().to_vec();
            let mut msg = Msg::from_vec(bytes.clone());
            msg.set_more(op & 0x40 != 0);
            let outcome = state.dish.incoming(msg);
            let expected = match state.dish_group.take() {
                None if op & 0x40 == 0 => Err(Malformed),
                None => {
                    state.dish_group = Some(bytes.clone());
                    Ok(None)
                }
                Some(_) if op & 0x40 != 0 => Err(Malformed),
                Some(group) => Ok(Some((bytes.clone(), group_from_wire(&group).to_vec()))),
            };
            let outcome = outcome.map(|msg| {
                msg.map(|msg| {
                    let group = msg.group().map(|group| group.to_bytes().to_vec()).unwrap_or_default();
                    assert!(!msg.more());
                    (msg.data().to_vec(), group)
                })
            });
            assert_eq!(outcome, expected);
        }
        2 => {
            // A new connection: the DISH is sent its groups again, and no message is
            // half received any more.
            state.dish_group = None;
            state.dish.connection_started();
            let resent: Vec<_> = state.dish.resend().iter().map(frame).collect();
            let expected: Vec<_> = state.dish_model.iter().map(|group| frame(&join_command(group))).collect();
            assert_eq!(resent, expected);
        }
        _ => {
            let group = input.short().to_vec();
            let join = op & 0x20 != 0;
            let msg = if join { join_command(&group) } else { leave_command(&group) };
            let changed = if join { state.dish_model.insert(group) } else { state.dish_model.remove(&group) };
            let expected = changed.then(|| frame(&msg));
            let mut sent = Vec::new();
            state.dish.outgoing(&msg, |part| sent.push(frame(part)));
            assert_eq!(sent, expected.into_iter().collect::<Vec<_>>());
        }
    }
}

/// A RADIO: outgoing messages become a group frame and a body frame; JOIN/LEAVE
/// from the network are taken when the group could be one.
fn radio(state: &mut State, op: u8, input: &mut Input<'_>) {
    let group = input.short();
    let body = input.short();
    if op & 0x80 != 0 {
        let join = op & 0x40 != 0;
        let taken = state.radio.membership(join, group);
        assert_eq!(taken.is_some(), group.len() <= 255);
        if let Some(msg) = taken {
            assert_eq!(parse_membership(&msg), Some((join, group)));
        }
        return;
    }
    let mut msg = Msg::from_vec(body.to_vec());
    let grouped = msg.set_group(group).is_ok();
    let mut sent = Vec::new();
    state.radio.outgoing(&msg, |part| sent.push(frame(part)));
    let group = if grouped { group_from_wire(group) } else { &[] };
    let expected = vec![(group.to_vec(), true, false), (body.to_vec(), false, false)];
    assert_eq!(sent, expected);
}
