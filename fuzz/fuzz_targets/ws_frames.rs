//! The `ws_frames` target: its body is `zmq::fuzzing::ws_frames` (see that function for what
//! it checks and how it reads its input), which `tests/fuzz_corpora.rs` also runs
//! over `fuzz/corpus/ws_frames/`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| zmq::fuzzing::ws_frames(data));
