//! `zmq_poll`: waits for any of a set of sockets and plain descriptors to be ready.
//! A socket is ready per `ZMQ_EVENTS`; its `ZMQ_FD` only says "look again".
//! libzmq: `zmq.cpp` (`zmq_poll`).

use core::ffi::{c_long, c_short};
use std::os::fd::RawFd;
use std::time::{Duration, Instant};

use super::Socket;
use crate::constants::{ZMQ_POLLERR, ZMQ_POLLIN, ZMQ_POLLOUT, ZMQ_POLLPRI};
use crate::error::Result;
use crate::reactor::poll::{self as sys, PollFd, SignalSet};

/// One item of a poll set: a socket, or a descriptor when `socket` is `None`.
#[derive(Debug)]
pub struct PollItem {
    pub socket: Option<Socket>,
    pub fd: RawFd,
    pub events: c_short,
    pub revents: c_short,
}

const POLLIN: c_short = ZMQ_POLLIN as c_short;
const POLLOUT: c_short = ZMQ_POLLOUT as c_short;
const POLLERR: c_short = ZMQ_POLLERR as c_short;
const POLLPRI: c_short = ZMQ_POLLPRI as c_short;

/// The poll(2) interest for zmq events (`ZMQ_POLLERR` needs none: it is always reported).
pub(crate) fn system_events(events: c_short) -> c_short {
    let mut wanted = 0;
    if events & POLLIN != 0 {
        wanted |= sys::POLLIN;
    }
    if events & POLLOUT != 0 {
        wanted |= sys::POLLOUT;
    }
    if events & POLLPRI != 0 {
        wanted |= sys::POLLPRI;
    }
    wanted
}

/// What a descriptor's `revents` mean as zmq events, among those asked for.
pub(crate) fn zmq_events(asked: c_short, revents: c_short) -> c_short {
    let mut ready = 0;
    if revents & sys::POLLIN != 0 && asked & POLLIN != 0 {
        ready |= POLLIN;
    }
    if revents & sys::POLLOUT != 0 && asked & POLLOUT != 0 {
        ready |= POLLOUT;
    }
    if revents & sys::POLLPRI != 0 && asked & POLLPRI != 0 {
        ready |= POLLPRI;
    }
    if revents & !(sys::POLLIN | sys::POLLOUT | sys::POLLPRI) != 0 {
        ready |= POLLERR;
    }
    ready
}

/// Polls `items` for up to `timeout_ms` (-1: forever, 0: just look); returns how many
/// are ready and sets their `revents`. With `mask`, it is the signal mask while
/// waiting (`zmq_ppoll`). `ETERM` when a socket's context shut down, `EINTR` when a
/// signal interrupted the wait.
pub fn poll(items: &mut [PollItem], timeout_ms: c_long, mask: Option<&SignalSet>) -> Result<usize> {
    let mut fds: Vec<PollFd> = items
        .iter()
        .map(|item| match &item.socket {
            Some(socket) => sys::poll_fd(socket.fd(), sys::POLLIN),
            None => sys::poll_fd(item.fd, system_events(item.events)),
        })
        .collect();
    let deadline = u64::try_from(timeout_ms).ok().map(|ms| Instant::now() + Duration::from_millis(ms));
    let mut first_pass = true;
    loop {
        let wait = if first_pass {
            Some(Duration::ZERO)
        } else {
            deadline.map(|deadline| deadline.saturating_duration_since(Instant::now()))
        };
        sys::wait(&mut fds, wait, mask)?;
        let mut ready = 0;
        for (item, fd) in items.iter_mut().zip(&fds) {
            item.revents = match &item.socket {
                Some(socket) => socket.events()? & item.events & (POLLIN | POLLOUT),
                None => zmq_events(item.events, fd.revents),
            };
            if item.revents != 0 {
                ready += 1;
            }
        }
        if ready > 0 || timeout_ms == 0 {
            return Ok(ready);
        }
        if !first_pass && deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            return Ok(0);
        }
        first_pass = false;
    }
}
