//! Transports: endpoint parsing now; tcp and ipc connecters and listeners come with
//! the network engine. inproc needs no transport code: its pipes are made by the
//! context (`ctx::inproc`).

pub mod endpoint;
pub mod ip;
pub mod ipc;
pub mod tcp;
