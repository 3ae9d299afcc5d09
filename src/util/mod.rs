//! Utilities of the public API: Z85, CURVE keys, atomic counters, stopwatch,
//! timers. libzmq: `zmq_utils.cpp`, `timers.cpp`, `atomic_counter.hpp`.
//! (Also `capabilities`, for `zmq_has`; libzmq: `zmq.cpp`.)

pub mod atomic_counter;
pub mod capabilities;
pub mod curve_keys;
pub mod stopwatch;
pub mod timers;
pub mod z85;
