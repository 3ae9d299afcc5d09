//! The `zmtp_decoder` target: its body is `zmq::fuzzing::zmtp_decoder` (see that function for what
//! it checks and how it reads its input), which `tests/fuzz_corpora.rs` also runs
//! over `fuzz/corpus/zmtp_decoder/`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zmq::fuzzing::zmtp_decoder(data));
