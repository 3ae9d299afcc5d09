//! Messages: zmq_msg_init(3) and friends. The `Msg` lives inside the caller's
//! 64-byte `zmq_msg_t`. Its first byte is a tag that is never 0 in a live message,
//! so a zeroed, closed or (almost always) uninitialised message is `EFAULT` instead of
//! undefined behaviour, as libzmq's `msg_t::check` does. C may move a `zmq_msg_t`
//! with `memcpy`: a `Msg` holds no pointer into itself.

use core::ffi::{c_char, c_int, c_void};

use super::types::{zmq_free_fn, zmq_msg_t};
use super::{args, boundary};
use crate::constants::{ZMQ_GROUP_MAX_LENGTH, ZMQ_MORE, ZMQ_SHARED, ZMQ_SRCFD};
use crate::error::{Errno, Result};
use crate::msg::{Msg, Storage, INLINE_CAPACITY};

const _: () = assert!(core::mem::size_of::<Msg>() <= core::mem::size_of::<zmq_msg_t>());
const _: () = assert!(core::mem::align_of::<Msg>() <= core::mem::align_of::<zmq_msg_t>());

/// `msg` as a pointer to the `Msg` inside it; `EFAULT` for NULL or misaligned.
fn slot(msg: *const zmq_msg_t) -> Result<*mut Msg> {
    let slot = msg.cast::<Msg>().cast_mut();
    if slot.is_null() || !slot.is_aligned() {
        return Err(Errno::EFAULT);
    }
    Ok(slot)
}

/// The initialised message in `msg`; `EFAULT` for NULL, misaligned, zeroed or closed
/// messages.
///
/// # Safety
/// `msg` must be NULL or point to a `zmq_msg_t` the caller owns for `'a`, either
/// initialised by this library or holding a first byte that is not a live tag.
pub(crate) unsafe fn msg_mut<'a>(msg: *mut zmq_msg_t) -> Result<&'a mut Msg> {
    let slot = slot(msg)?;
    // SAFETY: `slot` is non-null, aligned and points into the caller's 64 bytes.
    let tag = unsafe { slot.cast::<u8>().read() };
    if !Msg::is_live_tag(tag) {
        return Err(Errno::EFAULT);
    }
    // SAFETY: a live tag means `init` wrote a `Msg` here and `take` has not taken it.
    Ok(unsafe { &mut *slot })
}

/// Read-only form of [`msg_mut`].
///
/// # Safety
/// As [`msg_mut`].
pub(crate) unsafe fn msg_ref<'a>(msg: *const zmq_msg_t) -> Result<&'a Msg> {
    // SAFETY: same contract; the reference is only read.
    unsafe { msg_mut(msg.cast_mut()) }.map(|msg| &*msg)
}

/// Writes `value` into `msg`, which may hold garbage (its old content is not dropped).
///
/// # Safety
/// `msg` must be NULL or point to a `zmq_msg_t` the caller owns.
pub(crate) unsafe fn init(msg: *mut zmq_msg_t, value: Msg) -> Result<()> {
    let slot = slot(msg)?;
    // SAFETY: `slot` is aligned and its 64 bytes belong to the caller.
    unsafe { slot.write(value) };
    Ok(())
}

/// Takes the message out of `msg`, leaving it closed.
///
/// # Safety
/// As [`msg_mut`].
pub(crate) unsafe fn take(msg: *mut zmq_msg_t) -> Result<Msg> {
    // SAFETY: forwarded contract.
    let live: *mut Msg = unsafe { msg_mut(msg) }?;
    // SAFETY: `live` holds an initialised `Msg`; overwriting its tag right after makes
    // this read its only owner.
    let taken = unsafe { live.read() };
    // SAFETY: `live` is valid and aligned (checked by `msg_mut`).
    unsafe { live.cast::<u8>().write(Msg::CLOSED_TAG) };
    Ok(taken)
}

/// zmq_msg_init(3): an empty message.
///
/// # Safety
/// `msg` must point to a `zmq_msg_t` the caller owns (its content is overwritten).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_init(msg: *mut zmq_msg_t) -> c_int {
    // SAFETY: forwarded contract.
    boundary::call(|| unsafe { init(msg, Msg::new()) }.map(|()| 0))
}

/// zmq_msg_init_size(3): `size` bytes for the caller to fill; `ENOMEM` if they
/// cannot be had.
///
/// # Safety
/// As [`zmq_msg_init`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_init_size(msg: *mut zmq_msg_t, size: usize) -> c_int {
    // A small message is stored inline: nothing is allocated.
    boundary::call_pure_when(size <= INLINE_CAPACITY, || {
        if let Ok(len) = u8::try_from(size) {
            if usize::from(len) <= INLINE_CAPACITY {
                // Built in place, after the check: this is on every send of a small
                // message, and a copy through a temporary stalls on its narrow stores.
                let slot = slot(msg)?;
                // SAFETY: `slot` is aligned and its 64 bytes belong to the caller.
                unsafe { slot.write(Msg::inline_zeroed(len)) };
                return Ok(0);
            }
        }
        let value = Msg::with_size(size)?;
        // SAFETY: forwarded contract.
        unsafe { init(msg, value) }.map(|()| 0)
    })
}

/// zmq_msg_init_buffer (draft): a copy of `size` bytes at `buf`.
///
/// # Safety
/// As [`zmq_msg_init`]; `buf` must be valid for reads of `size` bytes.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_init_buffer(msg: *mut zmq_msg_t, buf: *const c_void, size: usize) -> c_int {
    boundary::call(|| {
        // SAFETY: the caller passes `size` readable bytes at `buf`.
        let bytes = unsafe { args::slice(buf, size) }?;
        let value = Msg::from_slice(bytes)?;
        // SAFETY: forwarded contract.
        unsafe { init(msg, value) }.map(|()| 0)
    })
}

/// The caller's free function and its arguments, called once when the last copy of
/// the message is closed.
struct ForeignFree {
    ffn: zmq_free_fn,
    data: *mut c_void,
    hint: *mut c_void,
}

// SAFETY: zmq_msg_init_data(3) documents that the free function may be called from
// any thread, so the caller's pointers may travel with it.
unsafe impl Send for ForeignFree {}

impl ForeignFree {
    fn call(self) {
        // SAFETY: the caller gave us this function to call exactly once with these
        // arguments.
        unsafe { (self.ffn)(self.data, self.hint) }
    }
}

/// zmq_msg_init_data(3): a message over the caller's `size` bytes at `data`, without
/// copying. `ffn(data, hint)` is called once, when the last copy is closed, from
/// whichever thread closes it. Without `ffn` the bytes are constant and never freed.
///
/// # Safety
/// As [`zmq_msg_init`]; `data` must stay valid for `size` bytes until `ffn` is called
/// (forever, without `ffn`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_init_data(
    msg: *mut zmq_msg_t,
    data: *mut c_void,
    size: usize,
    ffn: Option<unsafe extern "C" fn(data: *mut c_void, hint: *mut c_void)>,
    hint: *mut c_void,
) -> c_int {
    boundary::call(|| {
        if data.is_null() && size != 0 {
            return Err(Errno::EINVAL);
        }
        let value = match ffn {
            // SAFETY: the caller keeps `data` valid and unchanged for `size` bytes.
            None => unsafe { Msg::from_constant(data.cast::<u8>(), size) },
            Some(ffn) => {
                let free = ForeignFree { ffn, data, hint };
                // SAFETY: the caller keeps `data` valid for `size` bytes until `ffn`
                // runs, which only the storage's release does.
                let storage =
                    unsafe { Storage::foreign(data.cast::<u8>(), size, Some(Box::new(move || free.call()))) };
                Msg::from_storage(storage)
            }
        };
        // SAFETY: forwarded contract.
        unsafe { init(msg, value) }.map(|()| 0)
    })
}

/// zmq_msg_close(3).
///
/// # Safety
/// `msg` must point to a `zmq_msg_t` the caller owns.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_close(msg: *mut zmq_msg_t) -> c_int {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        drop(unsafe { take(msg) }?);
        Ok(0)
    })
}

/// zmq_msg_move(3): `dest`'s old content is released, `src`'s moves to `dest`, and
/// `src` becomes an empty message.
///
/// # Safety
/// Both must point to initialised `zmq_msg_t`s the caller owns.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_move(dest: *mut zmq_msg_t, src: *mut zmq_msg_t) -> c_int {
    boundary::call(|| {
        // `dest` is checked before `src` is emptied; the references never coexist.
        // SAFETY: forwarded contract.
        unsafe { msg_mut(dest) }?;
        // SAFETY: forwarded contract.
        let moved = unsafe { msg_mut(src) }?.take();
        // Moving a message onto itself leaves it empty, as in libzmq.
        if dest != src {
            // SAFETY: forwarded contract.
            *unsafe { msg_mut(dest) }? = moved;
        }
        Ok(0)
    })
}

/// zmq_msg_copy(3): `dest` gets `src`'s content; large bodies are shared, not copied.
/// Copying a message onto itself changes nothing (libzmq leaves it closed).
///
/// # Safety
/// Both must point to initialised `zmq_msg_t`s the caller owns.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_copy(dest: *mut zmq_msg_t, src: *mut zmq_msg_t) -> c_int {
    boundary::call(|| {
        // `dest` is checked before `src` is touched; the references never coexist.
        // SAFETY: forwarded contract.
        unsafe { msg_mut(dest) }?;
        if dest == src {
            return Ok(0);
        }
        // SAFETY: forwarded contract.
        let copy = unsafe { msg_mut(src) }?.share();
        // SAFETY: forwarded contract.
        *unsafe { msg_mut(dest) }? = copy;
        Ok(0)
    })
}

/// zmq_msg_data(3): the first byte of the body; NULL for an invalid message.
///
/// # Safety
/// `msg` must point to a `zmq_msg_t` the caller owns.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_data(msg: *mut zmq_msg_t) -> *mut c_void {
    // SAFETY: forwarded contract.
    boundary::call_pure(|| Ok(unsafe { msg_mut(msg) }?.data_ptr().cast()))
}

/// zmq_msg_size(3): the body's size; 0 (errno `EFAULT`) for an invalid message.
///
/// # Safety
/// `msg` must point to a `zmq_msg_t` the caller owns.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_size(msg: *const zmq_msg_t) -> usize {
    // SAFETY: forwarded contract.
    boundary::call_pure(|| Ok(unsafe { msg_ref(msg) }?.len()))
}

/// zmq_msg_more(3): 1 when more parts follow; 0 (errno `EFAULT`) for an invalid
/// message.
///
/// # Safety
/// `msg` must point to a `zmq_msg_t` the caller owns.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_more(msg: *const zmq_msg_t) -> c_int {
    // SAFETY: forwarded contract.
    boundary::call_pure_or(0, || Ok(unsafe { msg_ref(msg) }?.more().into()))
}

/// zmq_msg_get(3): `ZMQ_MORE`, `ZMQ_SHARED`, or the deprecated `ZMQ_SRCFD` (the
/// descriptor of the connection the message came from, `EINVAL` when it has none);
/// anything else is `EINVAL`.
///
/// # Safety
/// `msg` must point to a `zmq_msg_t` the caller owns.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_get(msg: *const zmq_msg_t, property: c_int) -> c_int {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        let msg = unsafe { msg_ref(msg) }?;
        match property {
            ZMQ_MORE => Ok(msg.more().into()),
            ZMQ_SRCFD => msg.metadata().and_then(|metadata| metadata.source_fd()).ok_or(Errno::EINVAL),
            ZMQ_SHARED => Ok(msg.is_shared().into()),
            _ => Err(Errno::EINVAL),
        }
    })
}

/// zmq_msg_set(3): no property is settable; always `EINVAL`.
///
/// # Safety
/// `msg` must point to a `zmq_msg_t` the caller owns.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_set(msg: *mut zmq_msg_t, property: c_int, optval: c_int) -> c_int {
    boundary::call(|| {
        let _ = (msg, property, optval);
        Err(Errno::EINVAL)
    })
}

/// zmq_msg_gets(3): a metadata property; `EINVAL` when the message has none.
///
/// # Safety
/// `msg` must point to a `zmq_msg_t` the caller owns; `property` to a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_gets(msg: *const zmq_msg_t, property: *const c_char) -> *const c_char {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        let msg = unsafe { msg_ref(msg) }?;
        // SAFETY: the caller passes a C string.
        let name = unsafe { args::c_str(property) }?;
        Ok(msg.property(name.to_bytes())?.as_ptr())
    })
}

/// zmq_msg_routing_id (draft): 0 when unset or for an invalid message.
///
/// # Safety
/// `msg` must point to a `zmq_msg_t` the caller owns.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_routing_id(msg: *mut zmq_msg_t) -> u32 {
    // SAFETY: forwarded contract.
    boundary::call(|| Ok(unsafe { msg_ref(msg) }?.routing_id()))
}

/// zmq_msg_set_routing_id (draft): 0 is `EINVAL`.
///
/// # Safety
/// `msg` must point to a `zmq_msg_t` the caller owns.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_set_routing_id(msg: *mut zmq_msg_t, routing_id: u32) -> c_int {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        unsafe { msg_mut(msg) }?.set_routing_id(routing_id)?;
        Ok(0)
    })
}

/// zmq_msg_group (draft): the group, "" when unset; NULL for an invalid message.
///
/// # Safety
/// `msg` must point to a `zmq_msg_t` the caller owns.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_group(msg: *mut zmq_msg_t) -> *const c_char {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        let msg = unsafe { msg_ref(msg) }?;
        Ok(msg.group().unwrap_or(c"").as_ptr())
    })
}

/// zmq_msg_set_group (draft): the group is the string's first `ZMQ_GROUP_MAX_LENGTH`
/// bytes at most (longer ones are cut, as libzmq's `strnlen` does).
///
/// # Safety
/// `msg` must point to a `zmq_msg_t` the caller owns; `group` to a C string or to at
/// least `ZMQ_GROUP_MAX_LENGTH` readable bytes.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_set_group(msg: *mut zmq_msg_t, group: *const c_char) -> c_int {
    boundary::call(|| {
        // SAFETY: forwarded contracts.
        let (msg, group) =
            unsafe { (msg_mut(msg)?, args::c_str_prefix(group, ZMQ_GROUP_MAX_LENGTH as usize)?) };
        msg.set_group(group)?;
        Ok(0)
    })
}

#[cfg(test)]
// The tests call the C functions on local values; each test states why once.
#[allow(clippy::undocumented_unsafe_blocks)]
mod tests {
    use super::*;
    use crate::ffi::errno;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn new_msg() -> zmq_msg_t {
        zmq_msg_t { bytes: [0; 64] }
    }

    #[test]
    fn zeroed_and_closed_messages_are_efault() {
        let mut msg = new_msg();
        // Safe: `msg` is a local zmq_msg_t.
        assert_eq!(unsafe { zmq_msg_close(&mut msg) }, -1);
        assert_eq!(errno::get(), libc::EFAULT);
        assert_eq!(unsafe { zmq_msg_init_size(&mut msg, 100) }, 0);
        assert_eq!(unsafe { zmq_msg_size(&msg) }, 100);
        assert_eq!(unsafe { zmq_msg_close(&mut msg) }, 0);
        assert_eq!(unsafe { zmq_msg_close(&mut msg) }, -1);
        assert_eq!(unsafe { zmq_msg_size(&msg) }, 0);
        assert_eq!(unsafe { zmq_msg_more(core::ptr::null()) }, 0);
        assert!(unsafe { zmq_msg_data(core::ptr::null_mut()) }.is_null());
    }

    static FREED: AtomicUsize = AtomicUsize::new(0);

    unsafe extern "C" fn count_free(data: *mut c_void, hint: *mut c_void) {
        assert_eq!(data, hint);
        FREED.fetch_add(1, Ordering::SeqCst);
    }

    #[test]
    fn free_function_runs_once_after_the_last_copy() {
        let mut buffer = [7u8; 16];
        let data = buffer.as_mut_ptr().cast::<c_void>();
        let (mut first, mut second) = (new_msg(), new_msg());
        // Safe: local messages; `buffer` outlives them.
        assert_eq!(unsafe { zmq_msg_init_data(&mut first, data, 16, Some(count_free), data) }, 0);
        assert_eq!(unsafe { zmq_msg_get(&first, ZMQ_SHARED) }, 0);
        assert_eq!(unsafe { zmq_msg_init(&mut second) }, 0);
        assert_eq!(unsafe { zmq_msg_copy(&mut second, &mut first) }, 0);
        assert_eq!(unsafe { zmq_msg_get(&second, ZMQ_SHARED) }, 1);
        assert_eq!(unsafe { zmq_msg_data(&mut second) }, data);
        assert_eq!(unsafe { zmq_msg_close(&mut first) }, 0);
        assert_eq!(FREED.load(Ordering::SeqCst), 0);
        assert_eq!(unsafe { zmq_msg_close(&mut second) }, 0);
        assert_eq!(FREED.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn move_checks_the_destination_first_and_empties_the_source() {
        let (mut src, mut dest) = (new_msg(), new_msg());
        // Safe: local messages.
        assert_eq!(unsafe { zmq_msg_init_size(&mut src, 3) }, 0);
        assert_eq!(unsafe { zmq_msg_move(&mut dest, &mut src) }, -1);
        assert_eq!(unsafe { zmq_msg_size(&src) }, 3, "a failed move leaves the source");
        assert_eq!(unsafe { zmq_msg_init(&mut dest) }, 0);
        assert_eq!(unsafe { zmq_msg_move(&mut dest, &mut src) }, 0);
        assert_eq!(unsafe { (zmq_msg_size(&dest), zmq_msg_size(&src)) }, (3, 0));
        assert_eq!(unsafe { zmq_msg_move(&mut dest, &mut dest as *mut _) }, 0);
        assert_eq!(unsafe { zmq_msg_size(&dest) }, 0, "moving onto itself empties, as libzmq");
        assert_eq!(unsafe { zmq_msg_close(&mut src) + zmq_msg_close(&mut dest) }, 0);
    }

    #[test]
    fn groups_are_cut_at_the_maximum_length() {
        let mut msg = new_msg();
        let long = [b'g'; 300];
        // Safe: a local message; `long` has 300 readable bytes and
        // no NUL, and at most 255 of them are read.
        assert_eq!(unsafe { zmq_msg_init(&mut msg) }, 0);
        assert_eq!(unsafe { zmq_msg_set_group(&mut msg, long.as_ptr().cast()) }, 0);
        let group = unsafe { std::ffi::CStr::from_ptr(zmq_msg_group(&mut msg)) };
        assert_eq!(group.to_bytes().len(), 255);
        assert_eq!(unsafe { zmq_msg_close(&mut msg) }, 0);
    }
}
