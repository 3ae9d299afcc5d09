//! `Msg`: one message part, as `zmq_msg_t` holds it. libzmq: `msg.hpp`, `msg.cpp`.
//!
//! A `Msg` fits in the 64 bytes of a `zmq_msg_t` and holds no pointer into itself, so
//! C may move one with `memcpy`. Small bodies live inline; larger ones in one
//! reference-counted allocation that every copy shares; very large or foreign ones in
//! a [`Storage`]; constant data (`zmq_send_const`) is referenced, never copied or freed.

mod metadata;
mod storage;

use core::fmt;
use std::ffi::{CStr, CString};
use std::sync::Arc;

pub use metadata::Metadata;
pub use storage::{Release, Storage};

use crate::constants::ZMQ_GROUP_MAX_LENGTH;
use crate::error::{Errno, Result};

/// Bodies up to this size are stored inside the message itself (libzmq's
/// `max_vsm_size` on 64-bit platforms).
pub(crate) const INLINE_CAPACITY: usize = 33;

/// A message part.
///
/// The layout is fixed (`repr(C)`, body first, body tag first) so that the C layer
/// can tell a live `zmq_msg_t` from garbage by its first byte, as libzmq does: see
/// [`Msg::is_live_tag`].
#[repr(C)]
pub struct Msg {
    body: Body,
    metadata: Option<Arc<Metadata>>,
    group: Option<Box<CString>>,
    routing_id: u32,
    flags: Flags,
}

/// Bodies from `INLINE_CAPACITY` up to this size live in one reference-counted
/// allocation ([`Body::Heap`]); larger ones go through [`Storage`], whose allocation
/// can fail with `ENOMEM` instead of aborting.
const HEAP_LIMIT: usize = 1 << 20;

/// The body; the tag values are libzmq's message type numbers.
#[repr(u8)]
enum Body {
    Inline {
        len: u8,
        bytes: [u8; INLINE_CAPACITY],
    } = TAG_INLINE,
    /// Bytes allocated here, shared by copies: one allocation, as libzmq's `lmsg`.
    Heap {
        bytes: Arc<[u8]>,
        offset: usize,
        len: usize,
    } = TAG_HEAP,
    /// Bytes of a [`Storage`]: very large, taken over from a `Vec`, or the caller's.
    Shared {
        storage: Arc<Storage>,
        offset: usize,
        len: usize,
    } = TAG_SHARED,
    /// Caller-owned bytes, never copied or freed; `ptr` may be NULL when `len` is 0.
    Constant {
        ptr: *const u8,
        len: usize,
    } = TAG_CONSTANT,
}

// SAFETY: `Body::Constant` points at bytes the caller promised stay valid and unchanged
// for as long as any message refers to them (see `Msg::from_constant`); every other
// field is `Send`.
unsafe impl Send for Msg {}
// SAFETY: as above; `&Msg` only reads.
unsafe impl Sync for Msg {}

const TAG_INLINE: u8 = 101;
const TAG_HEAP: u8 = 102;
const TAG_CONSTANT: u8 = 104;
const TAG_SHARED: u8 = 105;

/// Per-message flags, with libzmq's bit values.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags(u8);

/// cbindgen:ignore
impl Flags {
    /// Followed by more parts.
    pub const MORE: Flags = Flags(1);
    /// A ZMTP command frame.
    pub const COMMAND: Flags = Flags(2);
    /// Carries the peer's credential (first message after a ZAP handshake).
    pub const CREDENTIAL: Flags = Flags(32);
    /// The peer's routing id (ROUTER / STREAM).
    pub const ROUTING_ID: Flags = Flags(64);
    /// The body is shared with another message (`ZMQ_SHARED`).
    pub const SHARED: Flags = Flags(128);

    pub fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    fn set(&mut self, other: Flags, on: bool) {
        let bits = if on { self.0 | other.0 } else { self.0 & !other.0 };
        // Stored only when it changes: a message is moved whole right after its flags
        // are set (on every send), and a wide load of bytes just stored narrowly
        // waits for the store to drain (a failed store-to-load forwarding).
        if bits != self.0 {
            self.0 = bits;
        }
    }
}

impl fmt::Debug for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Flags({:#04x})", self.0)
    }
}

impl Default for Msg {
    fn default() -> Msg {
        Msg::new()
    }
}

impl Msg {
    /// An empty message (`zmq_msg_init`).
    pub const fn new() -> Msg {
        Msg::with_body(Body::Inline { len: 0, bytes: [0; INLINE_CAPACITY] })
    }

    const fn with_body(body: Body) -> Msg {
        Msg { body, flags: Flags(0), routing_id: 0, group: None, metadata: None }
    }

    /// `len` zeroed bytes for the caller to fill (`zmq_msg_init_size`); `ENOMEM` when
    /// memory runs out.
    pub fn with_size(len: usize) -> Result<Msg> {
        if len <= INLINE_CAPACITY {
            return Ok(Msg::inline_zeroed(len as u8));
        }
        if len <= HEAP_LIMIT {
            // SAFETY: zeroed bytes are initialised `u8`s.
            let bytes = unsafe { Arc::<[u8]>::new_zeroed_slice(len).assume_init() };
            return Ok(Msg::with_body(Body::Heap { bytes, offset: 0, len }));
        }
        Ok(Msg::from_storage(Storage::zeroed(len)?))
    }

    /// `len` (at most [`INLINE_CAPACITY`]) zeroed bytes stored inline. Always inlined,
    /// so that the C layer's `zmq_msg_init_size` builds it in the caller's `zmq_msg_t`
    /// instead of in a temporary it then copies.
    #[inline(always)]
    pub(crate) const fn inline_zeroed(len: u8) -> Msg {
        Msg::with_body(Body::Inline { len, bytes: [0; INLINE_CAPACITY] })
    }

    /// A copy of `bytes` (`zmq_msg_init_buffer`, `zmq_send`).
    pub fn from_slice(bytes: &[u8]) -> Result<Msg> {
        if bytes.len() <= INLINE_CAPACITY {
            let mut inline = [0; INLINE_CAPACITY];
            inline[..bytes.len()].copy_from_slice(bytes);
            return Ok(Msg::with_body(Body::Inline { len: bytes.len() as u8, bytes: inline }));
        }
        if bytes.len() <= HEAP_LIMIT {
            let len = bytes.len();
            return Ok(Msg::with_body(Body::Heap { bytes: Arc::from(bytes), offset: 0, len }));
        }
        Ok(Msg::from_storage(Storage::copy_of(bytes)?))
    }

    /// Becomes a copy of `bytes`, with no flags, routing id, group or metadata (as
    /// from [`Msg::from_slice`]), built in place when it fits inline.
    pub(crate) fn assign_slice(&mut self, bytes: &[u8]) -> Result<()> {
        if bytes.len() > INLINE_CAPACITY {
            *self = Msg::from_slice(bytes)?;
            return Ok(());
        }
        if !matches!(self.body, Body::Inline { .. }) || self.metadata.is_some() || self.group.is_some() {
            *self = Msg::new();
        }
        if let Body::Inline { len, bytes: inline } = &mut self.body {
            // At most INLINE_CAPACITY, which fits a u8 (as in `from_slice`).
            *len = bytes.len() as u8;
            inline[..bytes.len()].copy_from_slice(bytes);
        }
        self.routing_id = 0;
        self.flags = Flags::default();
        Ok(())
    }

    /// Takes over a vector without copying it.
    pub fn from_vec(bytes: Vec<u8>) -> Msg {
        if bytes.len() <= INLINE_CAPACITY {
            // Small bodies are cheaper inline than behind an allocation.
            if let Ok(msg) = Msg::from_slice(&bytes) {
                return msg;
            }
        }
        Msg::from_storage(Storage::from_vec(bytes))
    }

    /// A message over storage that may be shared.
    pub fn from_storage(storage: Storage) -> Msg {
        let len = storage.len();
        Msg::from_shared(Arc::new(storage), 0, len)
    }

    /// A message over `len` bytes at `offset` of shared storage (a slice of a receive
    /// buffer, say). Out-of-range slices are clamped to the storage.
    pub fn from_shared(storage: Arc<Storage>, offset: usize, len: usize) -> Msg {
        let offset = offset.min(storage.len());
        let len = len.min(storage.len() - offset);
        Msg::with_body(Body::Shared { storage, offset, len })
    }

    /// A message referring to constant bytes that are never copied or freed
    /// (`zmq_send_const`, `zmq_msg_init_data` without a free function).
    ///
    /// # Safety
    /// `ptr` must be valid for reads of `len` bytes, unchanged, for as long as this
    /// message or any copy of it exists; it may be NULL only when `len` is 0.
    pub unsafe fn from_constant(ptr: *const u8, len: usize) -> Msg {
        let mut msg = Msg::with_body(Body::Constant { ptr, len });
        msg.flags.set(Flags::SHARED, true);
        msg
    }

    /// The body.
    pub fn data(&self) -> &[u8] {
        match &self.body {
            Body::Inline { len, bytes } => &bytes[..usize::from(*len).min(INLINE_CAPACITY)],
            Body::Heap { bytes, offset, len } => bytes.get(*offset..offset + len).unwrap_or_default(),
            Body::Shared { storage, offset, len } => {
                storage.as_slice().get(*offset..offset + len).unwrap_or_default()
            }
            Body::Constant { len: 0, .. } => &[],
            // SAFETY: `from_constant`'s contract keeps `ptr` valid for `len` bytes, and
            // non-null since `len` is not 0.
            Body::Constant { ptr, len } => unsafe { core::slice::from_raw_parts(*ptr, *len) },
        }
    }

    /// The body's first byte, for C to read and write (`zmq_msg_data`). Inline bodies
    /// are inside `self`, so the pointer is valid only while the message stays put.
    pub fn data_ptr(&mut self) -> *mut u8 {
        match &mut self.body {
            Body::Inline { bytes, .. } => bytes.as_mut_ptr(),
            // Unshared bytes are reached mutably; shared ones must not be written (as
            // zmq_msg_copy(3) says), so their address is only handed out.
            Body::Heap { bytes, offset, .. } => match Arc::get_mut(bytes) {
                Some(unique) => unique.as_mut_ptr().wrapping_add(*offset),
                None => Arc::as_ptr(bytes).cast::<u8>().cast_mut().wrapping_add(*offset),
            },
            Body::Shared { storage, offset, .. } => storage.as_ptr().wrapping_add(*offset),
            Body::Constant { ptr, .. } => ptr.cast_mut(),
        }
    }

    pub fn len(&self) -> usize {
        match &self.body {
            Body::Inline { len, .. } => usize::from(*len),
            Body::Heap { len, .. } | Body::Shared { len, .. } | Body::Constant { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn flags(&self) -> Flags {
        self.flags
    }

    pub fn set_flag(&mut self, flag: Flags, on: bool) {
        self.flags.set(flag, on);
    }

    /// Whether more parts follow (`ZMQ_MORE`).
    pub fn more(&self) -> bool {
        self.flags.contains(Flags::MORE)
    }

    pub fn set_more(&mut self, more: bool) {
        self.flags.set(Flags::MORE, more);
    }

    /// Whether the body is shared with another message (`ZMQ_SHARED`): true for
    /// constant bodies and for any copied body that is not inline.
    pub fn is_shared(&self) -> bool {
        self.flags.contains(Flags::SHARED)
    }

    /// A second message with the same content, properties and flags
    /// (`zmq_msg_copy`). Large bodies are shared, not copied; both messages are then
    /// marked shared.
    pub fn share(&mut self) -> Msg {
        let body = match &self.body {
            Body::Inline { len, bytes } => Body::Inline { len: *len, bytes: *bytes },
            Body::Heap { bytes, offset, len } => {
                self.flags.set(Flags::SHARED, true);
                Body::Heap { bytes: Arc::clone(bytes), offset: *offset, len: *len }
            }
            Body::Shared { storage, offset, len } => {
                self.flags.set(Flags::SHARED, true);
                Body::Shared { storage: Arc::clone(storage), offset: *offset, len: *len }
            }
            Body::Constant { ptr, len } => Body::Constant { ptr: *ptr, len: *len },
        };
        Msg {
            body,
            flags: self.flags,
            routing_id: self.routing_id,
            group: self.group.clone(),
            metadata: self.metadata.clone(),
        }
    }

    /// Moves the content out, leaving an empty message (`zmq_msg_move`).
    pub fn take(&mut self) -> Msg {
        core::mem::take(self)
    }

    /// Whether `byte`, the first byte of a `Msg` in memory, is the tag of a live
    /// message. A zeroed or closed `zmq_msg_t` starts with [`Msg::CLOSED_TAG`].
    pub const fn is_live_tag(byte: u8) -> bool {
        matches!(byte, TAG_INLINE | TAG_HEAP | TAG_SHARED | TAG_CONSTANT)
    }

    /// What the C layer writes over the first byte of a message it closed.
    pub const CLOSED_TAG: u8 = 0;

    /// The routing id (CLIENT/SERVER, PEER); 0 when unset.
    pub fn routing_id(&self) -> u32 {
        self.routing_id
    }

    /// Sets the routing id; 0 is not a routing id (`EINVAL`).
    pub fn set_routing_id(&mut self, routing_id: u32) -> Result<()> {
        if routing_id == 0 {
            return Err(Errno::EINVAL);
        }
        self.routing_id = routing_id;
        Ok(())
    }

    /// Unsets the routing id (a SERVER clears it before a message leaves, as libzmq
    /// does, so an inproc peer never sees it).
    pub fn clear_routing_id(&mut self) {
        self.routing_id = 0;
    }

    /// The RADIO/DISH group; `None` when unset.
    pub fn group(&self) -> Option<&CStr> {
        self.group.as_deref().map(CString::as_c_str)
    }

    /// Sets the group: at most `ZMQ_GROUP_MAX_LENGTH` bytes, no NUL (`EINVAL`).
    pub fn set_group(&mut self, group: &[u8]) -> Result<()> {
        if group.len() > ZMQ_GROUP_MAX_LENGTH as usize {
            return Err(Errno::EINVAL);
        }
        let group = CString::new(group).map_err(|_| Errno::EINVAL)?;
        self.group = Some(Box::new(group));
        Ok(())
    }

    pub fn metadata(&self) -> Option<&Arc<Metadata>> {
        self.metadata.as_ref()
    }

    pub fn set_metadata(&mut self, metadata: Option<Arc<Metadata>>) {
        self.metadata = metadata;
    }

    /// The body, writable, when no other message shares it: `None` for constant
    /// bodies and for bodies another copy still refers to. Lets a decoder transform
    /// a received frame in place.
    pub(crate) fn data_mut(&mut self) -> Option<&mut [u8]> {
        match &mut self.body {
            Body::Inline { len, bytes } => bytes.get_mut(..usize::from(*len)),
            Body::Heap { bytes, offset, len } => Arc::get_mut(bytes)?.get_mut(*offset..*offset + *len),
            Body::Shared { storage, offset, len } => {
                Arc::get_mut(storage)?.as_mut_slice_unique().get_mut(*offset..*offset + *len)
            }
            Body::Constant { .. } => None,
        }
    }

    /// Keeps only bytes `start..end` of the body (clamped to it), without copying
    /// bodies that live out of line.
    pub(crate) fn narrow(&mut self, start: usize, end: usize) {
        let end = end.min(self.len());
        let start = start.min(end);
        match &mut self.body {
            Body::Inline { len, bytes } => {
                bytes.copy_within(start..end, 0);
                *len = (end - start) as u8;
            }
            Body::Heap { offset, len, .. } | Body::Shared { offset, len, .. } => {
                *offset += start;
                *len = end - start;
            }
            Body::Constant { ptr, len } => {
                *ptr = ptr.wrapping_add(start);
                *len = end - start;
            }
        }
    }

    /// A metadata property (`zmq_msg_gets`); `EINVAL` when absent.
    pub fn property(&self, name: &[u8]) -> Result<&CStr> {
        self.metadata.as_deref().and_then(|m| m.get(name)).ok_or(Errno::EINVAL)
    }
}

impl fmt::Debug for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Msg")
            .field("len", &self.len())
            .field("flags", &self.flags)
            .field("routing_id", &self.routing_id)
            .finish_non_exhaustive()
    }
}

/// `Msg` must fit in a `zmq_msg_t`, without stricter alignment than `zmq_msg_t`'s.
const _: () = assert!(core::mem::size_of::<Msg>() <= 64);
const _: () = assert!(core::mem::align_of::<Msg>() <= 8);

/// A test's message part: a copy of `bytes`, with MORE as given.
#[cfg(test)]
pub(crate) fn part(bytes: &[u8], more: bool) -> Msg {
    let mut msg = Msg::from_slice(bytes).expect("a small test body");
    msg.set_more(more);
    msg
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn empty_message() {
        let msg = Msg::new();
        assert_eq!(msg.len(), 0);
        assert!(!msg.more());
        assert!(!msg.is_shared());
        assert_eq!(msg.data(), b"");
    }

    #[test]
    fn sizes_around_the_inline_limit() {
        for len in [0, 1, INLINE_CAPACITY - 1, INLINE_CAPACITY, INLINE_CAPACITY + 1, 1 << 20] {
            let msg = Msg::with_size(len).unwrap();
            assert_eq!(msg.len(), len);
            assert!(msg.data().iter().all(|&b| b == 0));
            let bytes: Vec<u8> = (0..len).map(|i| i as u8).collect();
            assert_eq!(Msg::from_slice(&bytes).unwrap().data(), &bytes[..]);
            assert_eq!(Msg::from_vec(bytes.clone()).data(), &bytes[..]);
        }
    }

    #[test]
    fn unshared_bodies_are_writable_and_narrowed_in_place() {
        for len in [INLINE_CAPACITY, 100, (1 << 20) + 1] {
            let bytes: Vec<u8> = (0..len).map(|i| i as u8).collect();
            for mut msg in [Msg::from_slice(&bytes).unwrap(), Msg::from_vec(bytes.clone())] {
                msg.data_mut().unwrap()[1] = 0xaa;
                let before = msg.data().as_ptr();
                msg.narrow(1, len - 1);
                assert_eq!(msg.len(), len - 2);
                assert_eq!(msg.data()[0], 0xaa);
                assert_eq!(msg.data()[1..], bytes[2..len - 1]);
                if len > INLINE_CAPACITY {
                    assert_eq!(msg.data().as_ptr(), before.wrapping_add(1));
                }
                msg.narrow(5, 3);
                assert!(msg.is_empty());
            }
        }
        let mut shared = Msg::from_slice(&[1; 100]).unwrap();
        let copy = shared.share();
        assert!(shared.data_mut().is_none());
        drop(copy);
        assert!(shared.data_mut().is_some());
    }

    #[test]
    fn assign_slice_is_from_slice_in_place() {
        let mut msg = Msg::from_slice(b"a longer body than the next one").unwrap();
        msg.set_more(true);
        msg.set_routing_id(7).unwrap();
        msg.set_group(b"group").unwrap();
        let metadata = Arc::new(Metadata::new());
        msg.set_metadata(Some(Arc::clone(&metadata)));
        msg.assign_slice(b"short").unwrap();
        assert_eq!(msg.data(), b"short");
        assert!(!msg.more() && msg.routing_id() == 0 && msg.group().is_none() && msg.metadata().is_none());
        assert_eq!(Arc::strong_count(&metadata), 1, "the old metadata is released");
        for len in [0, INLINE_CAPACITY, INLINE_CAPACITY + 1, 300] {
            let bytes: Vec<u8> = (0..len).map(|i| i as u8).collect();
            msg.assign_slice(&bytes).unwrap();
            assert_eq!(msg.data(), &bytes[..]);
            assert_eq!(msg.data(), Msg::from_slice(&bytes).unwrap().data());
        }
    }

    #[test]
    fn huge_sizes_fail_with_enomem() {
        assert_eq!(Msg::with_size(usize::MAX).unwrap_err(), Errno::ENOMEM);
    }

    #[test]
    fn share_of_a_large_body_shares_bytes_and_marks_both() {
        let mut original = Msg::from_slice(&[5u8; 100]).unwrap();
        original.set_more(true);
        let copy = original.share();
        assert_eq!(copy.data(), original.data());
        assert_eq!(copy.data().as_ptr(), original.data().as_ptr());
        assert!(original.is_shared() && copy.is_shared());
        assert!(copy.more());
    }

    #[test]
    fn share_of_a_small_body_copies_it() {
        let mut original = Msg::from_slice(b"tiny").unwrap();
        let copy = original.share();
        assert_eq!(copy.data(), b"tiny");
        assert!(!original.is_shared() && !copy.is_shared());
    }

    #[test]
    fn foreign_body_is_released_once_after_the_last_copy() {
        let released = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&released);
        let mut bytes = vec![9u8; 10];
        // SAFETY: `bytes` outlives every message below.
        let storage = unsafe {
            Storage::foreign(
                bytes.as_mut_ptr(),
                bytes.len(),
                Some(Box::new(move || {
                    counter.fetch_add(1, Ordering::SeqCst);
                })),
            )
        };
        let mut first = Msg::from_storage(storage);
        let second = first.share();
        drop(first);
        assert_eq!(released.load(Ordering::SeqCst), 0);
        std::thread::spawn(move || drop(second)).join().unwrap();
        assert_eq!(released.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn constant_bodies_are_shared_and_never_copied() {
        static BYTES: [u8; 5] = *b"const";
        // SAFETY: a static lives forever.
        let mut msg = unsafe { Msg::from_constant(BYTES.as_ptr(), BYTES.len()) };
        assert!(msg.is_shared());
        assert_eq!(msg.data().as_ptr(), BYTES.as_ptr());
        assert_eq!(msg.share().data(), b"const");
    }

    #[test]
    fn take_leaves_an_empty_message() {
        let mut msg = Msg::from_slice(&[1u8; 64]).unwrap();
        msg.set_more(true);
        let moved = msg.take();
        assert_eq!(moved.len(), 64);
        assert!(moved.more());
        assert_eq!(msg.len(), 0);
        assert!(!msg.more());
    }

    #[test]
    fn routing_id_and_group_rules() {
        let mut msg = Msg::new();
        assert_eq!(msg.routing_id(), 0);
        assert_eq!(msg.set_routing_id(0), Err(Errno::EINVAL));
        msg.set_routing_id(42).unwrap();
        assert_eq!(msg.routing_id(), 42);
        assert_eq!(msg.group(), None);
        msg.set_group(&[b'g'; 255]).unwrap();
        assert_eq!(msg.group().unwrap().to_bytes().len(), 255);
        assert_eq!(msg.set_group(&[b'g'; 256]), Err(Errno::EINVAL));
        assert_eq!(msg.set_group(b"a\0b"), Err(Errno::EINVAL));
    }

    #[test]
    fn properties_come_from_metadata() {
        let mut msg = Msg::new();
        assert_eq!(msg.property(b"Socket-Type"), Err(Errno::EINVAL));
        let mut metadata = Metadata::new();
        metadata.insert("Socket-Type", b"PAIR");
        msg.set_metadata(Some(Arc::new(metadata)));
        assert_eq!(msg.property(b"Socket-Type").unwrap().to_bytes(), b"PAIR");
        assert_eq!(msg.share().property(b"Socket-Type").unwrap().to_bytes(), b"PAIR");
    }

    #[test]
    fn slices_of_shared_storage_are_clamped() {
        let storage = Arc::new(Storage::copy_of(b"0123456789").unwrap());
        assert_eq!(Msg::from_shared(Arc::clone(&storage), 2, 3).data(), b"234");
        assert_eq!(Msg::from_shared(Arc::clone(&storage), 8, 10).data(), b"89");
        assert_eq!(Msg::from_shared(storage, 20, 1).data(), b"");
    }
}
