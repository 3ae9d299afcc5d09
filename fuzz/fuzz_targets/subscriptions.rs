//! The `subscriptions` target: its body is `zmq::fuzzing::subscriptions` (see that function for what
//! it checks and how it reads its input), which `tests/fuzz_corpora.rs` also runs
//! over `fuzz/corpus/subscriptions/`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zmq::fuzzing::subscriptions(data));
