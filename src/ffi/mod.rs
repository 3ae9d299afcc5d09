//! The C ABI described by `include/zmq.h`.
//!
//! Conventions, the same for every function here:
//! - each exported function is a plain `#[unsafe(no_mangle)] pub unsafe extern "C" fn`
//!   (so cbindgen can read it) whose body is one call to [`boundary::call`];
//! - pointers become references and slices only through [`args`] and [`handle`];
//! - failures return libzmq's sentinel (`-1` or `NULL`) and set errno to libzmq's
//!   value; success leaves errno alone, as libzmq does;
//! - no panic crosses the boundary: one is caught, reported as
//!   [`Errno::INTERNAL`](crate::Errno::INTERNAL) and the call fails.
//!
//! C callbacks (`zmq_free_fn`, `zmq_timer_fn`, `zmq_thread_fn`) must not unwind into
//! the library (a C++ exception thrown through them is undefined behaviour, as with
//! libzmq).

pub mod args;
pub mod boundary;
pub mod ctx;
pub mod errno;
pub mod handle;
pub mod msg;
pub mod poll;
pub mod poller;
pub mod proxy;
pub mod socket;
pub mod timers;
pub mod types;
pub mod util;
