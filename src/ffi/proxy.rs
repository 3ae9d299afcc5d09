//! zmq_proxy(3), zmq_proxy_steerable(3) and the deprecated zmq_device(3). A NULL
//! frontend or backend is `EFAULT`, as in libzmq, and a handle that is not a socket
//! `ENOTSOCK`. The proxy itself is [`crate::socket::proxy`].

use core::ffi::{c_int, c_void};

use super::{boundary, handle};
use crate::error::{Errno, Result};
use crate::socket::proxy::Proxy;
use crate::socket::Socket;

/// The socket behind a handle that may be NULL (an absent capture or control).
fn optional(handle: *mut c_void) -> Result<Option<Socket>> {
    if handle.is_null() {
        return Ok(None);
    }
    Ok(Some(handle::socket(handle)?.clone()))
}

/// Runs a proxy on owned sockets, so that no handle stays borrowed while it runs.
fn run(
    frontend: *mut c_void,
    backend: *mut c_void,
    capture: *mut c_void,
    control: *mut c_void,
) -> Result<c_int> {
    if frontend.is_null() || backend.is_null() {
        return Err(Errno::EFAULT);
    }
    let frontend = handle::socket(frontend)?.clone();
    let backend = handle::socket(backend)?.clone();
    let capture = optional(capture)?;
    let control = optional(control)?;
    Proxy { frontend: &frontend, backend: &backend, capture: capture.as_ref(), control: control.as_ref() }
        .run()?;
    Ok(0)
}

/// zmq_proxy(3): returns only when the context is terminated (-1, `ETERM`).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_proxy(frontend: *mut c_void, backend: *mut c_void, capture: *mut c_void) -> c_int {
    boundary::call(|| run(frontend, backend, capture, core::ptr::null_mut()))
}

/// zmq_proxy_steerable(3): as `zmq_proxy`, and returns 0 when the control socket
/// says `TERMINATE`.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_proxy_steerable(
    frontend: *mut c_void,
    backend: *mut c_void,
    capture: *mut c_void,
    control: *mut c_void,
) -> c_int {
    boundary::call(|| run(frontend, backend, capture, control))
}

/// zmq_device(3) (deprecated): `zmq_proxy` whatever the device type.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_device(device_type: c_int, frontend: *mut c_void, backend: *mut c_void) -> c_int {
    let _ = device_type;
    zmq_proxy(frontend, backend, core::ptr::null_mut())
}
