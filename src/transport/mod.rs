//! Transports: endpoint parsing, and the addresses and socket set-up of tcp, ipc,
//! udp and ws (the I/O itself is `crate::session`'s). inproc needs no transport code: its
//! pipes are made by the context (`ctx::inproc`).

pub mod endpoint;
pub mod ip;
pub mod ipc;
pub mod ipc_filter;
pub mod socks;
pub mod tcp;
pub mod udp;
pub mod ws;
