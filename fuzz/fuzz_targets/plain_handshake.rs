//! The `plain_handshake` target: its body is `zmq::fuzzing::plain_handshake` (see that function for what
//! it checks and how it reads its input), which `tests/fuzz_corpora.rs` also runs
//! over `fuzz/corpus/plain_handshake/`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zmq::fuzzing::plain_handshake(data));
