//! A drop-in re-implementation of libzmq 4.3 in Rust.
//!
//! The crate has two layers with one direction of dependency (see
//! `docs/ARCHITECTURE.md`):
//!
//! - a safe Rust engine ([`ctx`], [`msg`], [`util`], …) that knows nothing of C;
//! - [`ffi`], the thin C ABI that `zmq.h` describes: it checks pointers and handles,
//!   calls the engine, and turns `Result` into libzmq's `-1`/`NULL` plus errno.
//!
//! Only `ffi` exports symbols; `unsafe` lives there and in the few places that need it
//! (message storage), each block with a `// SAFETY:` line.

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]
#![warn(missing_debug_implementations)]

pub mod constants;
pub mod ctx;
pub mod error;
pub mod ffi;
#[doc(hidden)]
pub mod fuzzing;
pub mod msg;
pub mod options;
pub mod pipe;
pub mod reactor;
pub mod routing;
pub mod session;
pub mod socket;
pub mod transport;
pub mod util;
pub mod ws;
pub mod zmtp;

pub use ctx::Context;
pub use error::{Errno, Result};
pub use msg::Msg;
pub use socket::Socket;

/// The path of the header cbindgen generated for this build (compared with
/// `include/zmq.h` by the test suite).
#[doc(hidden)]
pub const GENERATED_HEADER: &str = env!("ZMQ_GENERATED_HEADER");

/// Message bodies are allocated by the sending thread and freed by the receiving one.
/// glibc's allocator serialises that pattern on one arena lock (a futex wait per message
/// under load); mimalloc frees a block of another thread with one atomic push. Only
/// this library's own allocations use it: memory C hands us is released by C.
///
/// `--cfg zmq_system_alloc` (set by `scripts/sanitize`) leaves the system allocator in
/// place, so AddressSanitizer and valgrind see every allocation: mimalloc takes its
/// memory from the OS in large segments, which hides leaks and overruns from both.
#[cfg(not(zmq_system_alloc))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
