//! The socket options every socket type shares, with libzmq's defaults, ranges and
//! `EINVAL` rules, as a plain value: no I/O, no locking. libzmq: `options.cpp`,
//! `options.hpp`.
//!
//! [`SocketOptions::set`] and [`SocketOptions::get`] are `options_t::setsockopt` and
//! `options_t::getsockopt`. The options a socket type or `socket_base` handles itself
//! (`ZMQ_SUBSCRIBE`, `ZMQ_ROUTER_*`, `ZMQ_XPUB_*`, `ZMQ_REQ_*`, `ZMQ_CONNECT_ROUTING_ID`,
//! `ZMQ_RCVMORE`, `ZMQ_FD`, `ZMQ_EVENTS`, `ZMQ_LAST_ENDPOINT`, `ZMQ_THREAD_SAFE`, …) are
//! `EINVAL` here, like any unknown option: the socket layer tries its own first, as
//! `socket_base_t` does, and [`is_generic_option`] says which options end here.
//!
//! What `get` returns is the bytes to copy into `optval`; their length is the new
//! `*optvallen`. libzmq also zeroes the rest of the caller's buffer for the options
//! read with `do_getsockopt` (strings, `ZMQ_ROUTING_ID`): the C boundary should zero
//! `optval[len..capacity]` (for every other option `len == capacity`).
//!
//! Optional parts follow [`crate::util::capabilities`]: the CURVE, GSSAPI, NORM, VMCI
//! and WSS options exist only while `zmq_has` reports their capability, as in a libzmq
//! built without them.

pub mod codec;
pub mod tcp_filter;

use core::ffi::c_int;
use std::collections::{BTreeMap, BTreeSet};

use crate::constants::*;
use crate::error::{Errno, Result};
use crate::util::capabilities;
use codec::{Raw, CURVE_KEY_SIZE};
pub use tcp_filter::TcpAcceptFilter;

/// libzmq's default high-water mark, in messages.
pub(crate) const DEFAULT_HWM: c_int = 1000;

/// The longest `ZMQ_BINDTODEVICE` name (`IFNAMSIZ`).
const BIND_DEVICE_MAX: usize = 16;
/// The longest ZMQ_ROUTING_ID, ZAP domain, PLAIN credential, GSSAPI principal.
const SHORT_STRING_MAX: usize = 255;

/// The security mechanism (`ZMQ_MECHANISM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mechanism {
    #[default]
    Null,
    Plain,
    Curve,
    Gssapi,
}

impl Mechanism {
    /// The `ZMQ_NULL`/`ZMQ_PLAIN`/`ZMQ_CURVE`/`ZMQ_GSSAPI` value.
    pub fn code(self) -> c_int {
        match self {
            Mechanism::Null => ZMQ_NULL,
            Mechanism::Plain => ZMQ_PLAIN,
            Mechanism::Curve => ZMQ_CURVE,
            Mechanism::Gssapi => ZMQ_GSSAPI,
        }
    }
}

/// The options of one socket (`options_t`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketOptions {
    // ---- messages and pipes
    /// `ZMQ_SNDHWM` (≥ 0; 0 = no limit).
    pub sndhwm: c_int,
    /// `ZMQ_RCVHWM` (≥ 0; 0 = no limit).
    pub rcvhwm: c_int,
    /// `ZMQ_AFFINITY`: I/O thread bitmask.
    pub affinity: u64,
    /// `ZMQ_ROUTING_ID`: 0 (unset) to 255 bytes; a leading zero byte is allowed here.
    pub routing_id: Vec<u8>,
    /// `ZMQ_MAXMSGSIZE` in bytes, -1 = no limit (any `i64` is accepted).
    pub maxmsgsize: i64,
    /// `ZMQ_RCVTIMEO` in ms, -1 = forever.
    pub rcvtimeo: c_int,
    /// `ZMQ_SNDTIMEO` in ms, -1 = forever.
    pub sndtimeo: c_int,
    /// `ZMQ_LINGER` in ms, -1 = forever.
    pub linger: c_int,
    /// `ZMQ_CONFLATE`.
    pub conflate: bool,
    /// `ZMQ_IMMEDIATE`.
    pub immediate: bool,
    /// `ZMQ_TYPE`.
    pub socket_type: c_int,

    // ---- connections
    /// `ZMQ_RATE` in kbit/s (> 0), multicast.
    pub rate: c_int,
    /// `ZMQ_RECOVERY_IVL` in ms (≥ 0), multicast.
    pub recovery_ivl: c_int,
    /// `ZMQ_MULTICAST_HOPS` (> 0).
    pub multicast_hops: c_int,
    /// `ZMQ_MULTICAST_MAXTPDU` in bytes (> 0).
    pub multicast_maxtpdu: c_int,
    /// `ZMQ_MULTICAST_LOOP`.
    pub multicast_loop: bool,
    /// `ZMQ_SNDBUF` in bytes, -1 = the OS default.
    pub sndbuf: c_int,
    /// `ZMQ_RCVBUF` in bytes, -1 = the OS default.
    pub rcvbuf: c_int,
    /// `ZMQ_TOS` (≥ 0).
    pub tos: c_int,
    /// `ZMQ_PRIORITY` (`SO_PRIORITY`, ≥ 0).
    pub priority: c_int,
    /// `ZMQ_CONNECT_TIMEOUT` in ms (≥ 0; 0 = the OS's).
    pub connect_timeout: c_int,
    /// `ZMQ_TCP_MAXRT` in ms (≥ 0; 0 = the OS's).
    pub tcp_maxrt: c_int,
    /// `ZMQ_RECONNECT_STOP`: `ZMQ_RECONNECT_STOP_*` bits (any `int` is accepted).
    pub reconnect_stop: c_int,
    /// `ZMQ_RECONNECT_IVL` in ms, -1 = no reconnection.
    pub reconnect_ivl: c_int,
    /// `ZMQ_RECONNECT_IVL_MAX` in ms (≥ 0; 0 = no back-off).
    pub reconnect_ivl_max: c_int,
    /// `ZMQ_BACKLOG` (≥ 0).
    pub backlog: c_int,
    /// `ZMQ_IPV6` (and the inverse `ZMQ_IPV4ONLY`).
    pub ipv6: bool,
    /// `ZMQ_TCP_KEEPALIVE`: -1 (the OS's), 0 or 1.
    pub tcp_keepalive: c_int,
    /// `ZMQ_TCP_KEEPALIVE_CNT`, -1 = the OS's.
    pub tcp_keepalive_cnt: c_int,
    /// `ZMQ_TCP_KEEPALIVE_IDLE` in s, -1 = the OS's.
    pub tcp_keepalive_idle: c_int,
    /// `ZMQ_TCP_KEEPALIVE_INTVL` in s, -1 = the OS's.
    pub tcp_keepalive_intvl: c_int,
    /// `ZMQ_TCP_ACCEPT_FILTER` entries (set only; NULL clears them).
    pub tcp_accept_filters: Vec<TcpAcceptFilter>,
    /// `ZMQ_IPC_FILTER_UID` (set only; NULL clears).
    pub ipc_uid_accept_filters: BTreeSet<u32>,
    /// `ZMQ_IPC_FILTER_GID` (set only; NULL clears).
    pub ipc_gid_accept_filters: BTreeSet<u32>,
    /// `ZMQ_IPC_FILTER_PID` (set only; NULL clears).
    pub ipc_pid_accept_filters: BTreeSet<i32>,
    /// `ZMQ_SOCKS_PROXY` address (empty = none).
    pub socks_proxy_address: Vec<u8>,
    /// `ZMQ_SOCKS_USERNAME` (empty = no authentication).
    pub socks_proxy_username: Vec<u8>,
    /// `ZMQ_SOCKS_PASSWORD`.
    pub socks_proxy_password: Vec<u8>,
    /// `ZMQ_HANDSHAKE_IVL` in ms (≥ 0; 0 = none).
    pub handshake_ivl: c_int,
    /// `ZMQ_HEARTBEAT_IVL` in ms (≥ 0; 0 = none).
    pub heartbeat_interval: c_int,
    /// `ZMQ_HEARTBEAT_TTL` in deciseconds (set and read in ms, truncated to 100 ms).
    pub heartbeat_ttl: u16,
    /// `ZMQ_HEARTBEAT_TIMEOUT` in ms, -1 = `heartbeat_interval`.
    pub heartbeat_timeout: c_int,
    /// `ZMQ_USE_FD`, -1 = none.
    pub use_fd: c_int,
    /// `ZMQ_BINDTODEVICE` (`SO_BINDTODEVICE`; empty = none).
    pub bound_device: Vec<u8>,
    /// `ZMQ_LOOPBACK_FASTPATH` (Windows only in libzmq).
    pub loopback_fastpath: bool,
    /// `ZMQ_IN_BATCH_SIZE` in bytes (> 0).
    pub in_batch_size: c_int,
    /// `ZMQ_OUT_BATCH_SIZE` in bytes (> 0).
    pub out_batch_size: c_int,
    /// `ZMQ_BUSY_POLL` (`SO_BUSY_POLL`; any `int`; libzmq 4.3.5 cannot read it back).
    pub busy_poll: c_int,

    // ---- security
    /// `ZMQ_MECHANISM`, set as a side effect of the PLAIN/CURVE/GSSAPI options.
    pub mechanism: Mechanism,
    /// Whether this side is the PLAIN/CURVE/GSSAPI server.
    pub as_server: bool,
    /// `ZMQ_ZAP_DOMAIN` (1 to 255 bytes; cannot be cleared once set).
    pub zap_domain: Vec<u8>,
    /// `ZMQ_ZAP_ENFORCE_DOMAIN`.
    pub zap_enforce_domain: bool,
    /// `ZMQ_PLAIN_USERNAME`.
    pub plain_username: Vec<u8>,
    /// `ZMQ_PLAIN_PASSWORD`.
    pub plain_password: Vec<u8>,
    /// `ZMQ_CURVE_PUBLICKEY` (`None`: never set; reads as zeros).
    pub curve_public_key: Option<[u8; CURVE_KEY_SIZE]>,
    /// `ZMQ_CURVE_SECRETKEY`.
    pub curve_secret_key: Option<[u8; CURVE_KEY_SIZE]>,
    /// `ZMQ_CURVE_SERVERKEY`.
    pub curve_server_key: Option<[u8; CURVE_KEY_SIZE]>,
    /// `ZMQ_GSSAPI_PRINCIPAL`.
    pub gss_principal: Vec<u8>,
    /// `ZMQ_GSSAPI_SERVICE_PRINCIPAL`.
    pub gss_service_principal: Vec<u8>,
    /// `ZMQ_GSSAPI_PRINCIPAL_NAMETYPE` (`ZMQ_GSSAPI_NT_*`).
    pub gss_principal_nt: c_int,
    /// `ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE`.
    pub gss_service_principal_nt: c_int,
    /// `ZMQ_GSSAPI_PLAINTEXT`.
    pub gss_plaintext: bool,
    /// `ZMQ_METADATA` properties (`X-…` name → value; the first value set for a name
    /// stays).
    pub app_metadata: BTreeMap<Vec<u8>, Vec<u8>>,

    // ---- pattern behaviour (set by socket types, some readable here)
    /// `ZMQ_INVERT_MATCHING`.
    pub invert_matching: bool,
    /// `ZMQ_ROUTER_NOTIFY` bits: set by ROUTER's own option, read here for any type.
    pub router_notify: c_int,
    /// (X)SUB filters messages by subscription (true for SUB).
    pub filter: bool,
    /// The routing id of a peer is delivered as a first part (ROUTER).
    pub recv_routing_id: bool,
    /// Connections are raw TCP (STREAM, DGRAM, ROUTER with `ZMQ_ROUTER_RAW`).
    pub raw_socket: bool,
    /// Raw sockets notify connections (`ZMQ_STREAM_NOTIFY`).
    pub raw_notify: bool,
    /// `ZMQ_HELLO_MSG` (set only; empty = none).
    pub hello_msg: Vec<u8>,
    /// The socket type sends `hello_msg` (DEALER, ROUTER, CLIENT, SERVER, PEER).
    pub can_send_hello_msg: bool,
    /// `ZMQ_DISCONNECT_MSG` (set only; empty = none).
    pub disconnect_msg: Vec<u8>,
    /// The socket type receives `disconnect_msg` (ROUTER, SERVER, PEER).
    pub can_recv_disconnect_msg: bool,
    /// `ZMQ_HICCUP_MSG` (set only; empty = none).
    pub hiccup_msg: Vec<u8>,
    /// The socket type receives `hiccup_msg` (DEALER, CLIENT, PEER).
    pub can_recv_hiccup_msg: bool,
    /// The socket connected at least once (for `ZMQ_RECONNECT_STOP_AFTER_DISCONNECT`).
    pub connected: bool,
    /// Received message bodies may share the receive buffer (ctx `ZMQ_ZERO_COPY_RECV`).
    pub zero_copy: bool,

    // ---- transports this build lacks (kept for their capability's day)
    /// `ZMQ_VMCI_BUFFER_SIZE`.
    pub vmci_buffer_size: u64,
    /// `ZMQ_VMCI_BUFFER_MIN_SIZE`.
    pub vmci_buffer_min_size: u64,
    /// `ZMQ_VMCI_BUFFER_MAX_SIZE`.
    pub vmci_buffer_max_size: u64,
    /// `ZMQ_VMCI_CONNECT_TIMEOUT`.
    pub vmci_connect_timeout: c_int,
    /// `ZMQ_WSS_KEY_PEM`.
    pub wss_key_pem: Vec<u8>,
    /// `ZMQ_WSS_CERT_PEM`.
    pub wss_cert_pem: Vec<u8>,
    /// `ZMQ_WSS_TRUST_PEM`.
    pub wss_trust_pem: Vec<u8>,
    /// `ZMQ_WSS_HOSTNAME`.
    pub wss_hostname: Vec<u8>,
    /// `ZMQ_WSS_TRUST_SYSTEM`.
    pub wss_trust_system: bool,
    /// `ZMQ_NORM_MODE` (0 to 4).
    pub norm_mode: c_int,
    /// `ZMQ_NORM_UNICAST_NACK`.
    pub norm_unicast_nacks: bool,
    /// `ZMQ_NORM_BUFFER_SIZE` (> 0).
    pub norm_buffer_size: c_int,
    /// `ZMQ_NORM_SEGMENT_SIZE` (> 0).
    pub norm_segment_size: c_int,
    /// `ZMQ_NORM_BLOCK_SIZE` (1 to 255).
    pub norm_block_size: c_int,
    /// `ZMQ_NORM_NUM_PARITY` (0 to 254).
    pub norm_num_parity: c_int,
    /// `ZMQ_NORM_NUM_AUTOPARITY` (0 to 254).
    pub norm_num_autoparity: c_int,
    /// `ZMQ_NORM_PUSH`.
    pub norm_push_enable: bool,
}

impl Default for SocketOptions {
    /// `options_t`'s constructor alone: no socket type (`ZMQ_TYPE` reads -1).
    fn default() -> Self {
        SocketOptions {
            sndhwm: DEFAULT_HWM,
            rcvhwm: DEFAULT_HWM,
            affinity: 0,
            routing_id: Vec::new(),
            maxmsgsize: -1,
            rcvtimeo: -1,
            sndtimeo: -1,
            linger: -1,
            conflate: false,
            immediate: false,
            socket_type: -1,
            rate: 100,
            recovery_ivl: 10_000,
            multicast_hops: 1,
            multicast_maxtpdu: 1500,
            multicast_loop: true,
            sndbuf: -1,
            rcvbuf: -1,
            tos: 0,
            priority: 0,
            connect_timeout: 0,
            tcp_maxrt: 0,
            reconnect_stop: 0,
            reconnect_ivl: 100,
            reconnect_ivl_max: 0,
            backlog: 100,
            ipv6: false,
            tcp_keepalive: -1,
            tcp_keepalive_cnt: -1,
            tcp_keepalive_idle: -1,
            tcp_keepalive_intvl: -1,
            tcp_accept_filters: Vec::new(),
            ipc_uid_accept_filters: BTreeSet::new(),
            ipc_gid_accept_filters: BTreeSet::new(),
            ipc_pid_accept_filters: BTreeSet::new(),
            socks_proxy_address: Vec::new(),
            socks_proxy_username: Vec::new(),
            socks_proxy_password: Vec::new(),
            handshake_ivl: 30_000,
            heartbeat_interval: 0,
            heartbeat_ttl: 0,
            heartbeat_timeout: -1,
            use_fd: -1,
            bound_device: Vec::new(),
            loopback_fastpath: false,
            in_batch_size: 8192,
            out_batch_size: 8192,
            busy_poll: 0,
            mechanism: Mechanism::Null,
            as_server: false,
            zap_domain: Vec::new(),
            zap_enforce_domain: false,
            plain_username: Vec::new(),
            plain_password: Vec::new(),
            curve_public_key: None,
            curve_secret_key: None,
            curve_server_key: None,
            gss_principal: Vec::new(),
            gss_service_principal: Vec::new(),
            gss_principal_nt: ZMQ_GSSAPI_NT_HOSTBASED,
            gss_service_principal_nt: ZMQ_GSSAPI_NT_HOSTBASED,
            gss_plaintext: false,
            app_metadata: BTreeMap::new(),
            invert_matching: false,
            router_notify: 0,
            filter: false,
            recv_routing_id: false,
            raw_socket: false,
            raw_notify: true,
            hello_msg: Vec::new(),
            can_send_hello_msg: false,
            disconnect_msg: Vec::new(),
            can_recv_disconnect_msg: false,
            hiccup_msg: Vec::new(),
            can_recv_hiccup_msg: false,
            connected: false,
            zero_copy: true,
            vmci_buffer_size: 0,
            vmci_buffer_min_size: 0,
            vmci_buffer_max_size: 0,
            vmci_connect_timeout: -1,
            wss_key_pem: Vec::new(),
            wss_cert_pem: Vec::new(),
            wss_trust_pem: Vec::new(),
            wss_hostname: Vec::new(),
            wss_trust_system: false,
            norm_mode: ZMQ_NORM_CC,
            norm_unicast_nacks: false,
            norm_buffer_size: 2048,
            norm_segment_size: 1400,
            norm_block_size: 16,
            norm_num_parity: 4,
            norm_num_autoparity: 0,
            norm_push_enable: false,
        }
    }
}

/// Whether `options.cpp` itself sets or reads `option` (in this build): the options
/// [`SocketOptions::set`] or [`SocketOptions::get`] may accept. Everything else is
/// the socket layer's, or unknown.
pub fn is_generic_option(option: c_int) -> bool {
    is_generic_settable(option) || is_generic_gettable(option)
}

/// Whether [`SocketOptions::set`] handles `option` (it may still refuse a value).
pub fn is_generic_settable(option: c_int) -> bool {
    match option {
        ZMQ_SNDHWM
        | ZMQ_RCVHWM
        | ZMQ_AFFINITY
        | ZMQ_ROUTING_ID
        | ZMQ_RATE
        | ZMQ_RECOVERY_IVL
        | ZMQ_SNDBUF
        | ZMQ_RCVBUF
        | ZMQ_TOS
        | ZMQ_LINGER
        | ZMQ_CONNECT_TIMEOUT
        | ZMQ_TCP_MAXRT
        | ZMQ_RECONNECT_STOP
        | ZMQ_RECONNECT_IVL
        | ZMQ_RECONNECT_IVL_MAX
        | ZMQ_BACKLOG
        | ZMQ_MAXMSGSIZE
        | ZMQ_MULTICAST_HOPS
        | ZMQ_MULTICAST_MAXTPDU
        | ZMQ_RCVTIMEO
        | ZMQ_SNDTIMEO
        | ZMQ_IPV4ONLY
        | ZMQ_IPV6
        | ZMQ_SOCKS_PROXY
        | ZMQ_SOCKS_USERNAME
        | ZMQ_SOCKS_PASSWORD
        | ZMQ_TCP_KEEPALIVE
        | ZMQ_TCP_KEEPALIVE_CNT
        | ZMQ_TCP_KEEPALIVE_IDLE
        | ZMQ_TCP_KEEPALIVE_INTVL
        | ZMQ_IMMEDIATE
        | ZMQ_TCP_ACCEPT_FILTER
        | ZMQ_IPC_FILTER_UID
        | ZMQ_IPC_FILTER_GID
        | ZMQ_IPC_FILTER_PID
        | ZMQ_PLAIN_SERVER
        | ZMQ_PLAIN_USERNAME
        | ZMQ_PLAIN_PASSWORD
        | ZMQ_ZAP_DOMAIN
        | ZMQ_CONFLATE
        | ZMQ_HANDSHAKE_IVL
        | ZMQ_INVERT_MATCHING
        | ZMQ_HEARTBEAT_IVL
        | ZMQ_HEARTBEAT_TTL
        | ZMQ_HEARTBEAT_TIMEOUT
        | ZMQ_USE_FD
        | ZMQ_BINDTODEVICE
        | ZMQ_ZAP_ENFORCE_DOMAIN
        | ZMQ_LOOPBACK_FASTPATH
        | ZMQ_METADATA
        | ZMQ_MULTICAST_LOOP
        | ZMQ_IN_BATCH_SIZE
        | ZMQ_OUT_BATCH_SIZE
        | ZMQ_BUSY_POLL
        | ZMQ_HELLO_MSG
        | ZMQ_DISCONNECT_MSG
        | ZMQ_PRIORITY
        | ZMQ_HICCUP_MSG => true,
        ZMQ_CURVE_SERVER | ZMQ_CURVE_PUBLICKEY | ZMQ_CURVE_SECRETKEY | ZMQ_CURVE_SERVERKEY => has_curve(),
        ZMQ_GSSAPI_SERVER
        | ZMQ_GSSAPI_PRINCIPAL
        | ZMQ_GSSAPI_SERVICE_PRINCIPAL
        | ZMQ_GSSAPI_PLAINTEXT
        | ZMQ_GSSAPI_PRINCIPAL_NAMETYPE
        | ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE => has_gssapi(),
        ZMQ_VMCI_BUFFER_SIZE
        | ZMQ_VMCI_BUFFER_MIN_SIZE
        | ZMQ_VMCI_BUFFER_MAX_SIZE
        | ZMQ_VMCI_CONNECT_TIMEOUT => has_vmci(),
        ZMQ_WSS_KEY_PEM | ZMQ_WSS_CERT_PEM | ZMQ_WSS_TRUST_PEM | ZMQ_WSS_HOSTNAME | ZMQ_WSS_TRUST_SYSTEM => {
            has_wss()
        }
        ZMQ_NORM_MODE
        | ZMQ_NORM_UNICAST_NACK
        | ZMQ_NORM_BUFFER_SIZE
        | ZMQ_NORM_SEGMENT_SIZE
        | ZMQ_NORM_BLOCK_SIZE
        | ZMQ_NORM_NUM_PARITY
        | ZMQ_NORM_NUM_AUTOPARITY
        | ZMQ_NORM_PUSH => has_norm(),
        _ => false,
    }
}

/// Whether [`SocketOptions::get`] handles `option` (it may still refuse a buffer
/// size; `ZMQ_BUSY_POLL` it always refuses, as libzmq 4.3.5 does).
pub fn is_generic_gettable(option: c_int) -> bool {
    match option {
        ZMQ_SNDHWM
        | ZMQ_RCVHWM
        | ZMQ_AFFINITY
        | ZMQ_ROUTING_ID
        | ZMQ_RATE
        | ZMQ_RECOVERY_IVL
        | ZMQ_SNDBUF
        | ZMQ_RCVBUF
        | ZMQ_TOS
        | ZMQ_TYPE
        | ZMQ_LINGER
        | ZMQ_CONNECT_TIMEOUT
        | ZMQ_TCP_MAXRT
        | ZMQ_RECONNECT_STOP
        | ZMQ_RECONNECT_IVL
        | ZMQ_RECONNECT_IVL_MAX
        | ZMQ_BACKLOG
        | ZMQ_MAXMSGSIZE
        | ZMQ_MULTICAST_HOPS
        | ZMQ_MULTICAST_MAXTPDU
        | ZMQ_RCVTIMEO
        | ZMQ_SNDTIMEO
        | ZMQ_IPV4ONLY
        | ZMQ_IPV6
        | ZMQ_IMMEDIATE
        | ZMQ_SOCKS_PROXY
        | ZMQ_SOCKS_USERNAME
        | ZMQ_SOCKS_PASSWORD
        | ZMQ_TCP_KEEPALIVE
        | ZMQ_TCP_KEEPALIVE_CNT
        | ZMQ_TCP_KEEPALIVE_IDLE
        | ZMQ_TCP_KEEPALIVE_INTVL
        | ZMQ_MECHANISM
        | ZMQ_PLAIN_SERVER
        | ZMQ_PLAIN_USERNAME
        | ZMQ_PLAIN_PASSWORD
        | ZMQ_ZAP_DOMAIN
        | ZMQ_CONFLATE
        | ZMQ_HANDSHAKE_IVL
        | ZMQ_INVERT_MATCHING
        | ZMQ_HEARTBEAT_IVL
        | ZMQ_HEARTBEAT_TTL
        | ZMQ_HEARTBEAT_TIMEOUT
        | ZMQ_USE_FD
        | ZMQ_BINDTODEVICE
        | ZMQ_ZAP_ENFORCE_DOMAIN
        | ZMQ_LOOPBACK_FASTPATH
        | ZMQ_MULTICAST_LOOP
        | ZMQ_ROUTER_NOTIFY
        | ZMQ_IN_BATCH_SIZE
        | ZMQ_OUT_BATCH_SIZE
        | ZMQ_PRIORITY
        | ZMQ_BUSY_POLL => true,
        ZMQ_CURVE_SERVER | ZMQ_CURVE_PUBLICKEY | ZMQ_CURVE_SECRETKEY | ZMQ_CURVE_SERVERKEY => has_curve(),
        ZMQ_GSSAPI_SERVER
        | ZMQ_GSSAPI_PRINCIPAL
        | ZMQ_GSSAPI_SERVICE_PRINCIPAL
        | ZMQ_GSSAPI_PLAINTEXT
        | ZMQ_GSSAPI_PRINCIPAL_NAMETYPE
        | ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE => has_gssapi(),
        ZMQ_NORM_MODE
        | ZMQ_NORM_UNICAST_NACK
        | ZMQ_NORM_BUFFER_SIZE
        | ZMQ_NORM_SEGMENT_SIZE
        | ZMQ_NORM_BLOCK_SIZE
        | ZMQ_NORM_NUM_PARITY
        | ZMQ_NORM_NUM_AUTOPARITY
        | ZMQ_NORM_PUSH => has_norm(),
        _ => false,
    }
}

fn has_curve() -> bool {
    capabilities::has(b"curve")
}
fn has_gssapi() -> bool {
    capabilities::has(b"gssapi")
}
fn has_vmci() -> bool {
    capabilities::has(b"vmci")
}
fn has_wss() -> bool {
    capabilities::has(b"WSS")
}
fn has_norm() -> bool {
    capabilities::has(b"norm")
}

/// `ZMQ_HEARTBEAT_TTL`: milliseconds per unit of the stored value.
const HEARTBEAT_TTL_UNIT_MS: c_int = 100;

impl SocketOptions {
    /// The options of a new socket of `socket_type` in a context with default options
    /// (`ZMQ_IPV6` 0, `ZMQ_BLOCKY` 1, `ZMQ_ZERO_COPY_RECV` 1). `socket_type` is not
    /// checked.
    pub fn new(socket_type: c_int) -> Self {
        Self::for_context(socket_type, false, true)
    }

    /// The options of a new socket of `socket_type` in a context whose `ZMQ_IPV6` is
    /// `ipv6` and `ZMQ_BLOCKY` is `blocky`, in libzmq's order: the context sets
    /// `ipv6` and `linger` (-1 when blocky, else 0), then the socket type sets its own
    /// (SUB, XSUB and DISH always start with `ZMQ_LINGER` 0).
    pub fn for_context(socket_type: c_int, ipv6: bool, blocky: bool) -> Self {
        let mut options = SocketOptions {
            socket_type,
            ipv6,
            linger: if blocky { -1 } else { 0 },
            ..SocketOptions::default()
        };
        match socket_type {
            ZMQ_SUB => {
                options.filter = true;
                options.linger = 0;
            }
            ZMQ_XSUB | ZMQ_DISH => options.linger = 0,
            ZMQ_DEALER | ZMQ_CLIENT => {
                options.can_send_hello_msg = true;
                options.can_recv_hiccup_msg = true;
            }
            ZMQ_ROUTER => {
                options.recv_routing_id = true;
                options.can_send_hello_msg = true;
                options.can_recv_disconnect_msg = true;
            }
            ZMQ_SERVER => {
                options.can_send_hello_msg = true;
                options.can_recv_disconnect_msg = true;
            }
            ZMQ_PEER => {
                options.can_send_hello_msg = true;
                options.can_recv_disconnect_msg = true;
                options.can_recv_hiccup_msg = true;
            }
            ZMQ_STREAM | ZMQ_DGRAM => options.raw_socket = true,
            _ => {}
        }
        options
    }

    /// Whether `ZMQ_CONFLATE` applies: only DEALER, PULL, PUSH, PUB and SUB conflate
    /// (`get_effective_conflate_option`).
    pub fn effective_conflate(&self) -> bool {
        self.conflate && matches!(self.socket_type, ZMQ_DEALER | ZMQ_PULL | ZMQ_PUSH | ZMQ_PUB | ZMQ_SUB)
    }

    /// The `ZMQ_HELLO_MSG` this socket sends on each new connection; empty when none
    /// is set or the type sends none.
    pub fn hello_to_send(&self) -> &[u8] {
        if self.can_send_hello_msg {
            &self.hello_msg
        } else {
            &[]
        }
    }

    /// The `ZMQ_DISCONNECT_MSG` this socket receives when a peer that connected to
    /// it goes; empty when none is set or the type receives none.
    pub fn disconnect_msg_to_receive(&self) -> &[u8] {
        if self.can_recv_disconnect_msg {
            &self.disconnect_msg
        } else {
            &[]
        }
    }

    /// The `ZMQ_HICCUP_MSG` this socket receives when a connection it made breaks;
    /// empty when none is set or the type receives none.
    pub fn hiccup_msg_to_receive(&self) -> &[u8] {
        if self.can_recv_hiccup_msg {
            &self.hiccup_msg
        } else {
            &[]
        }
    }

    /// `zmq_setsockopt(option, value, value.len())` with a non-NULL `value`.
    /// `EINVAL` for a value out of the option's rules, and for any option not in
    /// [`is_generic_settable`]. A failed call changes nothing, except that a bad Z85
    /// CURVE key keeps the 4-byte groups decoded before the bad one, as in libzmq.
    pub fn set(&mut self, option: c_int, value: &[u8]) -> Result<()> {
        self.set_raw(option, Some(value))
    }

    /// `zmq_setsockopt(option, NULL, 0)`: clears `ZMQ_TCP_ACCEPT_FILTER`, the IPC
    /// filters, `ZMQ_SOCKS_PROXY`, `ZMQ_BINDTODEVICE` and the SOCKS credentials, and
    /// resets the mechanism to NULL for `ZMQ_PLAIN_USERNAME`/`ZMQ_PLAIN_PASSWORD`
    /// (where an empty non-NULL value is `EINVAL`).
    pub fn set_null(&mut self, option: c_int) -> Result<()> {
        self.set_raw(option, None)
    }

    /// `zmq_setsockopt` with the value as given (`None`: a NULL `optval`, length 0).
    pub fn set_raw(&mut self, option: c_int, value: Raw<'_>) -> Result<()> {
        use codec::{bool_relaxed, bool_strict, int, int_where};
        if !is_generic_settable(option) {
            return Err(Errno::EINVAL);
        }
        match option {
            ZMQ_SNDHWM => self.sndhwm = int_where(value, |v| v >= 0)?,
            ZMQ_RCVHWM => self.rcvhwm = int_where(value, |v| v >= 0)?,
            ZMQ_AFFINITY => self.affinity = codec::u64(value)?,
            ZMQ_ROUTING_ID => self.routing_id = codec::string_nonempty(value, SHORT_STRING_MAX)?,
            ZMQ_RATE => self.rate = int_where(value, |v| v > 0)?,
            ZMQ_RECOVERY_IVL => self.recovery_ivl = int_where(value, |v| v >= 0)?,
            ZMQ_SNDBUF => self.sndbuf = int_where(value, |v| v >= -1)?,
            ZMQ_RCVBUF => self.rcvbuf = int_where(value, |v| v >= -1)?,
            ZMQ_TOS => self.tos = int_where(value, |v| v >= 0)?,
            ZMQ_LINGER => self.linger = int_where(value, |v| v >= -1)?,
            ZMQ_CONNECT_TIMEOUT => self.connect_timeout = int_where(value, |v| v >= 0)?,
            ZMQ_TCP_MAXRT => self.tcp_maxrt = int_where(value, |v| v >= 0)?,
            ZMQ_RECONNECT_STOP => self.reconnect_stop = int(value)?,
            ZMQ_RECONNECT_IVL => self.reconnect_ivl = int_where(value, |v| v >= -1)?,
            ZMQ_RECONNECT_IVL_MAX => self.reconnect_ivl_max = int_where(value, |v| v >= 0)?,
            ZMQ_BACKLOG => self.backlog = int_where(value, |v| v >= 0)?,
            ZMQ_MAXMSGSIZE => self.maxmsgsize = codec::i64(value)?,
            ZMQ_MULTICAST_HOPS => self.multicast_hops = int_where(value, |v| v > 0)?,
            ZMQ_MULTICAST_MAXTPDU => self.multicast_maxtpdu = int_where(value, |v| v > 0)?,
            ZMQ_RCVTIMEO => self.rcvtimeo = int_where(value, |v| v >= -1)?,
            ZMQ_SNDTIMEO => self.sndtimeo = int_where(value, |v| v >= -1)?,
            ZMQ_IPV4ONLY => self.ipv6 = !bool_strict(value)?,
            ZMQ_IPV6 => self.ipv6 = bool_strict(value)?,
            ZMQ_SOCKS_PROXY => self.socks_proxy_address = codec::string_or_null(value, usize::MAX)?,
            ZMQ_SOCKS_USERNAME => {
                self.socks_proxy_username = codec::string_or_empty(value, SHORT_STRING_MAX)?;
            }
            ZMQ_SOCKS_PASSWORD => {
                self.socks_proxy_password = codec::string_or_empty(value, SHORT_STRING_MAX)?;
            }
            ZMQ_TCP_KEEPALIVE => self.tcp_keepalive = int_where(value, |v| (-1..=1).contains(&v))?,
            ZMQ_TCP_KEEPALIVE_CNT => self.tcp_keepalive_cnt = int_where(value, |v| v >= -1)?,
            ZMQ_TCP_KEEPALIVE_IDLE => self.tcp_keepalive_idle = int_where(value, |v| v >= -1)?,
            ZMQ_TCP_KEEPALIVE_INTVL => self.tcp_keepalive_intvl = int_where(value, |v| v >= -1)?,
            ZMQ_IMMEDIATE => self.immediate = bool_strict(value)?,
            ZMQ_TCP_ACCEPT_FILTER => {
                let text = codec::string_or_null(value, SHORT_STRING_MAX)?;
                if text.is_empty() {
                    self.tcp_accept_filters.clear();
                } else {
                    self.tcp_accept_filters.push(TcpAcceptFilter::parse(&text, self.ipv6)?);
                }
            }
            ZMQ_IPC_FILTER_UID => set_member(&mut self.ipc_uid_accept_filters, value, u32::from_ne_bytes)?,
            ZMQ_IPC_FILTER_GID => set_member(&mut self.ipc_gid_accept_filters, value, u32::from_ne_bytes)?,
            ZMQ_IPC_FILTER_PID => set_member(&mut self.ipc_pid_accept_filters, value, i32::from_ne_bytes)?,
            ZMQ_PLAIN_SERVER => {
                let server = bool_strict(value)?;
                self.as_server = server;
                self.mechanism = if server { Mechanism::Plain } else { Mechanism::Null };
            }
            ZMQ_PLAIN_USERNAME | ZMQ_PLAIN_PASSWORD => match value {
                None => self.mechanism = Mechanism::Null,
                Some(_) => {
                    let text = codec::string_nonempty(value, SHORT_STRING_MAX)?;
                    if option == ZMQ_PLAIN_USERNAME {
                        self.plain_username = text;
                    } else {
                        self.plain_password = text;
                    }
                    self.as_server = false;
                    self.mechanism = Mechanism::Plain;
                }
            },
            ZMQ_ZAP_DOMAIN => self.zap_domain = codec::string_nonempty(value, SHORT_STRING_MAX)?,
            ZMQ_CURVE_SERVER => {
                let server = bool_strict(value)?;
                self.as_server = server;
                self.mechanism = if server { Mechanism::Curve } else { Mechanism::Null };
            }
            ZMQ_CURVE_PUBLICKEY => self.set_curve_key(value, |o| &mut o.curve_public_key)?,
            ZMQ_CURVE_SECRETKEY => self.set_curve_key(value, |o| &mut o.curve_secret_key)?,
            ZMQ_CURVE_SERVERKEY => {
                self.set_curve_key(value, |o| &mut o.curve_server_key)?;
                self.as_server = false;
            }
            ZMQ_CONFLATE => self.conflate = bool_strict(value)?,
            ZMQ_GSSAPI_SERVER => {
                self.as_server = bool_strict(value)?;
                self.mechanism = Mechanism::Gssapi;
            }
            ZMQ_GSSAPI_PRINCIPAL => {
                self.gss_principal = codec::string_nonempty(value, SHORT_STRING_MAX)?;
                self.mechanism = Mechanism::Gssapi;
            }
            ZMQ_GSSAPI_SERVICE_PRINCIPAL => {
                self.gss_service_principal = codec::string_nonempty(value, SHORT_STRING_MAX)?;
                self.mechanism = Mechanism::Gssapi;
                self.as_server = false;
            }
            ZMQ_GSSAPI_PLAINTEXT => self.gss_plaintext = bool_strict(value)?,
            ZMQ_GSSAPI_PRINCIPAL_NAMETYPE => self.gss_principal_nt = int_where(value, is_gss_name_type)?,
            ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE => {
                self.gss_service_principal_nt = int_where(value, is_gss_name_type)?;
            }
            ZMQ_HANDSHAKE_IVL => self.handshake_ivl = int_where(value, |v| v >= 0)?,
            ZMQ_INVERT_MATCHING => self.invert_matching = bool_relaxed(value)?,
            ZMQ_HEARTBEAT_IVL => self.heartbeat_interval = int_where(value, |v| v >= 0)?,
            ZMQ_HEARTBEAT_TTL => {
                // Milliseconds, stored in deciseconds truncated toward zero: -99..=-1
                // become 0 and are accepted; 6_553_599 is the largest value.
                let deciseconds = int(value)? / HEARTBEAT_TTL_UNIT_MS;
                self.heartbeat_ttl = u16::try_from(deciseconds).map_err(|_| Errno::EINVAL)?;
            }
            ZMQ_HEARTBEAT_TIMEOUT => self.heartbeat_timeout = int_where(value, |v| v >= 0)?,
            ZMQ_VMCI_BUFFER_SIZE => self.vmci_buffer_size = codec::u64(value)?,
            ZMQ_VMCI_BUFFER_MIN_SIZE => self.vmci_buffer_min_size = codec::u64(value)?,
            ZMQ_VMCI_BUFFER_MAX_SIZE => self.vmci_buffer_max_size = codec::u64(value)?,
            ZMQ_VMCI_CONNECT_TIMEOUT => self.vmci_connect_timeout = int(value)?,
            ZMQ_USE_FD => self.use_fd = int_where(value, |v| v >= -1)?,
            ZMQ_BINDTODEVICE => self.bound_device = codec::string_or_null(value, BIND_DEVICE_MAX)?,
            ZMQ_ZAP_ENFORCE_DOMAIN => self.zap_enforce_domain = bool_relaxed(value)?,
            ZMQ_LOOPBACK_FASTPATH => self.loopback_fastpath = bool_relaxed(value)?,
            ZMQ_METADATA => {
                let (name, property) = parse_metadata(codec::bytes(value))?;
                self.app_metadata.entry(name).or_insert(property);
            }
            ZMQ_MULTICAST_LOOP => self.multicast_loop = bool_relaxed(value)?,
            ZMQ_IN_BATCH_SIZE => self.in_batch_size = int_where(value, |v| v > 0)?,
            ZMQ_OUT_BATCH_SIZE => self.out_batch_size = int_where(value, |v| v > 0)?,
            ZMQ_BUSY_POLL => self.busy_poll = int(value)?,
            ZMQ_WSS_KEY_PEM => self.wss_key_pem = codec::bytes(value).to_vec(),
            ZMQ_WSS_CERT_PEM => self.wss_cert_pem = codec::bytes(value).to_vec(),
            ZMQ_WSS_TRUST_PEM => self.wss_trust_pem = codec::bytes(value).to_vec(),
            ZMQ_WSS_HOSTNAME => self.wss_hostname = codec::bytes(value).to_vec(),
            ZMQ_WSS_TRUST_SYSTEM => self.wss_trust_system = bool_strict(value)?,
            ZMQ_NORM_MODE => self.norm_mode = int_where(value, |v| (0..=4).contains(&v))?,
            ZMQ_NORM_UNICAST_NACK => self.norm_unicast_nacks = bool_strict(value)?,
            ZMQ_NORM_BUFFER_SIZE => self.norm_buffer_size = int_where(value, |v| v > 0)?,
            ZMQ_NORM_SEGMENT_SIZE => self.norm_segment_size = int_where(value, |v| v > 0)?,
            ZMQ_NORM_BLOCK_SIZE => self.norm_block_size = int_where(value, |v| (1..=255).contains(&v))?,
            ZMQ_NORM_NUM_PARITY => self.norm_num_parity = int_where(value, |v| (0..255).contains(&v))?,
            ZMQ_NORM_NUM_AUTOPARITY => {
                self.norm_num_autoparity = int_where(value, |v| (0..255).contains(&v))?
            }
            ZMQ_NORM_PUSH => self.norm_push_enable = bool_strict(value)?,
            ZMQ_HELLO_MSG => self.hello_msg = codec::bytes(value).to_vec(),
            ZMQ_DISCONNECT_MSG => self.disconnect_msg = codec::bytes(value).to_vec(),
            ZMQ_HICCUP_MSG => self.hiccup_msg = codec::bytes(value).to_vec(),
            ZMQ_PRIORITY => self.priority = int_where(value, |v| v >= 0)?,
            _ => return Err(Errno::EINVAL),
        }
        Ok(())
    }

    /// Sets one CURVE key; success switches the mechanism to CURVE.
    fn set_curve_key(
        &mut self,
        value: Raw<'_>,
        slot: impl Fn(&mut Self) -> &mut Option<[u8; CURVE_KEY_SIZE]>,
    ) -> Result<()> {
        let key = slot(self);
        let mut bytes = key.unwrap_or_default();
        let outcome = codec::set_curve_key(&mut bytes, value);
        // A failed Z85 decode may have written a prefix (libzmq writes in place).
        if outcome.is_ok() || key.is_some() || bytes != [0; CURVE_KEY_SIZE] {
            *key = Some(bytes);
        }
        outcome?;
        self.mechanism = Mechanism::Curve;
        Ok(())
    }

    /// `zmq_getsockopt(option)` into a buffer of `capacity` bytes: the bytes to copy
    /// out, whose length is the new `*optvallen`. `EINVAL` for an option not in
    /// [`is_generic_gettable`] and for a buffer of the wrong size:
    /// - `int` options need exactly 4 bytes, `ZMQ_AFFINITY`/`ZMQ_MAXMSGSIZE` exactly 8;
    /// - strings (`ZMQ_ZAP_DOMAIN`, `ZMQ_PLAIN_*`, `ZMQ_SOCKS_*`, `ZMQ_BINDTODEVICE`,
    ///   `ZMQ_GSSAPI_*PRINCIPAL`) come with a NUL and need room for it;
    /// - `ZMQ_ROUTING_ID` comes raw (possibly empty) and needs room for it;
    /// - CURVE keys: 32 bytes raw, or 41 bytes of Z85 with its NUL; nothing else.
    pub fn get(&self, option: c_int, capacity: usize) -> Result<Vec<u8>> {
        use codec::{bool_out, curve_key_out, int_out, string_out};
        if !is_generic_gettable(option) {
            return Err(Errno::EINVAL);
        }
        let zero_key = [0; CURVE_KEY_SIZE];
        match option {
            ZMQ_SNDHWM => int_out(self.sndhwm, capacity),
            ZMQ_RCVHWM => int_out(self.rcvhwm, capacity),
            ZMQ_AFFINITY => codec::u64_out(self.affinity, capacity),
            ZMQ_ROUTING_ID => codec::bytes_out(&self.routing_id, capacity),
            ZMQ_RATE => int_out(self.rate, capacity),
            ZMQ_RECOVERY_IVL => int_out(self.recovery_ivl, capacity),
            ZMQ_SNDBUF => int_out(self.sndbuf, capacity),
            ZMQ_RCVBUF => int_out(self.rcvbuf, capacity),
            ZMQ_TOS => int_out(self.tos, capacity),
            ZMQ_TYPE => int_out(self.socket_type, capacity),
            ZMQ_LINGER => int_out(self.linger, capacity),
            ZMQ_CONNECT_TIMEOUT => int_out(self.connect_timeout, capacity),
            ZMQ_TCP_MAXRT => int_out(self.tcp_maxrt, capacity),
            ZMQ_RECONNECT_STOP => int_out(self.reconnect_stop, capacity),
            ZMQ_RECONNECT_IVL => int_out(self.reconnect_ivl, capacity),
            ZMQ_RECONNECT_IVL_MAX => int_out(self.reconnect_ivl_max, capacity),
            ZMQ_BACKLOG => int_out(self.backlog, capacity),
            ZMQ_MAXMSGSIZE => codec::i64_out(self.maxmsgsize, capacity),
            ZMQ_MULTICAST_HOPS => int_out(self.multicast_hops, capacity),
            ZMQ_MULTICAST_MAXTPDU => int_out(self.multicast_maxtpdu, capacity),
            ZMQ_RCVTIMEO => int_out(self.rcvtimeo, capacity),
            ZMQ_SNDTIMEO => int_out(self.sndtimeo, capacity),
            ZMQ_IPV4ONLY => bool_out(!self.ipv6, capacity),
            ZMQ_IPV6 => bool_out(self.ipv6, capacity),
            ZMQ_IMMEDIATE => bool_out(self.immediate, capacity),
            ZMQ_SOCKS_PROXY => string_out(&self.socks_proxy_address, capacity),
            ZMQ_SOCKS_USERNAME => string_out(&self.socks_proxy_username, capacity),
            ZMQ_SOCKS_PASSWORD => string_out(&self.socks_proxy_password, capacity),
            ZMQ_TCP_KEEPALIVE => int_out(self.tcp_keepalive, capacity),
            ZMQ_TCP_KEEPALIVE_CNT => int_out(self.tcp_keepalive_cnt, capacity),
            ZMQ_TCP_KEEPALIVE_IDLE => int_out(self.tcp_keepalive_idle, capacity),
            ZMQ_TCP_KEEPALIVE_INTVL => int_out(self.tcp_keepalive_intvl, capacity),
            ZMQ_MECHANISM => int_out(self.mechanism.code(), capacity),
            ZMQ_PLAIN_SERVER => bool_out(self.as_server && self.mechanism == Mechanism::Plain, capacity),
            ZMQ_PLAIN_USERNAME => string_out(&self.plain_username, capacity),
            ZMQ_PLAIN_PASSWORD => string_out(&self.plain_password, capacity),
            ZMQ_ZAP_DOMAIN => string_out(&self.zap_domain, capacity),
            ZMQ_CURVE_SERVER => bool_out(self.as_server && self.mechanism == Mechanism::Curve, capacity),
            ZMQ_CURVE_PUBLICKEY => {
                curve_key_out(self.curve_public_key.as_ref().unwrap_or(&zero_key), capacity)
            }
            ZMQ_CURVE_SECRETKEY => {
                curve_key_out(self.curve_secret_key.as_ref().unwrap_or(&zero_key), capacity)
            }
            ZMQ_CURVE_SERVERKEY => {
                curve_key_out(self.curve_server_key.as_ref().unwrap_or(&zero_key), capacity)
            }
            ZMQ_CONFLATE => bool_out(self.conflate, capacity),
            ZMQ_GSSAPI_SERVER => bool_out(self.as_server && self.mechanism == Mechanism::Gssapi, capacity),
            ZMQ_GSSAPI_PRINCIPAL => string_out(&self.gss_principal, capacity),
            ZMQ_GSSAPI_SERVICE_PRINCIPAL => string_out(&self.gss_service_principal, capacity),
            ZMQ_GSSAPI_PLAINTEXT => bool_out(self.gss_plaintext, capacity),
            ZMQ_GSSAPI_PRINCIPAL_NAMETYPE => int_out(self.gss_principal_nt, capacity),
            ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE => int_out(self.gss_service_principal_nt, capacity),
            ZMQ_HANDSHAKE_IVL => int_out(self.handshake_ivl, capacity),
            ZMQ_INVERT_MATCHING => bool_out(self.invert_matching, capacity),
            ZMQ_HEARTBEAT_IVL => int_out(self.heartbeat_interval, capacity),
            ZMQ_HEARTBEAT_TTL => int_out(c_int::from(self.heartbeat_ttl) * HEARTBEAT_TTL_UNIT_MS, capacity),
            ZMQ_HEARTBEAT_TIMEOUT => int_out(self.heartbeat_timeout, capacity),
            ZMQ_USE_FD => int_out(self.use_fd, capacity),
            ZMQ_BINDTODEVICE => string_out(&self.bound_device, capacity),
            ZMQ_ZAP_ENFORCE_DOMAIN => bool_out(self.zap_enforce_domain, capacity),
            ZMQ_LOOPBACK_FASTPATH => bool_out(self.loopback_fastpath, capacity),
            ZMQ_MULTICAST_LOOP => bool_out(self.multicast_loop, capacity),
            ZMQ_ROUTER_NOTIFY => int_out(self.router_notify, capacity),
            ZMQ_IN_BATCH_SIZE => int_out(self.in_batch_size, capacity),
            ZMQ_OUT_BATCH_SIZE => int_out(self.out_batch_size, capacity),
            ZMQ_PRIORITY => int_out(self.priority, capacity),
            // libzmq 4.3.5 writes the value but never reports success: always EINVAL.
            ZMQ_BUSY_POLL => Err(Errno::EINVAL),
            ZMQ_NORM_MODE => int_out(self.norm_mode, capacity),
            ZMQ_NORM_UNICAST_NACK => bool_out(self.norm_unicast_nacks, capacity),
            ZMQ_NORM_BUFFER_SIZE => int_out(self.norm_buffer_size, capacity),
            ZMQ_NORM_SEGMENT_SIZE => int_out(self.norm_segment_size, capacity),
            ZMQ_NORM_BLOCK_SIZE => int_out(self.norm_block_size, capacity),
            ZMQ_NORM_NUM_PARITY => int_out(self.norm_num_parity, capacity),
            ZMQ_NORM_NUM_AUTOPARITY => int_out(self.norm_num_autoparity, capacity),
            ZMQ_NORM_PUSH => bool_out(self.norm_push_enable, capacity),
            _ => Err(Errno::EINVAL),
        }
    }
}

fn is_gss_name_type(value: c_int) -> bool {
    matches!(value, ZMQ_GSSAPI_NT_HOSTBASED | ZMQ_GSSAPI_NT_USER_NAME | ZMQ_GSSAPI_NT_KRB5_PRINCIPAL)
}

/// One member into an IPC filter set: NULL clears it, 4 bytes add one id.
fn set_member<T: Ord>(set: &mut BTreeSet<T>, value: Raw<'_>, decode: fn([u8; 4]) -> T) -> Result<()> {
    match codec::set_member(value)? {
        None => set.clear(),
        Some(id) => {
            set.insert(decode(id));
        }
    }
    Ok(())
}

/// `ZMQ_METADATA`'s `"X-name:value"`: split at the first `:`; the name starts with
/// `X-` (case-sensitive), has at most 255 bytes, and is not empty; the value is not
/// empty and may hold more colons. A value of exactly `sizeof(int)` bytes is refused
/// (libzmq tells strings from ints by their length).
fn parse_metadata(text: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    if text.is_empty() || text.len() == core::mem::size_of::<c_int>() {
        return Err(Errno::EINVAL);
    }
    let colon = text.iter().position(|&byte| byte == b':').ok_or(Errno::EINVAL)?;
    let (name, value) = (text.get(..colon).unwrap_or_default(), text.get(colon + 1..).unwrap_or_default());
    if name.is_empty() || value.is_empty() || !name.starts_with(b"X-") || name.len() > SHORT_STRING_MAX {
        return Err(Errno::EINVAL);
    }
    Ok((name.to_vec(), value.to_vec()))
}

#[cfg(test)]
mod tests;
