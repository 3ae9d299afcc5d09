//! The utility API: zmq_version(3), zmq_has(3), Z85 (zmq_z85_encode(3),
//! zmq_z85_decode(3)), CURVE keys (zmq_curve_keypair(3), zmq_curve_public(3)),
//! atomic counters, the stopwatch, zmq_sleep and threads. libzmq: `zmq_utils.cpp`.

use core::ffi::{c_char, c_int, c_ulong, c_void};
use std::time::Duration;

use super::handle::{into_tagged, release_tagged, tagged};
use super::types::zmq_thread_fn;
use super::{args, boundary};
use crate::constants::{ZMQ_VERSION_MAJOR, ZMQ_VERSION_MINOR, ZMQ_VERSION_PATCH};
use crate::error::{Errno, Result};
use crate::util::atomic_counter::AtomicCounter;
use crate::util::stopwatch::Stopwatch;
use crate::util::{capabilities, curve_keys, z85};

/// zmq_version(3): 4.3.5. NULL out-parameters are skipped.
///
/// # Safety
/// Each pointer must be NULL or valid for writing an `int`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_version(major: *mut c_int, minor: *mut c_int, patch: *mut c_int) {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        unsafe {
            args::write_if_some(major, ZMQ_VERSION_MAJOR);
            args::write_if_some(minor, ZMQ_VERSION_MINOR);
            args::write_if_some(patch, ZMQ_VERSION_PATCH);
        }
        Ok(())
    })
}

/// zmq_has(3): 1 when this build has the capability, else 0 (also for NULL).
///
/// # Safety
/// `capability` must be NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_has(capability: *const c_char) -> c_int {
    boundary::call_or(0, || {
        // SAFETY: forwarded contract.
        let name = unsafe { args::c_str(capability) }?;
        Ok(capabilities::has(name.to_bytes()).into())
    })
}

/// zmq_z85_encode(3): writes `size * 5 / 4` characters and a NUL to `dest` and
/// returns it; NULL (`EINVAL`) when `size` is not a multiple of 4.
///
/// # Safety
/// `data` must be valid for `size` bytes and `dest` for `size * 5 / 4 + 1` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_z85_encode(dest: *mut c_char, data: *const u8, size: usize) -> *mut c_char {
    boundary::call(|| {
        // The size is checked first, as libzmq does, before any pointer.
        if !size.is_multiple_of(4) {
            return Err(Errno::EINVAL);
        }
        // SAFETY: forwarded contract.
        let data = unsafe { args::slice(data.cast(), size) }?;
        let text = z85::encode(data).ok_or(Errno::EINVAL)?;
        // SAFETY: forwarded contract: room for the text and its NUL.
        unsafe { write_c_string(dest, &text) }?;
        Ok(dest)
    })
}

/// zmq_z85_decode(3): writes `strlen(string) * 4 / 5` bytes to `dest` and returns
/// it; NULL (`EINVAL`) for a length not a multiple of 5 or an invalid character.
///
/// # Safety
/// `string` must be a C string and `dest` valid for `strlen(string) * 4 / 5` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_z85_decode(dest: *mut u8, string: *const c_char) -> *mut u8 {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        let text = unsafe { args::c_str(string) }?;
        let bytes = z85::decode(text.to_bytes()).ok_or(Errno::EINVAL)?;
        // SAFETY: forwarded contract.
        unsafe { args::slice_mut(dest.cast(), bytes.len()) }?.copy_from_slice(&bytes);
        Ok(dest)
    })
}

/// Writes `text` and a NUL to `dest`.
///
/// # Safety
/// `dest` must be NULL or valid for `text.len() + 1` bytes.
unsafe fn write_c_string(dest: *mut c_char, text: &str) -> Result<()> {
    // SAFETY: forwarded contract.
    let out = unsafe { args::slice_mut(dest.cast(), text.len() + 1) }?;
    let (body, nul) = out.split_at_mut(text.len());
    body.copy_from_slice(text.as_bytes());
    nul.fill(0);
    Ok(())
}

/// Writes a 32-byte key as 40 Z85 characters and a NUL.
///
/// # Safety
/// `dest` must be NULL or valid for 41 bytes.
unsafe fn write_z85_key(dest: *mut c_char, key: &[u8; curve_keys::KEY_BYTES]) -> Result<()> {
    let text = z85::encode(key).ok_or(Errno::EINVAL)?;
    // SAFETY: forwarded contract.
    unsafe { write_c_string(dest, &text) }
}

/// zmq_curve_keypair(3): a new CURVE key pair, each as 40 Z85 characters and a NUL.
///
/// # Safety
/// Both pointers must be valid for 41 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_curve_keypair(
    z85_public_key: *mut c_char,
    z85_secret_key: *mut c_char,
) -> c_int {
    boundary::call(|| {
        if z85_public_key.is_null() || z85_secret_key.is_null() {
            return Err(Errno::EFAULT);
        }
        let (public, secret) = curve_keys::generate_keypair();
        // SAFETY: forwarded contract.
        unsafe {
            write_z85_key(z85_public_key, &public)?;
            write_z85_key(z85_secret_key, &secret)?;
        }
        Ok(0)
    })
}

/// zmq_curve_public(3): the public key of a Z85 secret key (40 characters).
///
/// # Safety
/// `z85_public_key` must be valid for 41 bytes; `z85_secret_key` a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_curve_public(
    z85_public_key: *mut c_char,
    z85_secret_key: *const c_char,
) -> c_int {
    boundary::call(|| {
        if z85_public_key.is_null() {
            return Err(Errno::EFAULT);
        }
        // SAFETY: forwarded contract.
        let text = unsafe { args::c_str(z85_secret_key) }?;
        let secret: [u8; curve_keys::KEY_BYTES] =
            z85::decode(text.to_bytes()).and_then(|bytes| bytes.try_into().ok()).ok_or(Errno::EINVAL)?;
        // SAFETY: forwarded contract.
        unsafe { write_z85_key(z85_public_key, &curve_keys::public_key(&secret)) }?;
        Ok(0)
    })
}

/// The atomic counter tag.
const COUNTER_TAG: u32 = 0xc0c0_a7a7;

/// # Safety
/// `counter` must be NULL or a handle from `zmq_atomic_counter_new`.
unsafe fn counter<'a>(counter: *mut c_void) -> Result<&'a AtomicCounter> {
    // SAFETY: forwarded contract.
    unsafe { tagged(counter, COUNTER_TAG, Errno::EFAULT) }
}

/// zmq_atomic_counter_new(3).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_atomic_counter_new() -> *mut c_void {
    boundary::call(|| Ok(into_tagged(COUNTER_TAG, AtomicCounter::new())))
}

/// zmq_atomic_counter_set(3).
///
/// # Safety
/// `counter_` must be a handle from `zmq_atomic_counter_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_atomic_counter_set(counter_: *mut c_void, value: c_int) {
    // SAFETY: forwarded contract.
    boundary::call(|| unsafe { counter(counter_) }.map(|c| c.set(value)))
}

/// zmq_atomic_counter_inc(3): returns the value before the increment.
///
/// # Safety
/// `counter_` must be a handle from `zmq_atomic_counter_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_atomic_counter_inc(counter_: *mut c_void) -> c_int {
    // SAFETY: forwarded contract.
    boundary::call(|| unsafe { counter(counter_) }.map(AtomicCounter::inc))
}

/// zmq_atomic_counter_dec(3): 0 when the counter reached zero, else 1 (also when it
/// went below zero, as libzmq).
///
/// # Safety
/// `counter_` must be a handle from `zmq_atomic_counter_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_atomic_counter_dec(counter_: *mut c_void) -> c_int {
    // SAFETY: forwarded contract.
    boundary::call(|| unsafe { counter(counter_) }.map(AtomicCounter::dec))
}

/// zmq_atomic_counter_value(3).
///
/// # Safety
/// `counter_` must be a handle from `zmq_atomic_counter_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_atomic_counter_value(counter_: *mut c_void) -> c_int {
    // SAFETY: forwarded contract.
    boundary::call(|| unsafe { counter(counter_) }.map(AtomicCounter::value))
}

/// zmq_atomic_counter_destroy(3): frees the counter and clears `*counter_p`.
///
/// # Safety
/// `counter_p` must be NULL or point to a handle from `zmq_atomic_counter_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_atomic_counter_destroy(counter_p: *mut *mut c_void) {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        let slot = unsafe { args::out(counter_p) }?;
        // SAFETY: forwarded contract.
        unsafe { release_tagged::<AtomicCounter>(*slot, COUNTER_TAG, Errno::EFAULT) }?;
        *slot = core::ptr::null_mut();
        Ok(())
    })
}

/// The stopwatch tag.
const STOPWATCH_TAG: u32 = 0x5707_0a7c;

/// zmq_stopwatch_start: a running stopwatch.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_stopwatch_start() -> *mut c_void {
    boundary::call(|| Ok(into_tagged(STOPWATCH_TAG, Stopwatch::start())))
}

/// zmq_stopwatch_intermediate: microseconds since the start.
///
/// # Safety
/// `watch` must be a handle from `zmq_stopwatch_start`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_stopwatch_intermediate(watch: *mut c_void) -> c_ulong {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        let watch = unsafe { tagged::<Stopwatch>(watch, STOPWATCH_TAG, Errno::EFAULT) }?;
        Ok(c_ulong::try_from(watch.elapsed_micros()).unwrap_or(c_ulong::MAX))
    })
}

/// zmq_stopwatch_stop: microseconds since the start; frees the stopwatch.
///
/// # Safety
/// `watch` must be a handle from `zmq_stopwatch_start`, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_stopwatch_stop(watch: *mut c_void) -> c_ulong {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        let watch = unsafe { release_tagged::<Stopwatch>(watch, STOPWATCH_TAG, Errno::EFAULT) }?;
        Ok(c_ulong::try_from(watch.elapsed_micros()).unwrap_or(c_ulong::MAX))
    })
}

/// zmq_sleep: sleeps for `seconds` seconds (not at all when negative).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_sleep(seconds: c_int) {
    boundary::call(|| {
        std::thread::sleep(Duration::from_secs(u64::try_from(seconds).unwrap_or(0)));
        Ok(())
    })
}

/// A C thread function and its argument, moved to the new thread.
struct ThreadStart {
    function: zmq_thread_fn,
    arg: *mut c_void,
}

// SAFETY: zmq_threadstart exists to run `function(arg)` on another thread; the
// caller hands the argument over to it.
unsafe impl Send for ThreadStart {}

impl ThreadStart {
    fn run(self) {
        // SAFETY: the caller asked for exactly this call.
        unsafe { (self.function)(self.arg) }
    }
}

/// The thread handle tag.
const THREAD_TAG: u32 = 0x7412_ead5;

/// zmq_threadstart: runs `func(arg)` on a new thread; NULL with the OS's errno when
/// no thread can be started (libzmq aborts there).
///
/// # Safety
/// `func` must be safe to call on another thread with `arg`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_threadstart(
    func: Option<unsafe extern "C" fn(arg: *mut c_void)>,
    arg: *mut c_void,
) -> *mut c_void {
    boundary::call(|| {
        let start = ThreadStart { function: func.ok_or(Errno::EINVAL)?, arg };
        let thread = std::thread::Builder::new().spawn(move || start.run())?;
        Ok(into_tagged(THREAD_TAG, thread))
    })
}

/// zmq_threadclose: waits for the thread to finish and frees its handle.
///
/// # Safety
/// `thread` must be a handle from `zmq_threadstart`, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_threadclose(thread: *mut c_void) {
    boundary::call(|| {
        // SAFETY: forwarded contract.
        let thread =
            unsafe { release_tagged::<std::thread::JoinHandle<()>>(thread, THREAD_TAG, Errno::EFAULT) }?;
        thread.join().map_err(|_| Errno::INTERNAL)
    })
}
