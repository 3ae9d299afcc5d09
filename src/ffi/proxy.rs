//! zmq_proxy(3), zmq_proxy_steerable(3) and the deprecated zmq_device(3). A NULL
//! frontend or backend is `EFAULT`, as in libzmq, and a handle that is not a socket
//! `ENOTSOCK`. Proxying itself is not implemented yet: `ENOTSUP`.

use core::ffi::{c_int, c_void};

use super::{boundary, handle};
use crate::error::{Errno, Result};

fn check_ends(frontend: *mut c_void, backend: *mut c_void) -> Result<()> {
    if frontend.is_null() || backend.is_null() {
        return Err(Errno::EFAULT);
    }
    Ok(())
}

/// zmq_proxy(3).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_proxy(frontend: *mut c_void, backend: *mut c_void, capture: *mut c_void) -> c_int {
    let _ = capture;
    boundary::call(|| {
        check_ends(frontend, backend)?;
        handle::check_socket(frontend)?;
        handle::check_socket(backend)?;
        Err(Errno::ENOTSUP)
    })
}

/// zmq_proxy_steerable(3).
#[unsafe(no_mangle)]
pub extern "C" fn zmq_proxy_steerable(
    frontend: *mut c_void,
    backend: *mut c_void,
    capture: *mut c_void,
    control: *mut c_void,
) -> c_int {
    let _ = (capture, control);
    boundary::call(|| {
        check_ends(frontend, backend)?;
        handle::check_socket(frontend)?;
        handle::check_socket(backend)?;
        Err(Errno::ENOTSUP)
    })
}

/// zmq_device(3) (deprecated): `zmq_proxy` whatever the device type.
#[unsafe(no_mangle)]
pub extern "C" fn zmq_device(device_type: c_int, frontend: *mut c_void, backend: *mut c_void) -> c_int {
    let _ = device_type;
    zmq_proxy(frontend, backend, core::ptr::null_mut())
}
