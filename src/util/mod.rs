//! Utilities of the public API: Z85, CURVE keys, atomic counters, stopwatch,
//! timers. libzmq: `zmq_utils.cpp`, `timers.cpp`, `atomic_counter.hpp`.
//! (Also `capabilities`, for `zmq_has`; libzmq: `zmq.cpp`; and `duration`, for the
//! library's own clocks.)

pub mod atomic_counter;
pub mod capabilities;
pub mod curve_keys;
pub(crate) mod duration;
pub mod stopwatch;
pub mod timers;
pub mod z85;
