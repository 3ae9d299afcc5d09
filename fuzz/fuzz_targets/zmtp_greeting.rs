//! The `zmtp_greeting` target: its body is `zmq::fuzzing::zmtp_greeting` (see that function for what
//! it checks and how it reads its input), which `tests/fuzz_corpora.rs` also runs
//! over `fuzz/corpus/zmtp_greeting/`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zmq::fuzzing::zmtp_greeting(data));
