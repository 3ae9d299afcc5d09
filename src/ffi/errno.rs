//! The thread's errno, and `zmq_errno` / `zmq_strerror`. libzmq: `err.cpp`.

use core::ffi::{c_char, c_int};
use std::ffi::CStr;

use super::boundary;
use crate::error::Errno;

/// Sets the calling thread's errno. Only the boundary calls this.
pub fn set(error: Errno) {
    // SAFETY: `__errno_location` returns the calling thread's errno slot, always valid.
    unsafe { *libc::__errno_location() = error.code() }
}

/// Puts back an errno value saved with [`get`].
pub fn restore(code: c_int) {
    // SAFETY: as in `set`.
    unsafe { *libc::__errno_location() = code }
}

/// The calling thread's errno.
pub fn get() -> c_int {
    // SAFETY: as in `set`.
    unsafe { *libc::__errno_location() }
}

/// libzmq's own messages (for its codes, and one it rewords), NUL-terminated for C.
fn zmq_message(error: Errno) -> Option<&'static CStr> {
    Some(match error {
        Errno::EFSM => c"Operation cannot be accomplished in current state",
        Errno::ENOCOMPATPROTO => c"The protocol is not compatible with the socket type",
        Errno::ETERM => c"Context was terminated",
        Errno::EMTHREAD => c"No thread available",
        // libzmq words this one itself, where glibc says "No route to host".
        Errno::EHOSTUNREACH => c"Host unreachable",
        _ => return None,
    })
}

/// zmq_errno(3): the value of errno for the calling thread.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_errno() -> c_int {
    boundary::call(|| Ok(get()))
}

/// zmq_strerror(3): libzmq's message for its own codes, else the system's.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_strerror(errnum: c_int) -> *const c_char {
    boundary::call(|| {
        Ok(match zmq_message(Errno(errnum)) {
            Some(message) => message.as_ptr(),
            // SAFETY: strerror returns a valid C string for any value (glibc returns
            // "Unknown error N" for unknown values).
            None => unsafe { libc::strerror(errnum) }.cast_const(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zmq_codes_have_libzmq_messages() {
        for code in [Errno::EFSM, Errno::ENOCOMPATPROTO, Errno::ETERM, Errno::EMTHREAD] {
            // SAFETY: zmq_strerror returns a static C string.
            let text = unsafe { CStr::from_ptr(zmq_strerror(code.code())) };
            assert_eq!(text.to_str().ok(), code.zmq_message());
        }
    }

    #[test]
    fn system_codes_use_strerror() {
        // SAFETY: both return valid C strings.
        let (ours, system) = unsafe {
            (CStr::from_ptr(zmq_strerror(libc::EINVAL)), CStr::from_ptr(libc::strerror(libc::EINVAL)))
        };
        assert_eq!(ours, system);
    }
}
