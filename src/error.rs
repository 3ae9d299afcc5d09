//! Errors as libzmq reports them: an errno value, either from the OS or from
//! libzmq's own range above `ZMQ_HAUSNUMERO`. libzmq: `err.hpp`, `err.cpp`.
//!
//! The engine returns `Result<T, Errno>`; only the C boundary writes the real errno.

use core::ffi::c_int;
use core::fmt;

use crate::constants::ZMQ_HAUSNUMERO;

/// An errno value with libzmq's meaning.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(pub c_int);

/// The engine's result type.
pub type Result<T> = core::result::Result<T, Errno>;

/// cbindgen:ignore
impl Errno {
    pub const EINVAL: Errno = Errno(libc::EINVAL);
    pub const EFAULT: Errno = Errno(libc::EFAULT);
    pub const EBADF: Errno = Errno(libc::EBADF);
    pub const ENOMEM: Errno = Errno(libc::ENOMEM);
    pub const EAGAIN: Errno = Errno(libc::EAGAIN);
    pub const EINTR: Errno = Errno(libc::EINTR);
    pub const EMFILE: Errno = Errno(libc::EMFILE);
    pub const ENOENT: Errno = Errno(libc::ENOENT);
    pub const ENOTSUP: Errno = Errno(libc::ENOTSUP);
    pub const EPROTONOSUPPORT: Errno = Errno(libc::EPROTONOSUPPORT);
    pub const ENOTSOCK: Errno = Errno(libc::ENOTSOCK);
    pub const EADDRINUSE: Errno = Errno(libc::EADDRINUSE);
    pub const EADDRNOTAVAIL: Errno = Errno(libc::EADDRNOTAVAIL);
    pub const ENODEV: Errno = Errno(libc::ENODEV);
    pub const EMSGSIZE: Errno = Errno(libc::EMSGSIZE);
    pub const EHOSTUNREACH: Errno = Errno(libc::EHOSTUNREACH);
    pub const ENOTRECOVERABLE: Errno = Errno(libc::ENOTRECOVERABLE);
    pub const ENAMETOOLONG: Errno = Errno(libc::ENAMETOOLONG);
    pub const ECONNREFUSED: Errno = Errno(libc::ECONNREFUSED);

    /// Operation cannot be accomplished in current state (e.g. REQ sending twice).
    pub const EFSM: Errno = Errno(ZMQ_HAUSNUMERO + 51);
    /// The protocol is not compatible with the socket type.
    pub const ENOCOMPATPROTO: Errno = Errno(ZMQ_HAUSNUMERO + 52);
    /// Context was terminated.
    pub const ETERM: Errno = Errno(ZMQ_HAUSNUMERO + 53);
    /// No thread available.
    pub const EMTHREAD: Errno = Errno(ZMQ_HAUSNUMERO + 54);

    /// What the C boundary reports when a bug (a caught panic) interrupted a call.
    pub const INTERNAL: Errno = Errno::ENOTRECOVERABLE;

    /// The raw errno value.
    pub fn code(self) -> c_int {
        self.0
    }

    /// libzmq's message for its own codes, `None` for an OS errno (use `strerror`).
    pub fn zmq_message(self) -> Option<&'static str> {
        Some(match self {
            Errno::EFSM => "Operation cannot be accomplished in current state",
            Errno::ENOCOMPATPROTO => "The protocol is not compatible with the socket type",
            Errno::ETERM => "Context was terminated",
            Errno::EMTHREAD => "No thread available",
            _ => return None,
        })
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.zmq_message() {
            Some(message) => write!(f, "Errno({}: {message})", self.0),
            None => write!(f, "Errno({})", self.0),
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.zmq_message() {
            Some(message) => f.write_str(message),
            None => write!(f, "{}", std::io::Error::from_raw_os_error(self.0)),
        }
    }
}

impl std::error::Error for Errno {}

impl From<std::io::Error> for Errno {
    fn from(error: std::io::Error) -> Self {
        match error.raw_os_error() {
            Some(code) => Errno(code),
            None if error.kind() == std::io::ErrorKind::OutOfMemory => Errno::ENOMEM,
            None => Errno::EINVAL,
        }
    }
}

impl From<std::collections::TryReserveError> for Errno {
    fn from(_: std::collections::TryReserveError) -> Self {
        Errno::ENOMEM
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zmq_specific_codes_have_libzmq_values_and_messages() {
        assert_eq!(Errno::EFSM.code(), 156384763);
        assert_eq!(Errno::ETERM.code(), 156384765);
        assert_eq!(Errno::ETERM.to_string(), "Context was terminated");
        assert_eq!(Errno::EINVAL.zmq_message(), None);
    }

    #[test]
    fn io_errors_keep_their_os_code() {
        let error = std::io::Error::from_raw_os_error(libc::ECONNREFUSED);
        assert_eq!(Errno::from(error), Errno(libc::ECONNREFUSED));
    }
}
