//! The shared object is a drop-in for libzmq.so.5: same soname, every function the
//! system libzmq exports, the draft API of libzmq 4.3.5, and nothing but `zmq_*`.

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use support::*;

/// The draft functions of libzmq 4.3.5 that Debian's (non-draft) build lacks.
const DRAFT_FUNCTIONS: &[&str] = &[
    "zmq_ctx_set_ext",
    "zmq_ctx_get_ext",
    "zmq_join",
    "zmq_leave",
    "zmq_connect_peer",
    "zmq_disconnect_peer",
    "zmq_msg_init_buffer",
    "zmq_msg_routing_id",
    "zmq_msg_set_routing_id",
    "zmq_msg_group",
    "zmq_msg_set_group",
    "zmq_poller_new",
    "zmq_poller_destroy",
    "zmq_poller_size",
    "zmq_poller_add",
    "zmq_poller_modify",
    "zmq_poller_remove",
    "zmq_poller_add_fd",
    "zmq_poller_modify_fd",
    "zmq_poller_remove_fd",
    "zmq_poller_wait",
    "zmq_poller_wait_all",
    "zmq_poller_fd",
    "zmq_ppoll",
    "zmq_socket_get_peer_state",
    "zmq_socket_monitor_versioned",
    "zmq_socket_monitor_pipes_stats",
];

fn defined_dynamic_symbols(library: &Path) -> BTreeSet<String> {
    let output = run_ok(Command::new("nm").args(["-D", "--defined-only"]).arg(library), "nm -D");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().nth(2))
        .map(str::to_owned)
        .collect()
}

#[test]
fn soname_is_libzmq_so_5() {
    let output = run_ok(Command::new("readelf").arg("-d").arg(our_library()), "readelf -d");
    let dynamic = String::from_utf8_lossy(&output.stdout);
    assert!(
        dynamic.lines().any(|line| line.contains("(SONAME)") && line.contains("[libzmq.so.5]")),
        "no SONAME libzmq.so.5 in:\n{dynamic}"
    );
}

#[test]
fn exports_every_libzmq_function_and_only_zmq_symbols() {
    let ours = defined_dynamic_symbols(&our_library());
    let system = defined_dynamic_symbols(&system_library());
    let system_functions: BTreeSet<&String> = system.iter().filter(|s| s.starts_with("zmq_")).collect();
    assert!(
        system_functions.len() >= 70,
        "the system libzmq exports {} zmq_ functions",
        system_functions.len()
    );

    let missing: Vec<&&String> = system_functions.iter().filter(|s| !ours.contains(s.as_str())).collect();
    assert!(missing.is_empty(), "not exported: {missing:?}");

    let missing_drafts: Vec<&&str> = DRAFT_FUNCTIONS.iter().filter(|s| !ours.contains(**s)).collect();
    assert!(missing_drafts.is_empty(), "draft functions not exported: {missing_drafts:?}");

    let foreign: Vec<&String> = ours.iter().filter(|s| !s.starts_with("zmq_")).collect();
    assert!(foreign.is_empty(), "symbols other than zmq_* are exported: {foreign:?}");
}
