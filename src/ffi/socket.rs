//! Sockets: zmq_socket(3), zmq_close(3), options, endpoints, send and receive, and
//! the draft socket functions. Errors as libzmq: `ENOTSOCK` for a handle that is not
//! a live socket, `EFAULT` for a bad context, then whatever the engine reports.

use core::ffi::{c_char, c_int, c_void};

use super::msg::msg_mut;
use super::types::zmq_msg_t;
use super::{args, boundary, handle};
use crate::constants::*;
use crate::error::{Errno, Result};
use crate::msg::Msg;
use crate::socket::Socket;

/// The endpoint argument of bind/connect/unbind/disconnect: `EINVAL` for NULL or text
/// that is not UTF-8 (no transport accepts such an address).
///
/// # Safety
/// `addr` must be NULL or a C string.
unsafe fn endpoint<'a>(addr: *const c_char) -> Result<&'a str> {
    // SAFETY: forwarded contract.
    let text = unsafe { args::c_str(addr) }?;
    text.to_str().map_err(|_| Errno::EINVAL)
}

/// The options after whose value libzmq zeroes the unused rest of the caller's
/// buffer: byte-valued ones, and the socket-level ints that accept a larger buffer.
fn zeroes_rest_of_buffer(option: c_int) -> bool {
    matches!(
        option,
        ZMQ_RCVMORE
            | ZMQ_EVENTS
            | ZMQ_THREAD_SAFE
            | ZMQ_FD
            | ZMQ_ROUTING_ID
            | ZMQ_LAST_ENDPOINT
            | ZMQ_ZAP_DOMAIN
            | ZMQ_PLAIN_USERNAME
            | ZMQ_PLAIN_PASSWORD
            | ZMQ_SOCKS_PROXY
            | ZMQ_SOCKS_USERNAME
            | ZMQ_SOCKS_PASSWORD
            | ZMQ_BINDTODEVICE
    )
}

/// libzmq's send/recv return value: the size, clipped to `INT_MAX`.
fn size_result(size: usize) -> c_int {
    c_int::try_from(size).unwrap_or(c_int::MAX)
}

/// zmq_socket(3). Errors: `EFAULT` (not a live context), `EINVAL` (unknown type),
/// `ENOTSUP` (a type not implemented yet), `ETERM`, `EMFILE`.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_socket(context: *mut c_void, socket_type: c_int) -> *mut c_void {
    boundary::call(|| {
        let context = handle::context(context)?;
        Ok(handle::new_socket(Socket::new(&context, socket_type)?))
    })
}

/// zmq_close(3): never blocks; `ENOTSOCK` for a handle already closed.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_close(s: *mut c_void) -> c_int {
    boundary::call(|| {
        handle::release_socket(s)?.close();
        Ok(0)
    })
}

/// zmq_setsockopt(3).
///
/// # Safety
/// `optval` must be valid for reads of `optvallen` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_setsockopt(
    s: *mut c_void,
    option: c_int,
    optval: *const c_void,
    optvallen: usize,
) -> c_int {
    boundary::call(|| {
        let socket = handle::socket(s)?;
        // A NULL value means something to some options (it clears them), as in libzmq.
        let value = if optval.is_null() && optvallen == 0 {
            None
        } else {
            // SAFETY: forwarded contract.
            Some(unsafe { args::slice(optval, optvallen) }?)
        };
        socket.set_option(option, value)?;
        Ok(0)
    })
}

/// zmq_getsockopt(3): copies the value into `optval` and its size into `*optvallen`.
///
/// # Safety
/// `optvallen` must point to a `size_t`, and `optval` be valid for writes of that many
/// bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_getsockopt(
    s: *mut c_void,
    option: c_int,
    optval: *mut c_void,
    optvallen: *mut usize,
) -> c_int {
    boundary::call(|| {
        let socket = handle::socket(s)?;
        // SAFETY: forwarded contract.
        let capacity = unsafe { args::out(optvallen) }?;
        let value = socket.option(option, *capacity)?;
        // SAFETY: forwarded contract.
        let buffer = unsafe { args::slice_mut(optval, *capacity) }?;
        let (head, tail) = buffer.split_at_mut_checked(value.len()).ok_or(Errno::EINVAL)?;
        head.copy_from_slice(&value);
        if zeroes_rest_of_buffer(option) {
            tail.fill(0);
        }
        *capacity = value.len();
        Ok(0)
    })
}

/// zmq_bind(3).
///
/// # Safety
/// `addr` must be a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_bind(s: *mut c_void, addr: *const c_char) -> c_int {
    boundary::call(|| {
        let socket = handle::socket(s)?;
        // SAFETY: forwarded contract.
        socket.bind(unsafe { endpoint(addr) }?)?;
        Ok(0)
    })
}

/// zmq_connect(3).
///
/// # Safety
/// `addr` must be a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_connect(s: *mut c_void, addr: *const c_char) -> c_int {
    boundary::call(|| {
        let socket = handle::socket(s)?;
        // SAFETY: forwarded contract.
        socket.connect(unsafe { endpoint(addr) }?)?;
        Ok(0)
    })
}

/// zmq_unbind(3).
///
/// # Safety
/// `addr` must be a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_unbind(s: *mut c_void, addr: *const c_char) -> c_int {
    boundary::call(|| {
        let socket = handle::socket(s)?;
        // SAFETY: forwarded contract.
        socket.unbind(unsafe { endpoint(addr) }?)?;
        Ok(0)
    })
}

/// zmq_disconnect(3).
///
/// # Safety
/// `addr` must be a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_disconnect(s: *mut c_void, addr: *const c_char) -> c_int {
    boundary::call(|| {
        let socket = handle::socket(s)?;
        // SAFETY: forwarded contract.
        socket.disconnect(unsafe { endpoint(addr) }?)?;
        Ok(0)
    })
}

/// Sends `msg`, returning libzmq's size result.
fn send_msg(socket: &Socket, mut msg: Msg, flags: c_int) -> Result<c_int> {
    let size = msg.len();
    socket.send(&mut msg, flags)?;
    Ok(size_result(size))
}

/// zmq_send(3): sends a copy of `len` bytes at `buf`; returns `len` (clipped to
/// `INT_MAX`).
///
/// # Safety
/// `buf` must be valid for reads of `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_send(s: *mut c_void, buf: *const c_void, len: usize, flags: c_int) -> c_int {
    boundary::call(|| {
        let socket = handle::socket(s)?;
        // SAFETY: forwarded contract.
        let bytes = unsafe { args::slice(buf, len) }?;
        send_msg(&socket, Msg::from_slice(bytes)?, flags)
    })
}

/// zmq_send_const(3): sends `len` bytes at `buf` without copying them; they must stay
/// unchanged until sent.
///
/// # Safety
/// `buf` must stay valid and unchanged for `len` bytes as long as the message lives.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_send_const(
    s: *mut c_void,
    buf: *const c_void,
    len: usize,
    flags: c_int,
) -> c_int {
    boundary::call(|| {
        let socket = handle::socket(s)?;
        if buf.is_null() && len != 0 {
            return Err(Errno::EFAULT);
        }
        // SAFETY: forwarded contract.
        let msg = unsafe { Msg::from_constant(buf.cast(), len) };
        send_msg(&socket, msg, flags)
    })
}

/// zmq_recv(3): receives into `buf`, truncating to `len`; returns the message's full
/// size (clipped to `INT_MAX`).
///
/// # Safety
/// `buf` must be valid for writes of `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_recv(s: *mut c_void, buf: *mut c_void, len: usize, flags: c_int) -> c_int {
    boundary::call(|| {
        let socket = handle::socket(s)?;
        let msg = socket.recv(flags)?;
        let copied = msg.len().min(len);
        // SAFETY: forwarded contract; `copied <= len`.
        let target = unsafe { args::slice_mut(buf, copied) }?;
        target.copy_from_slice(&msg.data()[..copied]);
        Ok(size_result(msg.len()))
    })
}

/// zmq_msg_send(3): on success `msg` is left empty; on failure it is untouched.
///
/// # Safety
/// `msg` must point to an initialised `zmq_msg_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_send(msg: *mut zmq_msg_t, s: *mut c_void, flags: c_int) -> c_int {
    boundary::call(|| {
        let socket = handle::socket(s)?;
        // SAFETY: forwarded contract.
        let msg = unsafe { msg_mut(msg) }?;
        let size = msg.len();
        socket.send(msg, flags)?;
        Ok(size_result(size))
    })
}

/// zmq_msg_recv(3): replaces `msg`'s content with the received part; returns its size.
///
/// # Safety
/// `msg` must point to an initialised `zmq_msg_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_msg_recv(msg: *mut zmq_msg_t, s: *mut c_void, flags: c_int) -> c_int {
    boundary::call(|| {
        let socket = handle::socket(s)?;
        // SAFETY: forwarded contract; checked before receiving so nothing is lost.
        let msg = unsafe { msg_mut(msg) }?;
        socket.recv_into(msg, flags)?;
        Ok(size_result(msg.len()))
    })
}

/// zmq_sendmsg(3) (deprecated): `zmq_msg_send` with the arguments swapped.
///
/// # Safety
/// As [`zmq_msg_send`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_sendmsg(s: *mut c_void, msg: *mut zmq_msg_t, flags: c_int) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { zmq_msg_send(msg, s, flags) }
}

/// zmq_recvmsg(3) (deprecated): `zmq_msg_recv` with the arguments swapped.
///
/// # Safety
/// As [`zmq_msg_recv`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_recvmsg(s: *mut c_void, msg: *mut zmq_msg_t, flags: c_int) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { zmq_msg_recv(msg, s, flags) }
}

/// zmq_sendiov: sends each buffer as one part with `flags` (`ZMQ_SNDMORE` is removed
/// from the last); returns the last part's size. `EINVAL` for no buffers.
///
/// # Safety
/// `iov` must point to `count` iovecs describing readable buffers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_sendiov(
    s: *mut c_void,
    iov: *mut libc::iovec,
    count: usize,
    flags: c_int,
) -> c_int {
    boundary::call(|| {
        let socket = handle::socket(s)?;
        if count == 0 || iov.is_null() {
            return Err(Errno::EINVAL);
        }
        // SAFETY: forwarded contract.
        let buffers = unsafe { core::slice::from_raw_parts(iov, count) };
        let mut sent = 0;
        for (index, buffer) in buffers.iter().enumerate() {
            // SAFETY: forwarded contract.
            let bytes = unsafe { args::slice(buffer.iov_base, buffer.iov_len) }?;
            let part_flags = if index + 1 == count { flags & !ZMQ_SNDMORE } else { flags };
            sent = send_msg(&socket, Msg::from_slice(bytes)?, part_flags)?;
        }
        Ok(sent)
    })
}

/// zmq_recviov: receives up to `*count` parts of one message into buffers it
/// allocates with `malloc` (the caller frees them); sets `*count` to the parts
/// received and returns it.
///
/// # Safety
/// `count` must point to a `size_t`, and `iov` to that many writable iovecs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_recviov(
    s: *mut c_void,
    iov: *mut libc::iovec,
    count: *mut usize,
    flags: c_int,
) -> c_int {
    boundary::call(|| {
        let socket = handle::socket(s)?;
        // SAFETY: forwarded contract.
        let count = unsafe { count.as_mut() }.ok_or(Errno::EINVAL)?;
        if *count == 0 || iov.is_null() {
            return Err(Errno::EINVAL);
        }
        // SAFETY: forwarded contract.
        let buffers = unsafe { core::slice::from_raw_parts_mut(iov, *count) };
        *count = 0;
        let mut received: c_int = 0;
        for buffer in buffers {
            let msg = socket.recv(flags)?;
            // SAFETY: malloc with any size; checked for NULL below (size 0 may be NULL).
            let memory = unsafe { libc::malloc(msg.len().max(1)) };
            if memory.is_null() {
                return Err(Errno::ENOMEM);
            }
            // SAFETY: `memory` has room for `msg.len()` bytes.
            unsafe { core::ptr::copy_nonoverlapping(msg.data().as_ptr(), memory.cast(), msg.len()) };
            buffer.iov_base = memory;
            buffer.iov_len = msg.len();
            *count += 1;
            received += 1;
            if !msg.more() {
                break;
            }
        }
        Ok(received)
    })
}

/// zmq_socket_monitor(3): events in the version 1 format on a PAIR socket bound to
/// `addr` (inproc only); NULL stops monitoring.
///
/// # Safety
/// `addr` must be NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_socket_monitor(s: *mut c_void, addr: *const c_char, events: c_int) -> c_int {
    // SAFETY: forwarded contract.
    boundary::call(|| unsafe { monitor(s, addr, events as u64, 1, ZMQ_PAIR) })
}

/// zmq_socket_monitor_versioned (draft): events in the format of `event_version`
/// (1 or 2) on a PAIR, PUB or PUSH socket bound to `addr`; NULL stops monitoring.
///
/// # Safety
/// `addr` must be NULL or a C string.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_socket_monitor_versioned(
    s: *mut c_void,
    addr: *const c_char,
    events: u64,
    event_version: c_int,
    socket_type: c_int,
) -> c_int {
    // SAFETY: forwarded contract.
    boundary::call(|| unsafe { monitor(s, addr, events, event_version, socket_type) })
}

/// # Safety
/// `addr` must be NULL or a C string.
unsafe fn monitor(
    s: *mut c_void,
    addr: *const c_char,
    events: u64,
    version: c_int,
    socket_type: c_int,
) -> Result<c_int> {
    let socket = handle::socket(s)?;
    // SAFETY: forwarded contract.
    let uri = if addr.is_null() { None } else { Some(unsafe { endpoint(addr) }?) };
    socket.monitor(uri, events, version, socket_type)?;
    Ok(0)
}

/// zmq_socket_monitor_pipes_stats (draft): a `ZMQ_EVENT_PIPES_STATS` event per pipe
/// (`EINVAL` unless monitored for it, `EAGAIN` without pipes).
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub extern "C" fn zmq_socket_monitor_pipes_stats(s: *mut c_void) -> c_int {
    boundary::call(|| {
        handle::socket(s)?.pipes_stats()?;
        Ok(0)
    })
}

/// zmq_join (draft): a DISH joins `group`. `EINVAL` for a NULL, too long (more than
/// `ZMQ_GROUP_MAX_LENGTH` bytes) or already joined group; `ENOTSUP` for other types.
///
/// # Safety
/// `group` must be NULL or a C string.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_join(s: *mut c_void, group: *const c_char) -> c_int {
    boundary::call(|| {
        let socket = handle::socket(s)?;
        // SAFETY: forwarded contract.
        let group = unsafe { args::c_str(group) }?;
        socket.join(group.to_bytes())?;
        Ok(0)
    })
}

/// zmq_leave (draft): a DISH leaves `group`; `EINVAL` when it had not joined it.
///
/// # Safety
/// `group` must be NULL or a C string.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_leave(s: *mut c_void, group: *const c_char) -> c_int {
    boundary::call(|| {
        let socket = handle::socket(s)?;
        // SAFETY: forwarded contract.
        let group = unsafe { args::c_str(group) }?;
        socket.leave(group.to_bytes())?;
        Ok(0)
    })
}

/// zmq_connect_peer (draft): a PEER connects and returns the new peer's routing id;
/// 0 on failure (`ENOTSUP` for other socket types, `EFAULT` under `ZMQ_IMMEDIATE`).
///
/// # Safety
/// `addr` must be a C string.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_connect_peer(s: *mut c_void, addr: *const c_char) -> u32 {
    boundary::call_or(0, || {
        let socket = handle::socket(s)?;
        // SAFETY: forwarded contract.
        socket.connect_peer(unsafe { endpoint(addr) }?)
    })
}

/// zmq_disconnect_peer (draft): SERVER and PEER drop the peer with this routing id
/// (`EHOSTUNREACH` when there is none); `ENOTSUP` for the other socket types.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub extern "C" fn zmq_disconnect_peer(s: *mut c_void, routing_id: u32) -> c_int {
    boundary::call(|| {
        handle::socket(s)?.disconnect_peer(routing_id)?;
        Ok(0)
    })
}

/// zmq_socket_get_peer_state (draft): `ZMQ_POLLOUT` when a ROUTER could send to the
/// peer with this routing id now, else 0; `EHOSTUNREACH` for an unknown peer,
/// `ENOTSUP` for other socket types.
///
/// # Safety
/// `routing_id` must point to `routing_id_size` readable bytes.
#[cfg(zmq_draft)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zmq_socket_get_peer_state(
    s: *mut c_void,
    routing_id: *const c_void,
    routing_id_size: usize,
) -> c_int {
    boundary::call(|| {
        let socket = handle::socket(s)?;
        // SAFETY: forwarded contract.
        let routing_id = unsafe { args::slice(routing_id, routing_id_size) }?;
        socket.peer_state(routing_id)
    })
}
