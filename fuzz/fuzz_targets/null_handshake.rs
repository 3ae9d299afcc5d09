//! The `null_handshake` target: its body is `zmq::fuzzing::null_handshake` (see that function for what
//! it checks and how it reads its input), which `tests/fuzz_corpora.rs` also runs
//! over `fuzz/corpus/null_handshake/`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zmq::fuzzing::null_handshake(data));
