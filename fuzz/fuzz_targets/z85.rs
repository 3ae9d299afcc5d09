//! The `z85` target: its body is `zmq::fuzzing::z85` (see that function for what
//! it checks and how it reads its input), which `tests/fuzz_corpora.rs` also runs
//! over `fuzz/corpus/z85/`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zmq::fuzzing::z85(data));
