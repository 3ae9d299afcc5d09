//! Contexts: zmq_ctx_new(3), zmq_ctx_term(3), zmq_ctx_shutdown(3), zmq_ctx_set(3),
//! zmq_ctx_get(3), the draft `_ext` forms, and the legacy zmq_init/zmq_term/
//! zmq_ctx_destroy. Errors: `EFAULT` for a handle that is not a live context,
//! `EINVAL` for a bad option or value.

use core::ffi::{c_int, c_void};

use super::{args, boundary, handle};
use crate::constants::ZMQ_IO_THREADS;
use crate::ctx::Context;
use crate::error::Errno;

/// zmq_ctx_new(3).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_ctx_new() -> *mut c_void {
    boundary::call(|| Ok(handle::new_context(Context::new())))
}

/// zmq_ctx_term(3): shuts the context down, waits for its sockets to close, frees it.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_ctx_term(context: *mut c_void) -> c_int {
    boundary::call(|| {
        handle::release_context(context)?.terminate();
        Ok(0)
    })
}

/// zmq_ctx_shutdown(3): blocking calls on the context's sockets return `ETERM`.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_ctx_shutdown(context: *mut c_void) -> c_int {
    boundary::call(|| {
        handle::context(context)?.shutdown();
        Ok(0)
    })
}

/// zmq_ctx_set(3).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_ctx_set(context: *mut c_void, option: c_int, optval: c_int) -> c_int {
    boundary::call(|| {
        handle::context(context)?.set_int_option(option, optval)?;
        Ok(0)
    })
}

/// zmq_ctx_get(3).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_ctx_get(context: *mut c_void, option: c_int) -> c_int {
    boundary::call(|| handle::context(context)?.int_option(option))
}

/// zmq_ctx_set_ext (draft): an option of any size (`ZMQ_THREAD_NAME_PREFIX` as text).
///
/// # Safety
/// `optval` must be valid for reads of `optvallen` bytes.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_ctx_set_ext(
    context: *mut c_void,
    option: c_int,
    optval: *const c_void,
    optvallen: usize,
) -> c_int {
    boundary::call(|| {
        let context = handle::context(context)?;
        // SAFETY: the caller passes `optvallen` readable bytes at `optval`.
        let value = unsafe { args::slice(optval, optvallen) }?;
        context.set_option(option, value)?;
        Ok(0)
    })
}

/// zmq_ctx_get_ext (draft): reads an option into a caller buffer of `*optvallen` bytes.
///
/// # Safety
/// `optvallen` must point to a `size_t`, and `optval` must be valid for writes of
/// that many bytes.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_ctx_get_ext(
    context: *mut c_void,
    option: c_int,
    optval: *mut c_void,
    optvallen: *mut usize,
) -> c_int {
    boundary::call(|| {
        let context = handle::context(context)?;
        // SAFETY: the caller passes a valid `size_t *`.
        let capacity = unsafe { args::out(optvallen) }?;
        let value = context.option(option, *capacity)?;
        // SAFETY: the caller passes `*optvallen` writable bytes at `optval`.
        let buffer = unsafe { args::slice_mut(optval, *capacity) }?;
        let target = buffer.get_mut(..value.len()).ok_or(Errno::EINVAL)?;
        target.copy_from_slice(&value);
        Ok(0)
    })
}

/// zmq_init(3) (deprecated): a context with `io_threads` I/O threads.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_init(io_threads: c_int) -> *mut c_void {
    boundary::call(|| {
        if io_threads < 0 {
            return Err(Errno::EINVAL);
        }
        let context = Context::new();
        context.set_int_option(ZMQ_IO_THREADS, io_threads)?;
        Ok(handle::new_context(context))
    })
}

/// zmq_term(3) (deprecated): `zmq_ctx_term`.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_term(context: *mut c_void) -> c_int {
    zmq_ctx_term(context)
}

/// zmq_ctx_destroy(3) (deprecated): `zmq_ctx_term`.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_ctx_destroy(context: *mut c_void) -> c_int {
    zmq_ctx_term(context)
}

#[cfg(test)]
// The tests call the C functions on local values; each test states why once.
#[allow(clippy::undocumented_unsafe_blocks)]
mod tests {
    use super::*;
    use crate::constants::*;
    use crate::ffi::errno;

    #[test]
    fn options_and_errors_through_the_c_functions() {
        let context = zmq_ctx_new();
        assert!(!context.is_null());
        assert_eq!(zmq_ctx_get(context, ZMQ_IO_THREADS), 1);
        assert_eq!(zmq_ctx_set(context, ZMQ_IO_THREADS, -1), -1);
        assert_eq!(errno::get(), libc::EINVAL);
        assert_eq!(zmq_ctx_get(context, ZMQ_SOCKET_LIMIT), 65535);
        assert_eq!(zmq_ctx_shutdown(context), 0);
        assert_eq!(zmq_ctx_term(context), 0);
        assert_eq!(zmq_ctx_term(context), -1);
        assert_eq!(errno::get(), libc::EFAULT);
        assert_eq!(zmq_ctx_get(core::ptr::null_mut(), ZMQ_IO_THREADS), -1);
        assert!(zmq_init(-1).is_null());
        assert_eq!(errno::get(), libc::EINVAL);
    }

    #[test]
    fn thread_name_prefix_through_the_ext_functions() {
        let context = zmq_ctx_new();
        let mut buffer = [0u8; 16];
        let mut len = buffer.len();
        // The buffers are local and their sizes passed along.
        let set = unsafe { zmq_ctx_set_ext(context, ZMQ_THREAD_NAME_PREFIX, b"worker".as_ptr().cast(), 6) };
        assert_eq!(set, 0);
        let get =
            unsafe { zmq_ctx_get_ext(context, ZMQ_THREAD_NAME_PREFIX, buffer.as_mut_ptr().cast(), &mut len) };
        assert_eq!(get, 0);
        assert_eq!(&buffer[..6], b"worker");
        assert_eq!(len, 16, "libzmq leaves *optvallen alone");
        assert_eq!(zmq_ctx_term(context), 0);
    }
}
