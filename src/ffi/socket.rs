//! Sockets: zmq_socket(3), zmq_close(3), options, endpoints, send and receive,
//! monitoring, and the draft socket functions.
//!
//! No socket type is implemented yet (the engine lands with the next issue):
//! `zmq_socket` validates its context and type, then fails with `ENOTSUP`, and
//! since no socket can exist, every function taking one fails with `ENOTSOCK` —
//! exactly libzmq's answer for a NULL or non-socket handle.

use core::ffi::{c_char, c_int, c_void};

use super::types::zmq_msg_t;
use super::{boundary, handle};
use crate::constants::*;
use crate::ctx::Phase;
use crate::error::Errno;

/// The socket types libzmq 4.3.5 knows (with the draft API): `ZMQ_PAIR`..`ZMQ_CHANNEL`.
fn is_known_socket_type(socket_type: c_int) -> bool {
    (ZMQ_PAIR..=ZMQ_CHANNEL).contains(&socket_type)
}

/// zmq_socket(3). Errors: `EFAULT` (not a live context), `EINVAL` (unknown type),
/// `ETERM` (context shut down), `ENOTSUP` (socket types are not implemented yet).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_socket(context: *mut c_void, socket_type: c_int) -> *mut c_void {
    boundary::call(|| {
        let context = handle::context(context)?;
        if context.phase() == Phase::ShutDown {
            return Err(Errno::ETERM);
        }
        if !is_known_socket_type(socket_type) {
            return Err(Errno::EINVAL);
        }
        Err(Errno::ENOTSUP)
    })
}

/// zmq_close(3).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_close(s: *mut c_void) -> c_int {
    boundary::call(|| match handle::socket(s)? {})
}

/// zmq_setsockopt(3).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_setsockopt(
    s: *mut c_void,
    option: c_int,
    optval: *const c_void,
    optvallen: usize,
) -> c_int {
    let _ = (option, optval, optvallen);
    boundary::call(|| match handle::socket(s)? {})
}

/// zmq_getsockopt(3).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_getsockopt(
    s: *mut c_void,
    option: c_int,
    optval: *mut c_void,
    optvallen: *mut usize,
) -> c_int {
    let _ = (option, optval, optvallen);
    boundary::call(|| match handle::socket(s)? {})
}

/// zmq_bind(3).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_bind(s: *mut c_void, addr: *const c_char) -> c_int {
    let _ = addr;
    boundary::call(|| match handle::socket(s)? {})
}

/// zmq_connect(3).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_connect(s: *mut c_void, addr: *const c_char) -> c_int {
    let _ = addr;
    boundary::call(|| match handle::socket(s)? {})
}

/// zmq_unbind(3).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_unbind(s: *mut c_void, addr: *const c_char) -> c_int {
    let _ = addr;
    boundary::call(|| match handle::socket(s)? {})
}

/// zmq_disconnect(3).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_disconnect(s: *mut c_void, addr: *const c_char) -> c_int {
    let _ = addr;
    boundary::call(|| match handle::socket(s)? {})
}

/// zmq_send(3).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_send(s: *mut c_void, buf: *const c_void, len: usize, flags: c_int) -> c_int {
    let _ = (buf, len, flags);
    boundary::call(|| match handle::socket(s)? {})
}

/// zmq_send_const(3).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_send_const(s: *mut c_void, buf: *const c_void, len: usize, flags: c_int) -> c_int {
    let _ = (buf, len, flags);
    boundary::call(|| match handle::socket(s)? {})
}

/// zmq_recv(3).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_recv(s: *mut c_void, buf: *mut c_void, len: usize, flags: c_int) -> c_int {
    let _ = (buf, len, flags);
    boundary::call(|| match handle::socket(s)? {})
}

/// zmq_msg_send(3).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_msg_send(msg: *mut zmq_msg_t, s: *mut c_void, flags: c_int) -> c_int {
    let _ = (msg, flags);
    boundary::call(|| match handle::socket(s)? {})
}

/// zmq_msg_recv(3).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_msg_recv(msg: *mut zmq_msg_t, s: *mut c_void, flags: c_int) -> c_int {
    let _ = (msg, flags);
    boundary::call(|| match handle::socket(s)? {})
}

/// zmq_sendmsg(3) (deprecated): `zmq_msg_send` with the arguments swapped.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_sendmsg(s: *mut c_void, msg: *mut zmq_msg_t, flags: c_int) -> c_int {
    zmq_msg_send(msg, s, flags)
}

/// zmq_recvmsg(3) (deprecated): `zmq_msg_recv` with the arguments swapped.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_recvmsg(s: *mut c_void, msg: *mut zmq_msg_t, flags: c_int) -> c_int {
    zmq_msg_recv(msg, s, flags)
}

/// zmq_sendiov (undocumented): sends `count` buffers as one multipart message.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_sendiov(s: *mut c_void, iov: *mut libc::iovec, count: usize, flags: c_int) -> c_int {
    let _ = (iov, count, flags);
    boundary::call(|| match handle::socket(s)? {})
}

/// zmq_recviov (undocumented): receives up to `*count` parts into `iov`.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_recviov(
    s: *mut c_void,
    iov: *mut libc::iovec,
    count: *mut usize,
    flags: c_int,
) -> c_int {
    let _ = (iov, count, flags);
    boundary::call(|| match handle::socket(s)? {})
}

/// zmq_socket_monitor(3).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_socket_monitor(s: *mut c_void, addr: *const c_char, events: c_int) -> c_int {
    let _ = (addr, events);
    boundary::call(|| match handle::socket(s)? {})
}

/// zmq_socket_monitor_versioned (draft).
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub extern "C" fn zmq_socket_monitor_versioned(
    s: *mut c_void,
    addr: *const c_char,
    events: u64,
    event_version: c_int,
    socket_type: c_int,
) -> c_int {
    let _ = (addr, events, event_version, socket_type);
    boundary::call(|| match handle::socket(s)? {})
}

/// zmq_socket_monitor_pipes_stats (draft).
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub extern "C" fn zmq_socket_monitor_pipes_stats(s: *mut c_void) -> c_int {
    boundary::call(|| match handle::socket(s)? {})
}

/// zmq_join (draft): DISH joins a group.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub extern "C" fn zmq_join(s: *mut c_void, group: *const c_char) -> c_int {
    let _ = group;
    boundary::call(|| match handle::socket(s)? {})
}

/// zmq_leave (draft): DISH leaves a group.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub extern "C" fn zmq_leave(s: *mut c_void, group: *const c_char) -> c_int {
    let _ = group;
    boundary::call(|| match handle::socket(s)? {})
}

/// zmq_connect_peer (draft): PEER connects and returns the peer's routing id (0 on
/// failure).
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub extern "C" fn zmq_connect_peer(s: *mut c_void, addr: *const c_char) -> u32 {
    let _ = addr;
    boundary::call(|| match handle::socket(s)? {})
}

/// zmq_disconnect_peer (draft): PEER drops the connection with this routing id.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub extern "C" fn zmq_disconnect_peer(s: *mut c_void, routing_id: u32) -> c_int {
    let _ = routing_id;
    boundary::call(|| match handle::socket(s)? {})
}

/// zmq_socket_get_peer_state (draft): ROUTER's view of one peer (ZMQ_POLLOUT when it
/// can take a message).
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub extern "C" fn zmq_socket_get_peer_state(
    s: *mut c_void,
    routing_id: *const c_void,
    routing_id_size: usize,
) -> c_int {
    let _ = (routing_id, routing_id_size);
    boundary::call(|| match handle::socket(s)? {})
}
