//! The public C types of `zmq.h`, with the layout libzmq gives them.

#![allow(non_camel_case_types)]

use core::ffi::{c_short, c_void};

/// The message type: 64 opaque bytes, pointer-aligned, owned by the caller.
/// The C layer keeps a `Msg` inside (see `ffi::msg`).
/// cbindgen:field-names=[_]
#[derive(Debug)]
#[repr(C, align(8))]
pub struct zmq_msg_t {
    pub bytes: [u8; 64],
}

/// A socket or file-descriptor poll item (`zmq_poll`).
#[derive(Debug)]
#[repr(C)]
pub struct zmq_pollitem_t {
    pub socket: *mut c_void,
    pub fd: zmq_fd_t,
    pub events: c_short,
    pub revents: c_short,
}

/// An event reported by `zmq_poller_wait`/`zmq_poller_wait_all` (draft).
#[cfg(zmq_draft)]
#[derive(Debug)]
#[repr(C)]
pub struct zmq_poller_event_t {
    pub socket: *mut c_void,
    pub fd: zmq_fd_t,
    pub user_data: *mut c_void,
    pub events: c_short,
}

/// A native file descriptor (declared by hand in the header).
pub type zmq_fd_t = core::ffi::c_int;

/// `void (zmq_free_fn) (void *data_, void *hint_)`. C declares these three as function
/// *types* (by hand in the header); exported functions spell their parameters out as
/// `Option<unsafe extern "C" fn ...>`, which is the same C type as `zmq_free_fn *`.
pub type zmq_free_fn = unsafe extern "C" fn(data: *mut c_void, hint: *mut c_void);

/// `void (zmq_timer_fn) (int timer_id, void *arg)`.
pub type zmq_timer_fn = unsafe extern "C" fn(timer_id: core::ffi::c_int, arg: *mut c_void);

/// `void (zmq_thread_fn) (void *)`.
pub type zmq_thread_fn = unsafe extern "C" fn(arg: *mut c_void);

const _: () = assert!(core::mem::size_of::<zmq_msg_t>() == 64);
const _: () = assert!(core::mem::align_of::<zmq_msg_t>() == core::mem::size_of::<*const u8>());
const _: () = assert!(core::mem::size_of::<zmq_pollitem_t>() == 16);
