//! The `socket_options` target: its body is `zmq::fuzzing::socket_options` (see that function for what
//! it checks and how it reads its input), which `tests/fuzz_corpora.rs` also runs
//! over `fuzz/corpus/socket_options/`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zmq::fuzzing::socket_options(data));
