//! Wake-up primitives shared by sockets and (with the network transports) I/O threads.
//! libzmq: `signaler.cpp`, `mailbox.cpp`.

pub mod epoll;
pub mod io_thread;
pub mod poll;
pub mod signaler;
pub mod thread_setup;
pub mod workload;
