//! The `curve_handshake` target: its body is `zmq::fuzzing::curve_handshake` (see that function for what
//! it checks and how it reads its input), which `tests/fuzz_corpora.rs` also runs
//! over `fuzz/corpus/curve_handshake/`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zmq::fuzzing::curve_handshake(data));
