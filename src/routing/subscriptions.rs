//! Subscriptions: prefix tries of topics. libzmq: `trie.cpp` (a SUB/XSUB's own
//! topics, counted) and `generic_mtrie_impl.hpp` (an XPUB's topics, each with the set
//! of pipes subscribed to it).
//!
//! Topics come from the network and may be as long as a message, so nothing here
//! recurses: the nodes live in one arena (`Vec`), walks use explicit stacks, and
//! dropping a trie frees a flat vector rather than a chain of boxes. And a run of
//! bytes where nothing branches or ends is one node (a radix trie), so a topic
//! costs about its own length: with a node per byte (as libzmq's tries) each byte
//! cost some 80, and one 4 MiB SUBSCRIBE (CVE-2021-20236's trigger) held 300 MiB.

use crate::msg::Msg;
use crate::pipe::PipeId;

/// A subscription as patterns exchange it: the message `1` + topic (subscribe) or
/// `0` + topic (cancel), whatever the transport (libzmq's XPUB takes both these and
/// ZMTP 3.1 commands; sessions turn the commands into these).
pub fn subscription_msg(prefix: u8, topic: &[u8]) -> Msg {
    let mut body = Vec::with_capacity(topic.len() + 1);
    body.push(prefix);
    body.extend_from_slice(topic);
    Msg::from_vec(body)
}

/// What a node holds for the topic that ends there; an empty value means no topic
/// ends there.
trait Slot: Default {
    fn is_empty(&self) -> bool;
}

impl Slot for u32 {
    fn is_empty(&self) -> bool {
        *self == 0
    }
}

impl Slot for Vec<PipeId> {
    fn is_empty(&self) -> bool {
        Vec::is_empty(self)
    }
}

const ROOT: usize = 0;
/// No child for that byte.
const NONE: u32 = u32::MAX;
/// The `parent` of a node on the free list.
const FREED: u32 = u32::MAX;

/// A trie node: the bytes leading to it from its parent (`label`, more than one
/// where nothing branches or ends in between: a radix trie), and its children, in a
/// dense table over the range of bytes their labels start with (as in libzmq's
/// tries): finding the next node is one subtraction and one load, with no search
/// and no branch to mispredict, which is what matching many topics per message
/// costs. A topic of a million bytes is one node holding them, not a million nodes
/// (each of which cost some 80 bytes: topics come from the network).
#[derive(Debug, Default)]
struct Node<V> {
    value: V,
    parent: u32,
    /// The bytes from the parent to here; `label[0]` is this node's entry in the
    /// parent's table. Empty for the root only.
    label: Box<[u8]>,
    /// The byte of `children[0]`.
    first: u8,
    /// `children[i]` is the node whose label starts with byte `first + i`, or `NONE`.
    children: Box<[u32]>,
    /// The entries of `children` that are not `NONE`.
    child_count: u16,
}

impl<V> Node<V> {
    fn child(&self, byte: u8) -> Option<usize> {
        // A byte below `first` wraps past the end of the table (at most 256 - first
        // entries), so one bounds check covers both sides.
        let slot = self.children.get(usize::from(byte.wrapping_sub(self.first)))?;
        (*slot != NONE).then_some(*slot as usize)
    }

    fn set_child(&mut self, byte: u8, child: u32) {
        if self.children.is_empty() {
            self.first = byte;
            self.children = Box::new([child]);
        } else {
            // The table covers `first..=last`, so `len - 1` fits a byte.
            let last = self.first + (self.children.len() - 1) as u8;
            if byte < self.first || byte > last {
                let first = self.first.min(byte);
                let mut table = vec![NONE; usize::from(last.max(byte) - first) + 1];
                let offset = usize::from(self.first - first);
                table[offset..offset + self.children.len()].copy_from_slice(&self.children);
                self.first = first;
                self.children = table.into_boxed_slice();
            }
            let slot = &mut self.children[usize::from(byte - self.first)];
            if *slot != NONE {
                // Replacing a child (a label split): the count stays.
                *slot = child;
                return;
            }
            *slot = child;
        }
        self.child_count += 1;
    }

    fn unset_child(&mut self, byte: u8) {
        let Some(slot) = self.children.get_mut(usize::from(byte.wrapping_sub(self.first))) else { return };
        if *slot != NONE {
            *slot = NONE;
            self.child_count -= 1;
            if self.child_count == 0 {
                self.children = Box::default();
            }
        }
    }

    /// The children, in byte order.
    fn children(&self) -> impl DoubleEndedIterator<Item = usize> + '_ {
        self.children.iter().filter(|&&child| child != NONE).map(|&child| child as usize)
    }
}

/// A radix trie of bytes in an arena; freed nodes are reused. Node numbers are
/// `u32` (a trie of four billion nodes would not fit in memory anyway).
#[derive(Debug)]
struct Trie<V> {
    nodes: Vec<Node<V>>,
    free: Vec<usize>,
}

impl<V: Slot> Default for Trie<V> {
    fn default() -> Self {
        Trie { nodes: vec![Node::default()], free: Vec::new() }
    }
}

/// How many bytes `a` and `b` start with in common.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

impl<V: Slot> Trie<V> {
    fn child(&self, node: usize, byte: u8) -> Option<usize> {
        self.nodes[node].child(byte)
    }

    /// The node where `topic` ends, if it exists.
    fn find(&self, topic: &[u8]) -> Option<usize> {
        let mut node = ROOT;
        let mut rest = topic;
        while let Some(&byte) = rest.first() {
            let child = self.child(node, byte)?;
            rest = rest.strip_prefix(&*self.nodes[child].label)?;
            node = child;
        }
        Some(node)
    }

    /// A new node under `parent` (not yet in its table).
    fn alloc(&mut self, parent: usize, label: &[u8]) -> usize {
        let fresh = Node { parent: parent as u32, label: label.into(), ..Node::default() };
        super::store_reusing(&mut self.nodes, &mut self.free, fresh)
    }

    /// The node where `topic` ends, made if need be (splitting a label that goes
    /// past it).
    fn find_or_insert(&mut self, topic: &[u8]) -> usize {
        let mut node = ROOT;
        let mut rest = topic;
        while let Some(&byte) = rest.first() {
            let Some(child) = self.child(node, byte) else {
                let leaf = self.alloc(node, rest);
                self.nodes[node].set_child(byte, leaf as u32);
                return leaf;
            };
            let common = common_prefix(&self.nodes[child].label, rest);
            if common < self.nodes[child].label.len() {
                // The label goes past `rest` or differs from it: a node where they
                // part, holding the common bytes, with the old child below it.
                let label = core::mem::take(&mut self.nodes[child].label);
                let middle = self.alloc(node, &label[..common]);
                self.nodes[child].label = label[common..].into();
                self.nodes[child].parent = middle as u32;
                self.nodes[middle].set_child(label[common], child as u32);
                self.nodes[node].set_child(byte, middle as u32);
                node = middle;
            } else {
                node = child;
            }
            rest = &rest[common..];
        }
        node
    }

    /// Frees `node` and its ancestors while they hold nothing, and merges a node
    /// that holds no topic with its only child (so labels stay as long as they can
    /// be; what it took over may hold nothing either, when many values were emptied
    /// at once, and goes in turn). A node already freed is left alone.
    fn prune(&mut self, mut node: usize) {
        if self.nodes[node].parent == FREED {
            return;
        }
        while node != ROOT && self.nodes[node].value.is_empty() {
            match self.nodes[node].child_count {
                0 => {
                    let parent = self.nodes[node].parent as usize;
                    let byte = self.nodes[node].label[0];
                    self.nodes[parent].unset_child(byte);
                    self.nodes[node] = Node { parent: FREED, ..Node::default() };
                    self.free.push(node);
                    node = parent;
                }
                1 => self.absorb_only_child(node),
                _ => break,
            }
        }
    }

    /// `node` (holding no topic) takes over its only child: the labels join, and the
    /// child's value and children become the node's.
    fn absorb_only_child(&mut self, node: usize) {
        let Some(child) = self.nodes[node].children().next() else { return };
        let taken = core::mem::replace(&mut self.nodes[child], Node { parent: FREED, ..Node::default() });
        self.free.push(child);
        let target = &mut self.nodes[node];
        target.label = [&target.label[..], &taken.label[..]].concat().into();
        target.value = taken.value;
        target.first = taken.first;
        target.children = taken.children;
        target.child_count = taken.child_count;
        for grandchild in self.nodes[node].children().collect::<Vec<_>>() {
            self.nodes[grandchild].parent = node as u32;
        }
    }

    /// The topic that ends at `node`.
    fn topic(&self, mut node: usize) -> Vec<u8> {
        let mut labels = Vec::new();
        while node != ROOT {
            labels.push(&self.nodes[node].label);
            node = self.nodes[node].parent as usize;
        }
        labels.iter().rev().flat_map(|label| label.iter().copied()).collect()
    }

    /// Every node holding a topic, in lexicographic order of the topics (libzmq's
    /// walk order, so notifications come in the same order).
    fn nodes_in_order(&self) -> Vec<usize> {
        let mut found = Vec::new();
        let mut stack = vec![ROOT];
        while let Some(node) = stack.pop() {
            if !self.nodes[node].value.is_empty() {
                found.push(node);
            }
            stack.extend(self.nodes[node].children().rev());
        }
        found
    }

    /// The values of every topic that is a prefix of `data` (the empty topic first).
    fn prefixes_of<'a>(&'a self, data: &'a [u8]) -> impl Iterator<Item = &'a V> + 'a {
        let mut node = Some(ROOT);
        let mut rest = data;
        std::iter::from_fn(move || {
            let current = node?;
            node = rest.first().and_then(|&byte| self.child(current, byte)).and_then(|child| {
                rest = rest.strip_prefix(&*self.nodes[child].label)?;
                Some(child)
            });
            Some(&self.nodes[current].value)
        })
        .filter(|value| !value.is_empty())
    }
}

/// A SUB or XSUB socket's own subscriptions: each topic with the number of times it
/// was subscribed. libzmq: `trie.cpp`.
#[derive(Debug, Default)]
pub struct TopicSet {
    trie: Trie<u32>,
    topics: usize,
}

impl TopicSet {
    /// Counts one more subscription to `topic`; whether it is new.
    pub fn add(&mut self, topic: &[u8]) -> bool {
        let node = self.trie.find_or_insert(topic);
        let count = &mut self.trie.nodes[node].value;
        *count = count.saturating_add(1);
        let new = *count == 1;
        self.topics += usize::from(new);
        new
    }

    /// Counts one subscription to `topic` less; whether that was the last one (an
    /// unknown topic is no change).
    pub fn remove(&mut self, topic: &[u8]) -> bool {
        let Some(node) = self.trie.find(topic) else { return false };
        let count = &mut self.trie.nodes[node].value;
        if *count == 0 {
            return false;
        }
        *count -= 1;
        let last = *count == 0;
        if last {
            self.topics -= 1;
            self.trie.prune(node);
        }
        last
    }

    /// Whether some topic is a prefix of `data` (the empty topic matches everything).
    pub fn matches(&self, data: &[u8]) -> bool {
        self.trie.prefixes_of(data).next().is_some()
    }

    /// Every topic once, in order (to send them to a new peer).
    pub fn topics(&self) -> Vec<Vec<u8>> {
        self.trie.nodes_in_order().into_iter().map(|node| self.trie.topic(node)).collect()
    }

    /// The number of distinct topics (`ZMQ_TOPICS_COUNT`).
    pub fn len(&self) -> usize {
        self.topics
    }

    pub fn is_empty(&self) -> bool {
        self.topics == 0
    }
}

/// What removing one pipe's subscription found. libzmq: `mtrie_t::rm_result`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removed {
    /// The pipe was not subscribed to the topic.
    NotFound,
    /// Other pipes are still subscribed to it.
    OthersRemain,
    /// That was the last pipe subscribed to it.
    Last,
}

/// An XPUB's subscriptions: each topic with the set of pipes subscribed to it (a
/// pipe subscribing twice is in the set once, as in libzmq). libzmq: `mtrie.cpp`.
#[derive(Debug, Default)]
pub struct PipeTrie {
    trie: Trie<Vec<PipeId>>,
    topics: usize,
}

impl PipeTrie {
    /// Subscribes `pipe` to `topic`; whether the topic had no pipe before.
    pub fn add(&mut self, topic: &[u8], pipe: PipeId) -> bool {
        let node = self.trie.find_or_insert(topic);
        let pipes = &mut self.trie.nodes[node].value;
        let first = pipes.is_empty();
        if !pipes.contains(&pipe) {
            pipes.push(pipe);
        }
        self.topics += usize::from(first);
        first
    }

    /// Unsubscribes `pipe` from `topic`.
    pub fn remove(&mut self, topic: &[u8], pipe: PipeId) -> Removed {
        let Some(node) = self.trie.find(topic) else { return Removed::NotFound };
        let pipes = &mut self.trie.nodes[node].value;
        let Some(index) = pipes.iter().position(|&p| p == pipe) else { return Removed::NotFound };
        pipes.swap_remove(index);
        if !pipes.is_empty() {
            return Removed::OthersRemain;
        }
        self.topics -= 1;
        self.trie.prune(node);
        Removed::Last
    }

    /// Unsubscribes `pipe` from everything; the topics it had, in order — all of
    /// them, or with `only_last` only those no other pipe is subscribed to.
    pub fn remove_pipe(&mut self, pipe: PipeId, only_last: bool) -> Vec<Vec<u8>> {
        let mut reported = Vec::new();
        let mut emptied = Vec::new();
        for node in self.trie.nodes_in_order() {
            let pipes = &mut self.trie.nodes[node].value;
            let Some(index) = pipes.iter().position(|&p| p == pipe) else { continue };
            pipes.swap_remove(index);
            let last = pipes.is_empty();
            if !only_last || last {
                reported.push(self.trie.topic(node));
            }
            if last {
                self.topics -= 1;
                emptied.push(node);
            }
        }
        // Deepest first, so a pruned child never leaves its parent behind.
        for node in emptied.into_iter().rev() {
            self.trie.prune(node);
        }
        reported
    }

    /// Calls `each` for every pipe subscribed to a prefix of `data` (a pipe may come
    /// more than once, once per matching topic).
    pub fn for_each_match(&self, data: &[u8], mut each: impl FnMut(PipeId)) {
        for pipes in self.trie.prefixes_of(data) {
            pipes.iter().copied().for_each(&mut each);
        }
    }

    /// The number of topics some pipe is subscribed to (`ZMQ_TOPICS_COUNT`).
    pub fn len(&self) -> usize {
        self.topics
    }

    pub fn is_empty(&self) -> bool {
        self.topics == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipe::{pipe_pair, Limits};

    fn ids() -> (PipeId, PipeId) {
        let (a, b) = pipe_pair([Limits::default(); 2]);
        (a.id(), b.id())
    }

    #[test]
    fn topic_set_counts_and_matches_prefixes() {
        let mut set = TopicSet::default();
        assert!(!set.matches(b"anything"));
        assert!(set.add(b"ab"));
        assert!(!set.add(b"ab"));
        assert!(set.add(b"b"));
        assert!(set.matches(b"abc"));
        assert!(set.matches(b"ab"));
        assert!(!set.matches(b"a"));
        assert!(set.matches(b"bzz"));
        assert_eq!(set.len(), 2);
        assert!(!set.remove(b"ab"));
        assert!(set.matches(b"abc"));
        assert!(set.remove(b"ab"));
        assert!(!set.matches(b"abc"));
        assert!(!set.remove(b"ab"));
        assert!(!set.remove(b"zz"));
        assert_eq!(set.len(), 1);
        assert!(set.add(b""));
        assert!(set.matches(b""));
        assert!(set.matches(b"q"));
        assert_eq!(set.topics(), [b"".to_vec(), b"b".to_vec()]);
    }

    #[test]
    fn topics_come_in_order_and_nodes_are_reused() {
        let mut set = TopicSet::default();
        for topic in [&b"b"[..], b"abc", b"a", b"ba"] {
            set.add(topic);
        }
        assert_eq!(set.topics(), [b"a".to_vec(), b"abc".to_vec(), b"b".to_vec(), b"ba".to_vec()]);
        let size = set.trie.nodes.len();
        set.remove(b"abc");
        set.add(b"axy");
        assert_eq!(set.trie.nodes.len(), size);
    }

    #[test]
    fn children_may_start_with_any_byte_in_any_order() {
        let mut set = TopicSet::default();
        let topics: Vec<Vec<u8>> = [200u8, 7, 255, 0, 128, 6].iter().map(|&b| vec![b'k', b, b]).collect();
        for topic in &topics {
            assert!(set.add(topic));
        }
        let mut sorted = topics.clone();
        sorted.sort();
        assert_eq!(set.topics(), sorted);
        for topic in &topics {
            assert!(set.matches(&[topic.as_slice(), b"tail"].concat()));
            assert!(!set.matches(&topic[..2]));
        }
        assert!(!set.matches(&[b'k', 1, 1]));
        for topic in &topics {
            assert!(set.remove(topic));
            assert!(!set.matches(topic));
        }
        assert!(set.is_empty());
        assert_eq!(set.trie.nodes[ROOT].child_count, 0);
    }

    #[test]
    fn long_topics_do_not_recurse() {
        let topic = vec![b'x'; 1 << 20];
        let mut set = TopicSet::default();
        set.add(&topic);
        assert!(set.matches(&topic));
        assert_eq!(set.topics()[0].len(), topic.len());
        let mut trie = PipeTrie::default();
        let (a, _) = ids();
        trie.add(&topic, a);
        assert_eq!(set.trie.nodes.len(), 2, "one node holds the whole topic");
        assert_eq!(trie.remove_pipe(a, true).len(), 1);
        assert_eq!(trie.trie.free.len(), 1);
        drop(set);
    }

    #[test]
    fn pipe_trie_reports_first_and_last() {
        let (a, b) = ids();
        let mut trie = PipeTrie::default();
        assert!(trie.add(b"t", a));
        assert!(!trie.add(b"t", a));
        assert!(!trie.add(b"t", b));
        assert_eq!(trie.remove(b"t", a), Removed::OthersRemain);
        assert_eq!(trie.remove(b"t", a), Removed::NotFound);
        assert_eq!(trie.remove(b"t", b), Removed::Last);
        assert_eq!(trie.remove(b"u", b), Removed::NotFound);
        assert!(trie.is_empty());
    }

    #[test]
    fn pipe_trie_matches_every_prefix() {
        let (a, b) = ids();
        let mut trie = PipeTrie::default();
        trie.add(b"", a);
        trie.add(b"ne", b);
        trie.add(b"news", b);
        let mut hits = Vec::new();
        trie.for_each_match(b"news!", |pipe| hits.push(pipe));
        assert_eq!(hits, [a, b, b]);
        hits.clear();
        trie.for_each_match(b"n", |pipe| hits.push(pipe));
        assert_eq!(hits, [a]);
    }

    #[test]
    fn removing_a_pipe_reports_its_topics() {
        let (a, b) = ids();
        let mut trie = PipeTrie::default();
        trie.add(b"x", a);
        trie.add(b"y", a);
        trie.add(b"y", b);
        trie.add(b"yz", a);
        assert_eq!(trie.remove_pipe(a, true), [b"x".to_vec(), b"yz".to_vec()]);
        assert_eq!(trie.len(), 1);
        trie.add(b"x", a);
        assert_eq!(trie.remove_pipe(a, false), [b"x".to_vec()]);
        assert_eq!(trie.remove_pipe(b, false), [b"y".to_vec()]);
        assert!(trie.is_empty());
        assert_eq!(trie.trie.nodes_in_order(), Vec::<usize>::new());
    }

    /// Every live node but the root holds a topic or branches (labels are as long
    /// as they can be), every child knows its parent, and the free list holds the
    /// rest.
    fn check_compressed<V: Slot>(trie: &Trie<V>) {
        let mut live = 0;
        let mut stack = vec![ROOT];
        while let Some(node) = stack.pop() {
            live += 1;
            let this = &trie.nodes[node];
            if node != ROOT {
                assert!(!this.label.is_empty());
                assert!(!this.value.is_empty() || this.child_count >= 2, "node {node} could be merged");
            }
            assert_eq!(this.children().count(), usize::from(this.child_count));
            for child in this.children() {
                assert_eq!(trie.nodes[child].parent as usize, node);
                assert_eq!(trie.child(node, trie.nodes[child].label[0]), Some(child));
                stack.push(child);
            }
        }
        assert_eq!(live + trie.free.len(), trie.nodes.len());
    }

    #[test]
    fn labels_split_and_merge() {
        let mut set = TopicSet::default();
        set.add(b"abcdef");
        assert_eq!(set.trie.nodes.len(), 2);
        set.add(b"abc");
        set.add(b"abxy");
        set.add(b"");
        check_compressed(&set.trie);
        assert_eq!(set.topics(), [&b""[..], b"abc", b"abcdef", b"abxy"]);
        assert!(set.matches(b"abcd") && set.matches(b"abcdefg") && set.matches(b"zz"));
        set.remove(b"");
        assert!(!set.matches(b"ab") && set.matches(b"abc") && !set.matches(b"abx") && set.matches(b"abxyz"));
        // Removing "abc" leaves "ab" branching; removing "abxy" merges it back.
        set.remove(b"abc");
        check_compressed(&set.trie);
        set.remove(b"abxy");
        check_compressed(&set.trie);
        assert_eq!(set.topics(), [b"abcdef".to_vec()]);
        assert!(!set.matches(b"abcde") && set.matches(b"abcdef"));
        set.remove(b"abcdef");
        assert!(set.is_empty());
        assert_eq!(set.trie.nodes.len(), set.trie.free.len() + 1);
    }

    #[test]
    fn tries_agree_with_a_plain_list_of_topics() {
        // Random subscriptions over a small alphabet (many shared prefixes, splits
        // and merges), checked against a counted map of topics.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |below: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % below
        };
        let (a, b) = ids();
        let mut set = TopicSet::default();
        let mut trie = PipeTrie::default();
        let mut counts: std::collections::BTreeMap<Vec<u8>, u32> = Default::default();
        let mut pipes: std::collections::BTreeMap<Vec<u8>, Vec<PipeId>> = Default::default();
        for round in 0..20_000 {
            let len = next(7) as usize;
            let topic: Vec<u8> = (0..len).map(|_| b"abc"[next(3) as usize]).collect();
            let pipe = if next(2) == 0 { a } else { b };
            if next(3) == 0 {
                let count = counts.entry(topic.clone()).or_default();
                let was_last = *count == 1;
                let known = *count > 0;
                *count = count.saturating_sub(1);
                assert_eq!(set.remove(&topic), known && was_last, "round {round}");
                let holders = pipes.entry(topic.clone()).or_default();
                let expected = match holders.iter().position(|&p| p == pipe) {
                    None => Removed::NotFound,
                    Some(index) => {
                        holders.swap_remove(index);
                        if holders.is_empty() {
                            Removed::Last
                        } else {
                            Removed::OthersRemain
                        }
                    }
                };
                assert_eq!(trie.remove(&topic, pipe), expected, "round {round}");
            } else {
                let count = counts.entry(topic.clone()).or_default();
                *count += 1;
                assert_eq!(set.add(&topic), *count == 1);
                let holders = pipes.entry(topic.clone()).or_default();
                let first = holders.is_empty();
                if !holders.contains(&pipe) {
                    holders.push(pipe);
                }
                assert_eq!(trie.add(&topic, pipe), first);
            }
            if round % 2000 == 1999 {
                // One pipe leaves: its topics go at once (many prunes in a row).
                let only_last = round % 4000 == 1999;
                let mut expected = Vec::new();
                for (topic, holders) in pipes.iter_mut() {
                    if let Some(index) = holders.iter().position(|&p| p == b) {
                        holders.swap_remove(index);
                        if !only_last || holders.is_empty() {
                            expected.push(topic.clone());
                        }
                    }
                }
                assert_eq!(trie.remove_pipe(b, only_last), expected, "round {round}");
                check_compressed(&trie.trie);
            }
            if round % 97 == 0 {
                check_compressed(&set.trie);
                check_compressed(&trie.trie);
                let live: Vec<Vec<u8>> =
                    counts.iter().filter(|(_, &count)| count > 0).map(|(topic, _)| topic.clone()).collect();
                assert_eq!(set.topics(), live);
                assert_eq!(set.len(), live.len());
                let data: Vec<u8> = (0..next(9)).map(|_| b"abc"[next(3) as usize]).collect();
                assert_eq!(set.matches(&data), live.iter().any(|topic| data.starts_with(topic)));
                let mut hits = Vec::new();
                trie.for_each_match(&data, |pipe| hits.push(pipe));
                let mut expected: Vec<PipeId> = pipes
                    .iter()
                    .filter(|(topic, _)| data.starts_with(topic))
                    .flat_map(|(_, holders)| holders.iter().copied())
                    .collect();
                hits.sort();
                expected.sort();
                assert_eq!(hits, expected, "round {round}");
            }
        }
        let mut expected: Vec<Vec<u8>> = pipes
            .iter()
            .filter(|(_, holders)| holders.contains(&a))
            .map(|(topic, _)| topic.clone())
            .collect();
        expected.sort();
        assert_eq!(trie.remove_pipe(a, false), expected);
        check_compressed(&trie.trie);
        trie.remove_pipe(b, false);
        assert!(trie.is_empty());
        check_compressed(&trie.trie);
    }

    #[test]
    fn removing_a_pipe_with_nested_topics_frees_each_node_once() {
        let (a, b) = ids();
        let mut trie = PipeTrie::default();
        trie.add(b"a", a);
        trie.add(b"ab", a);
        assert_eq!(trie.remove_pipe(a, false), [b"a".to_vec(), b"ab".to_vec()]);
        let mut free = trie.trie.free.clone();
        free.sort_unstable();
        free.dedup();
        assert_eq!(free.len(), trie.trie.free.len(), "a node was freed twice");
        trie.add(b"xy", b);
        trie.add(b"xz", a);
        let mut hits = Vec::new();
        trie.for_each_match(b"xyz", |pipe| hits.push(pipe));
        assert_eq!(hits, [b]);
        assert_eq!(trie.remove_pipe(a, false), [b"xz".to_vec()]);
        assert_eq!(trie.remove_pipe(b, false), [b"xy".to_vec()]);
        assert!(trie.is_empty());
    }
}
