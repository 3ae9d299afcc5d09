//! Build script: names the shared object like libzmq's (`SONAME libzmq.so.5`) and
//! generates `zmq.h` with cbindgen into `$OUT_DIR`. The committed `include/zmq.h`
//! must equal that output; `tests/header_is_current.rs` checks it and
//! `make header` refreshes it.

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=src");

    // Existing binaries were linked against libzmq's soname; ours must carry the same.
    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libzmq.so.5");
    }

    // `zmq_draft` marks libzmq's DRAFT API. It is always compiled in (the draft symbols
    // are part of what we export); cbindgen maps it to `#ifdef ZMQ_BUILD_DRAFT_API`.
    println!("cargo::rustc-check-cfg=cfg(zmq_draft)");
    // `zmq_system_alloc`: the system allocator instead of mimalloc (lib.rs), for
    // AddressSanitizer and valgrind runs (scripts/sanitize).
    println!("cargo::rustc-check-cfg=cfg(zmq_system_alloc)");
    println!("cargo:rustc-cfg=zmq_draft");

    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("set by cargo"));
    let header = out_dir.join("zmq.h");
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is readable and valid");
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen can generate zmq.h")
        .write_to_file(&header);
    println!("cargo:rustc-env=ZMQ_GENERATED_HEADER={}", header.display());
}
