//! The `zap_reply` target: its body is `zmq::fuzzing::zap_reply` (see that function for what
//! it checks and how it reads its input), which `tests/fuzz_corpora.rs` also runs
//! over `fuzz/corpus/zap_reply/`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zmq::fuzzing::zap_reply(data));
