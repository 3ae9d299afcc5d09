//! A poller's registrations, reached by key: a slot index and the slot's generation,
//! so a key that outlived its registration (a token still in flight when the socket
//! was removed) finds nothing. Each registration also gets an insertion number:
//! libzmq reports ready items in the order they were added.

/// Names one registration; packs into the `u64` tokens of epoll and the inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    index: u32,
    generation: u32,
}

impl Key {
    pub fn token(self) -> u64 {
        (u64::from(self.generation) << 32) | u64::from(self.index)
    }

    pub fn from_token(token: u64) -> Key {
        Key { index: token as u32, generation: (token >> 32) as u32 }
    }
}

#[derive(Debug)]
struct Slot<V> {
    generation: u32,
    value: Option<V>,
}

/// The registrations.
#[derive(Debug)]
pub struct Items<V> {
    slots: Vec<Slot<V>>,
    free: Vec<u32>,
    len: usize,
    next_order: u64,
}

impl<V> Default for Items<V> {
    fn default() -> Self {
        Items { slots: Vec::new(), free: Vec::new(), len: 0, next_order: 0 }
    }
}

impl<V> Items<V> {
    pub fn len(&self) -> usize {
        self.len
    }

    /// The key the next [`Items::insert`] will return, and that value's insertion
    /// number (to build it knowing its own key).
    pub fn next(&self) -> (Key, u64) {
        let key = match self.free.last() {
            Some(&index) => Key { index, generation: self.slots[index as usize].generation },
            None => Key { index: self.slots.len() as u32, generation: 0 },
        };
        (key, self.next_order)
    }

    /// Stores `value` under the key [`Items::next`] announced.
    pub fn insert(&mut self, value: V) -> Key {
        let (key, _) = self.next();
        self.next_order += 1;
        self.len += 1;
        match self.free.pop() {
            Some(index) => self.slots[index as usize].value = Some(value),
            None => self.slots.push(Slot { generation: 0, value: Some(value) }),
        }
        key
    }

    pub fn get(&self, key: Key) -> Option<&V> {
        let slot = self.slots.get(key.index as usize)?;
        if slot.generation != key.generation {
            return None;
        }
        slot.value.as_ref()
    }

    pub fn get_mut(&mut self, key: Key) -> Option<&mut V> {
        let slot = self.slots.get_mut(key.index as usize)?;
        if slot.generation != key.generation {
            return None;
        }
        slot.value.as_mut()
    }

    pub fn remove(&mut self, key: Key) -> Option<V> {
        let slot = self.slots.get_mut(key.index as usize)?;
        if slot.generation != key.generation {
            return None;
        }
        let value = slot.value.take()?;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(key.index);
        self.len -= 1;
        Some(value)
    }

    /// Every registration, in no particular order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.slots.iter().filter_map(|slot| slot.value.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_removed_key_finds_nothing_even_when_its_slot_is_reused() {
        let mut items = Items::default();
        assert_eq!(items.next().1, 0);
        let first = items.insert("first");
        let second = items.insert("second");
        assert_eq!(Key::from_token(second.token()), second);
        assert_eq!(items.remove(first), Some("first"));
        assert_eq!(items.get(first), None);
        let (announced, order) = items.next();
        assert_eq!(order, 2);
        let third = items.insert("third");
        assert_eq!(announced, third);
        assert_ne!(third, first);
        assert_eq!(items.get(first), None);
        assert_eq!(items.remove(first), None);
        assert_eq!(items.get(third), Some(&"third"));
        assert_eq!(items.len(), 2);
        let mut values: Vec<_> = items.values().copied().collect();
        values.sort_unstable();
        assert_eq!(values, ["second", "third"]);
    }
}
