//! Pins `options.cpp`'s behaviour; the expected values are what the system libzmq
//! (4.3.4, non-draft, checked with small C programs) reports, and, for the DRAFT
//! options it lacks, what libzmq 4.3.5's source does.

use super::*;

fn int(value: c_int) -> [u8; 4] {
    value.to_ne_bytes()
}

fn get_int(options: &SocketOptions, option: c_int) -> c_int {
    let bytes = options.get(option, 4).unwrap_or_else(|e| panic!("get {option}: {e:?}"));
    c_int::from_ne_bytes(bytes.try_into().unwrap_or_else(|_| panic!("get {option}: not 4 bytes")))
}

fn dealer() -> SocketOptions {
    SocketOptions::new(ZMQ_DEALER)
}

const KEY_Z85: &[u8; 40] = b"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";

#[test]
fn int_defaults_as_the_oracle_reports_them_for_a_dealer() {
    let options = dealer();
    let expected = [
        (ZMQ_SNDHWM, 1000),
        (ZMQ_RCVHWM, 1000),
        (ZMQ_RATE, 100),
        (ZMQ_RECOVERY_IVL, 10000),
        (ZMQ_SNDBUF, -1),
        (ZMQ_RCVBUF, -1),
        (ZMQ_TOS, 0),
        (ZMQ_TYPE, ZMQ_DEALER),
        (ZMQ_LINGER, -1),
        (ZMQ_CONNECT_TIMEOUT, 0),
        (ZMQ_TCP_MAXRT, 0),
        (ZMQ_RECONNECT_STOP, 0),
        (ZMQ_RECONNECT_IVL, 100),
        (ZMQ_RECONNECT_IVL_MAX, 0),
        (ZMQ_BACKLOG, 100),
        (ZMQ_MULTICAST_HOPS, 1),
        (ZMQ_MULTICAST_MAXTPDU, 1500),
        (ZMQ_RCVTIMEO, -1),
        (ZMQ_SNDTIMEO, -1),
        (ZMQ_IPV4ONLY, 1),
        (ZMQ_IPV6, 0),
        (ZMQ_IMMEDIATE, 0),
        (ZMQ_TCP_KEEPALIVE, -1),
        (ZMQ_TCP_KEEPALIVE_CNT, -1),
        (ZMQ_TCP_KEEPALIVE_IDLE, -1),
        (ZMQ_TCP_KEEPALIVE_INTVL, -1),
        (ZMQ_MECHANISM, ZMQ_NULL),
        (ZMQ_PLAIN_SERVER, 0),
        (ZMQ_CURVE_SERVER, 0),
        (ZMQ_CONFLATE, 0),
        (ZMQ_HANDSHAKE_IVL, 30000),
        (ZMQ_INVERT_MATCHING, 0),
        (ZMQ_HEARTBEAT_IVL, 0),
        (ZMQ_HEARTBEAT_TTL, 0),
        (ZMQ_HEARTBEAT_TIMEOUT, -1),
        (ZMQ_USE_FD, -1),
        (ZMQ_ZAP_ENFORCE_DOMAIN, 0),
        (ZMQ_LOOPBACK_FASTPATH, 0),
        (ZMQ_MULTICAST_LOOP, 1),
        // DRAFT (libzmq 4.3.5 source).
        (ZMQ_ROUTER_NOTIFY, 0),
        (ZMQ_IN_BATCH_SIZE, 8192),
        (ZMQ_OUT_BATCH_SIZE, 8192),
        (ZMQ_PRIORITY, 0),
    ];
    for (option, value) in expected {
        assert_eq!(get_int(&options, option), value, "option {option}");
    }
}

#[test]
fn wide_defaults() {
    let options = dealer();
    assert_eq!(options.get(ZMQ_MAXMSGSIZE, 8), Ok((-1i64).to_ne_bytes().to_vec()));
    assert_eq!(options.get(ZMQ_AFFINITY, 8), Ok(0u64.to_ne_bytes().to_vec()));
    for capacity in [0, 4, 7, 9, 16] {
        assert_eq!(options.get(ZMQ_MAXMSGSIZE, capacity), Err(Errno::EINVAL), "{capacity}");
        assert_eq!(options.get(ZMQ_AFFINITY, capacity), Err(Errno::EINVAL), "{capacity}");
    }
}

#[test]
fn int_options_need_exactly_four_bytes_out() {
    let options = dealer();
    for capacity in [0, 1, 3, 5, 8, 100] {
        assert_eq!(options.get(ZMQ_SNDHWM, capacity), Err(Errno::EINVAL), "{capacity}");
        assert_eq!(options.get(ZMQ_TYPE, capacity), Err(Errno::EINVAL), "{capacity}");
    }
}

#[test]
fn string_defaults_are_a_lone_nul() {
    let options = dealer();
    for option in
        [ZMQ_ZAP_DOMAIN, ZMQ_PLAIN_USERNAME, ZMQ_PLAIN_PASSWORD, ZMQ_SOCKS_PROXY, ZMQ_SOCKS_USERNAME]
            .into_iter()
            .chain([ZMQ_SOCKS_PASSWORD, ZMQ_BINDTODEVICE])
    {
        assert_eq!(options.get(option, 10), Ok(vec![0]), "{option}");
        assert_eq!(options.get(option, 1), Ok(vec![0]), "{option}");
        assert_eq!(options.get(option, 0), Err(Errno::EINVAL), "{option}");
    }
    assert_eq!(options.get(ZMQ_ROUTING_ID, 10), Ok(Vec::new()));
    assert_eq!(options.get(ZMQ_ROUTING_ID, 0), Ok(Vec::new()));
}

#[test]
fn curve_key_defaults() {
    let options = dealer();
    for option in [ZMQ_CURVE_PUBLICKEY, ZMQ_CURVE_SECRETKEY, ZMQ_CURVE_SERVERKEY] {
        assert_eq!(options.get(option, 32), Ok(vec![0; 32]));
        let mut text = vec![b'0'; 40];
        text.push(0);
        assert_eq!(options.get(option, 41), Ok(text));
        for capacity in [0, 4, 31, 33, 40, 42, 64] {
            assert_eq!(options.get(option, capacity), Err(Errno::EINVAL), "{option} {capacity}");
        }
    }
}

#[test]
fn type_specific_defaults() {
    // The oracle: SUB, XSUB and DISH linger 0; every other type -1.
    for socket_type in ZMQ_PAIR..=ZMQ_CHANNEL {
        let options = SocketOptions::new(socket_type);
        let linger = if matches!(socket_type, ZMQ_SUB | ZMQ_XSUB | ZMQ_DISH) { 0 } else { -1 };
        assert_eq!(get_int(&options, ZMQ_LINGER), linger, "type {socket_type}");
        assert_eq!(get_int(&options, ZMQ_TYPE), socket_type);
    }
    assert!(SocketOptions::new(ZMQ_SUB).filter);
    assert!(!SocketOptions::new(ZMQ_XSUB).filter);
    assert!(SocketOptions::new(ZMQ_ROUTER).recv_routing_id);
    assert!(SocketOptions::new(ZMQ_STREAM).raw_socket);
    assert!(SocketOptions::new(ZMQ_DEALER).can_send_hello_msg);
    assert!(SocketOptions::new(ZMQ_PEER).can_recv_disconnect_msg);
    assert!(!SocketOptions::new(ZMQ_PUSH).can_send_hello_msg);
    // The context's options.
    let options = SocketOptions::for_context(ZMQ_PUSH, true, false);
    assert_eq!(get_int(&options, ZMQ_LINGER), 0);
    assert_eq!(get_int(&options, ZMQ_IPV6), 1);
    assert_eq!(get_int(&SocketOptions::for_context(ZMQ_SUB, false, true), ZMQ_LINGER), 0);
    assert_eq!(get_int(&SocketOptions::default(), ZMQ_TYPE), -1);
}

#[test]
fn effective_conflate_depends_on_the_type() {
    let mut options = SocketOptions::new(ZMQ_ROUTER);
    assert_eq!(options.set(ZMQ_CONFLATE, &int(1)), Ok(()));
    assert!(!options.effective_conflate());
    options.socket_type = ZMQ_PULL;
    assert!(options.effective_conflate());
}

/// `(option, value, accepted)` as the oracle answered (DRAFT ones: 4.3.5's source).
#[test]
fn int_ranges() {
    let cases: &[(c_int, c_int, bool)] = &[
        (ZMQ_SNDHWM, 0, true),
        (ZMQ_SNDHWM, -1, false),
        (ZMQ_RCVHWM, -1, false),
        (ZMQ_RATE, 0, false),
        (ZMQ_RATE, 1, true),
        (ZMQ_RECOVERY_IVL, -1, false),
        (ZMQ_SNDBUF, -1, true),
        (ZMQ_SNDBUF, -2, false),
        (ZMQ_RCVBUF, -2, false),
        (ZMQ_TOS, -1, false),
        (ZMQ_LINGER, -1, true),
        (ZMQ_LINGER, -2, false),
        (ZMQ_CONNECT_TIMEOUT, -1, false),
        (ZMQ_TCP_MAXRT, -1, false),
        (ZMQ_RECONNECT_STOP, -7, true),
        (ZMQ_RECONNECT_IVL, -1, true),
        (ZMQ_RECONNECT_IVL, -2, false),
        (ZMQ_RECONNECT_IVL_MAX, -1, false),
        (ZMQ_BACKLOG, -1, false),
        (ZMQ_MULTICAST_HOPS, 0, false),
        (ZMQ_MULTICAST_MAXTPDU, 0, false),
        (ZMQ_RCVTIMEO, -2, false),
        (ZMQ_SNDTIMEO, -1, true),
        (ZMQ_IPV6, 2, false),
        (ZMQ_IPV6, -1, false),
        (ZMQ_IPV4ONLY, 2, false),
        (ZMQ_TCP_KEEPALIVE, 2, false),
        (ZMQ_TCP_KEEPALIVE, -1, true),
        (ZMQ_TCP_KEEPALIVE_CNT, -2, false),
        (ZMQ_TCP_KEEPALIVE_IDLE, -2, false),
        (ZMQ_TCP_KEEPALIVE_INTVL, -2, false),
        (ZMQ_IMMEDIATE, 2, false),
        (ZMQ_PLAIN_SERVER, 2, false),
        (ZMQ_CURVE_SERVER, 2, false),
        (ZMQ_CONFLATE, 2, false),
        (ZMQ_HANDSHAKE_IVL, -1, false),
        (ZMQ_INVERT_MATCHING, 5, true),
        (ZMQ_HEARTBEAT_IVL, -1, false),
        (ZMQ_HEARTBEAT_TIMEOUT, -1, false),
        (ZMQ_USE_FD, -2, false),
        (ZMQ_USE_FD, -1, true),
        (ZMQ_ZAP_ENFORCE_DOMAIN, 7, true),
        (ZMQ_LOOPBACK_FASTPATH, -3, true),
        (ZMQ_MULTICAST_LOOP, 9, true),
        (ZMQ_IN_BATCH_SIZE, 0, false),
        (ZMQ_IN_BATCH_SIZE, 5, true),
        (ZMQ_OUT_BATCH_SIZE, -1, false),
        (ZMQ_BUSY_POLL, -9, true),
        (ZMQ_PRIORITY, -1, false),
        (ZMQ_PRIORITY, 3, true),
    ];
    for &(option, value, accepted) in cases {
        let mut options = dealer();
        let outcome = options.set(option, &int(value));
        assert_eq!(outcome.is_ok(), accepted, "option {option} = {value}");
        if !accepted {
            assert_eq!(outcome, Err(Errno::EINVAL));
            assert_eq!(options, dealer(), "a refused value changes nothing ({option})");
        }
        // Never any other length.
        assert_eq!(options.set(option, &[0; 3]), Err(Errno::EINVAL));
        assert_eq!(options.set(option, &[0; 8]), Err(Errno::EINVAL));
        assert_eq!(options.set_null(option), Err(Errno::EINVAL));
    }
}

#[test]
fn int_round_trips() {
    let int_options = [
        ZMQ_SNDHWM,
        ZMQ_RCVHWM,
        ZMQ_RATE,
        ZMQ_RECOVERY_IVL,
        ZMQ_SNDBUF,
        ZMQ_RCVBUF,
        ZMQ_TOS,
        ZMQ_LINGER,
        ZMQ_CONNECT_TIMEOUT,
        ZMQ_TCP_MAXRT,
        ZMQ_RECONNECT_STOP,
        ZMQ_RECONNECT_IVL,
        ZMQ_RECONNECT_IVL_MAX,
        ZMQ_BACKLOG,
        ZMQ_MULTICAST_HOPS,
        ZMQ_MULTICAST_MAXTPDU,
        ZMQ_RCVTIMEO,
        ZMQ_SNDTIMEO,
        ZMQ_TCP_KEEPALIVE_CNT,
        ZMQ_TCP_KEEPALIVE_IDLE,
        ZMQ_TCP_KEEPALIVE_INTVL,
        ZMQ_HANDSHAKE_IVL,
        ZMQ_HEARTBEAT_IVL,
        ZMQ_HEARTBEAT_TIMEOUT,
        ZMQ_USE_FD,
        ZMQ_IN_BATCH_SIZE,
        ZMQ_OUT_BATCH_SIZE,
        ZMQ_PRIORITY,
    ];
    for option in int_options {
        for value in [1, 77, c_int::MAX] {
            let mut options = dealer();
            assert_eq!(options.set(option, &int(value)), Ok(()), "{option}");
            assert_eq!(get_int(&options, option), value, "{option}");
        }
    }
    let bool_options = [
        ZMQ_IPV6,
        ZMQ_IMMEDIATE,
        ZMQ_CONFLATE,
        ZMQ_INVERT_MATCHING,
        ZMQ_ZAP_ENFORCE_DOMAIN,
        ZMQ_LOOPBACK_FASTPATH,
        ZMQ_MULTICAST_LOOP,
        ZMQ_TCP_KEEPALIVE,
    ];
    for option in bool_options {
        for value in [0, 1] {
            let mut options = dealer();
            assert_eq!(options.set(option, &int(value)), Ok(()), "{option}");
            assert_eq!(get_int(&options, option), value, "{option}");
        }
    }
    let mut options = dealer();
    assert_eq!(options.set(ZMQ_MAXMSGSIZE, &(-5i64).to_ne_bytes()), Ok(()));
    assert_eq!(options.get(ZMQ_MAXMSGSIZE, 8), Ok((-5i64).to_ne_bytes().to_vec()));
    assert_eq!(options.set(ZMQ_MAXMSGSIZE, &int(4)), Err(Errno::EINVAL));
    assert_eq!(options.set(ZMQ_AFFINITY, &u64::MAX.to_ne_bytes()), Ok(()));
    assert_eq!(options.get(ZMQ_AFFINITY, 8), Ok(u64::MAX.to_ne_bytes().to_vec()));
    assert_eq!(options.set(ZMQ_AFFINITY, b"abcd"), Err(Errno::EINVAL));
}

#[test]
fn ipv4only_is_the_inverse_of_ipv6() {
    let mut options = dealer();
    assert_eq!(options.set(ZMQ_IPV6, &int(1)), Ok(()));
    assert_eq!(get_int(&options, ZMQ_IPV4ONLY), 0);
    assert_eq!(options.set(ZMQ_IPV4ONLY, &int(1)), Ok(()));
    assert_eq!(get_int(&options, ZMQ_IPV6), 0);
    assert_eq!(options.set(ZMQ_IPV4ONLY, &int(0)), Ok(()));
    assert!(options.ipv6);
}

#[test]
fn busy_poll_is_set_but_never_read() {
    let mut options = dealer();
    assert_eq!(options.set(ZMQ_BUSY_POLL, &int(1)), Ok(()));
    assert_eq!(options.busy_poll, 1);
    assert_eq!(options.get(ZMQ_BUSY_POLL, 4), Err(Errno::EINVAL));
}

#[test]
fn heartbeat_ttl_is_kept_in_deciseconds() {
    let mut options = dealer();
    assert_eq!(options.set(ZMQ_HEARTBEAT_TTL, &int(-50)), Ok(()));
    assert_eq!(get_int(&options, ZMQ_HEARTBEAT_TTL), 0);
    assert_eq!(options.set(ZMQ_HEARTBEAT_TTL, &int(-100)), Err(Errno::EINVAL));
    assert_eq!(options.set(ZMQ_HEARTBEAT_TTL, &int(6_553_599)), Ok(()));
    assert_eq!(get_int(&options, ZMQ_HEARTBEAT_TTL), 6_553_500);
    assert_eq!(options.set(ZMQ_HEARTBEAT_TTL, &int(6_553_600)), Err(Errno::EINVAL));
    assert_eq!(options.set(ZMQ_HEARTBEAT_TTL, &int(150)), Ok(()));
    assert_eq!(get_int(&options, ZMQ_HEARTBEAT_TTL), 100);
    assert_eq!(options.heartbeat_ttl, 1);
    assert_eq!(options.set(ZMQ_HEARTBEAT_TTL, &[0; 2]), Err(Errno::EINVAL));
}

#[test]
fn routing_id() {
    let mut options = dealer();
    // A leading zero byte is accepted here (the oracle agrees).
    assert_eq!(options.set(ZMQ_ROUTING_ID, b"\0abc"), Ok(()));
    assert_eq!(options.get(ZMQ_ROUTING_ID, 10), Ok(b"\0abc".to_vec()));
    assert_eq!(options.get(ZMQ_ROUTING_ID, 4), Ok(b"\0abc".to_vec()));
    assert_eq!(options.get(ZMQ_ROUTING_ID, 3), Err(Errno::EINVAL));
    assert_eq!(options.set(ZMQ_ROUTING_ID, b""), Err(Errno::EINVAL));
    assert_eq!(options.set_null(ZMQ_ROUTING_ID), Err(Errno::EINVAL));
    assert_eq!(options.set(ZMQ_ROUTING_ID, &[b'a'; 255]), Ok(()));
    assert_eq!(options.set(ZMQ_ROUTING_ID, &[b'a'; 256]), Err(Errno::EINVAL));
    assert_eq!(options.routing_id, vec![b'a'; 255]);
}

#[test]
fn string_limits() {
    let big = [b'a'; 300];
    let cases: &[(c_int, usize)] = &[
        (ZMQ_ZAP_DOMAIN, 255),
        (ZMQ_BINDTODEVICE, 16),
        (ZMQ_SOCKS_USERNAME, 255),
        (ZMQ_SOCKS_PASSWORD, 255),
        (ZMQ_PLAIN_USERNAME, 255),
        (ZMQ_PLAIN_PASSWORD, 255),
    ];
    for &(option, max) in cases {
        let mut options = dealer();
        assert_eq!(options.set(option, &big[..max]), Ok(()), "{option}");
        assert_eq!(options.set(option, &big[..max + 1]), Err(Errno::EINVAL), "{option}");
        let mut text = big[..max].to_vec();
        text.push(0);
        assert_eq!(options.get(option, max + 1), Ok(text), "{option}");
        assert_eq!(options.get(option, max), Err(Errno::EINVAL), "{option}");
    }
    let mut options = dealer();
    assert_eq!(options.set(ZMQ_SOCKS_PROXY, &big), Ok(()));
    // Embedded NULs are kept, and read back with the extra NUL.
    assert_eq!(options.set(ZMQ_ZAP_DOMAIN, b"a\0b"), Ok(()));
    assert_eq!(options.get(ZMQ_ZAP_DOMAIN, 10), Ok(b"a\0b\0".to_vec()));
    assert_eq!(options.get(ZMQ_ZAP_DOMAIN, 3), Err(Errno::EINVAL));
}

#[test]
fn empty_and_null_strings() {
    // (option, empty non-NULL accepted, NULL accepted), as the oracle answered.
    let cases: &[(c_int, bool, bool)] = &[
        (ZMQ_ZAP_DOMAIN, false, false),
        (ZMQ_SOCKS_PROXY, false, true),
        (ZMQ_BINDTODEVICE, false, true),
        (ZMQ_SOCKS_USERNAME, true, true),
        (ZMQ_SOCKS_PASSWORD, true, true),
        (ZMQ_PLAIN_USERNAME, false, true),
        (ZMQ_PLAIN_PASSWORD, false, true),
        (ZMQ_TCP_ACCEPT_FILTER, false, true),
        (ZMQ_IPC_FILTER_UID, false, true),
        (ZMQ_IPC_FILTER_GID, false, true),
        (ZMQ_IPC_FILTER_PID, false, true),
        (ZMQ_ROUTING_ID, false, false),
        (ZMQ_METADATA, false, false),
        (ZMQ_HELLO_MSG, true, true),
        (ZMQ_DISCONNECT_MSG, true, true),
        (ZMQ_HICCUP_MSG, true, true),
    ];
    for &(option, empty, null) in cases {
        assert_eq!(dealer().set(option, b"").is_ok(), empty, "{option} empty");
        assert_eq!(dealer().set_null(option).is_ok(), null, "{option} NULL");
    }
    let mut options = dealer();
    assert_eq!(options.set(ZMQ_SOCKS_PROXY, b"proxy:1080"), Ok(()));
    assert_eq!(options.set_null(ZMQ_SOCKS_PROXY), Ok(()));
    assert_eq!(options.get(ZMQ_SOCKS_PROXY, 5), Ok(vec![0]));
    assert_eq!(options.set(ZMQ_SOCKS_USERNAME, b"u"), Ok(()));
    assert_eq!(options.set(ZMQ_SOCKS_USERNAME, b""), Ok(()));
    assert_eq!(options.get(ZMQ_SOCKS_USERNAME, 5), Ok(vec![0]));
}

#[test]
fn plain_switches_the_mechanism() {
    let mut options = dealer();
    assert_eq!(options.set(ZMQ_PLAIN_USERNAME, b"bob"), Ok(()));
    assert_eq!(get_int(&options, ZMQ_MECHANISM), ZMQ_PLAIN);
    assert_eq!(get_int(&options, ZMQ_PLAIN_SERVER), 0);
    // NULL resets the mechanism but keeps the name (as the oracle shows).
    assert_eq!(options.set_null(ZMQ_PLAIN_USERNAME), Ok(()));
    assert_eq!(get_int(&options, ZMQ_MECHANISM), ZMQ_NULL);
    assert_eq!(options.get(ZMQ_PLAIN_USERNAME, 5), Ok(b"bob\0".to_vec()));
    assert_eq!(options.set(ZMQ_PLAIN_SERVER, &int(1)), Ok(()));
    assert_eq!(get_int(&options, ZMQ_MECHANISM), ZMQ_PLAIN);
    assert_eq!(get_int(&options, ZMQ_PLAIN_SERVER), 1);
    assert_eq!(get_int(&options, ZMQ_CURVE_SERVER), 0);
    // A password makes this side a client again.
    assert_eq!(options.set(ZMQ_PLAIN_PASSWORD, b"secret"), Ok(()));
    assert_eq!(get_int(&options, ZMQ_PLAIN_SERVER), 0);
    assert_eq!(options.set(ZMQ_PLAIN_SERVER, &int(0)), Ok(()));
    assert_eq!(get_int(&options, ZMQ_MECHANISM), ZMQ_NULL);
}

#[test]
fn curve_switches_the_mechanism() {
    let mut options = dealer();
    assert_eq!(options.set(ZMQ_CURVE_SERVER, &int(1)), Ok(()));
    assert_eq!(get_int(&options, ZMQ_MECHANISM), ZMQ_CURVE);
    assert_eq!(get_int(&options, ZMQ_CURVE_SERVER), 1);
    assert_eq!(get_int(&options, ZMQ_PLAIN_SERVER), 0);
    assert_eq!(options.set(ZMQ_CURVE_SERVER, &int(0)), Ok(()));
    assert_eq!(get_int(&options, ZMQ_MECHANISM), ZMQ_NULL);

    // A key switches to CURVE; the server key also makes this side a client.
    assert_eq!(options.set(ZMQ_CURVE_SERVER, &int(1)), Ok(()));
    assert_eq!(options.set(ZMQ_CURVE_PUBLICKEY, KEY_Z85), Ok(()));
    assert_eq!(get_int(&options, ZMQ_CURVE_SERVER), 1);
    assert_eq!(options.set(ZMQ_CURVE_SERVERKEY, KEY_Z85), Ok(()));
    assert_eq!(get_int(&options, ZMQ_CURVE_SERVER), 0);
    assert_eq!(get_int(&options, ZMQ_MECHANISM), ZMQ_CURVE);

    let mut options = dealer();
    assert_eq!(options.set(ZMQ_CURVE_SECRETKEY, &[7; 31]), Err(Errno::EINVAL));
    assert_eq!(get_int(&options, ZMQ_MECHANISM), ZMQ_NULL);
    assert_eq!(options.curve_secret_key, None);
    assert_eq!(options.set(ZMQ_CURVE_SECRETKEY, &[7; 32]), Ok(()));
    assert_eq!(options.curve_secret_key, Some([7; 32]));
    assert_eq!(get_int(&options, ZMQ_MECHANISM), ZMQ_CURVE);
}

#[test]
fn curve_key_round_trips() {
    let mut options = dealer();
    assert_eq!(options.set(ZMQ_CURVE_SERVERKEY, KEY_Z85), Ok(()));
    let raw = options.get(ZMQ_CURVE_SERVERKEY, 32).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(raw[..4], [0x54, 0xfc, 0xba, 0x24]);
    let mut text = KEY_Z85.to_vec();
    text.push(0);
    assert_eq!(options.get(ZMQ_CURVE_SERVERKEY, 41), Ok(text.clone()));
    // The 41-byte form, and raw bytes back in.
    let mut other = dealer();
    assert_eq!(other.set(ZMQ_CURVE_SERVERKEY, &text), Ok(()));
    assert_eq!(other.curve_server_key, options.curve_server_key);
    assert_eq!(other.set(ZMQ_CURVE_PUBLICKEY, &raw), Ok(()));
    assert_eq!(other.get(ZMQ_CURVE_PUBLICKEY, 41), Ok(text.clone()));
    // 41 bytes whose last is not NUL; a NUL at 35 (accepted, 28 bytes replaced).
    text[40] = b'x';
    assert_eq!(other.set(ZMQ_CURVE_SECRETKEY, &text), Err(Errno::EINVAL));
    text[40] = 0;
    text[35] = 0;
    let mut third = dealer();
    assert_eq!(third.set(ZMQ_CURVE_SECRETKEY, &text), Ok(()));
    let partial = third.curve_secret_key.unwrap_or_else(|| panic!("key set"));
    assert_eq!(partial[..28], raw[..28]);
    assert_eq!(partial[28..], [0; 4]);
}

#[test]
fn metadata() {
    let cases: &[(&[u8], bool)] = &[
        (b"X-a:b", true),
        (b"X-:bc", true),
        (b"X-a:b:c", true),
        (b"X-:b", false), // 4 bytes: sizeof(int)
        (b"X-a:", false),
        (b"X-ab:", false),
        (b":X-ab", false),
        (b"x-ab:c", false),
        (b"Xa:bc", false),
        (b"X-abc", false),
        (b"", false),
    ];
    for &(text, accepted) in cases {
        assert_eq!(dealer().set(ZMQ_METADATA, text).is_ok(), accepted, "{:?}", String::from_utf8_lossy(text));
    }
    let mut long_name = b"X-".to_vec();
    long_name.extend_from_slice(&[b'n'; 253]);
    long_name.extend_from_slice(b":v");
    assert_eq!(dealer().set(ZMQ_METADATA, &long_name), Ok(()));
    long_name.insert(2, b'n');
    assert_eq!(dealer().set(ZMQ_METADATA, &long_name), Err(Errno::EINVAL));

    // The first value of a name stays; metadata cannot be read back.
    let mut options = dealer();
    assert_eq!(options.set(ZMQ_METADATA, b"X-a:first"), Ok(()));
    assert_eq!(options.set(ZMQ_METADATA, b"X-a:second"), Ok(()));
    assert_eq!(options.app_metadata.get(&b"X-a"[..]), Some(&b"first".to_vec()));
    assert_eq!(options.get(ZMQ_METADATA, 100), Err(Errno::EINVAL));
}

#[test]
fn tcp_accept_filters() {
    let mut options = dealer();
    assert_eq!(options.set(ZMQ_TCP_ACCEPT_FILTER, b"10.0.0.0/8"), Ok(()));
    assert_eq!(options.set(ZMQ_TCP_ACCEPT_FILTER, b"::1"), Err(Errno::EINVAL));
    assert_eq!(options.set(ZMQ_TCP_ACCEPT_FILTER, &[b'1'; 256]), Err(Errno::EINVAL));
    assert_eq!(options.tcp_accept_filters.len(), 1);
    // ZMQ_IPV6 as it is when the filter is added.
    assert_eq!(options.set(ZMQ_IPV6, &int(1)), Ok(()));
    assert_eq!(options.set(ZMQ_TCP_ACCEPT_FILTER, b"::1"), Ok(()));
    assert_eq!(options.set(ZMQ_TCP_ACCEPT_FILTER, b"127.0.0.1/33"), Ok(()));
    assert_eq!(options.tcp_accept_filters.len(), 3);
    assert_eq!(options.set(ZMQ_TCP_ACCEPT_FILTER, b""), Err(Errno::EINVAL));
    assert_eq!(options.get(ZMQ_TCP_ACCEPT_FILTER, 100), Err(Errno::EINVAL));
    assert_eq!(options.set_null(ZMQ_TCP_ACCEPT_FILTER), Ok(()));
    assert!(options.tcp_accept_filters.is_empty());
}

#[test]
fn ipc_filters() {
    let mut options = dealer();
    assert_eq!(options.set(ZMQ_IPC_FILTER_UID, &5u32.to_ne_bytes()), Ok(()));
    assert_eq!(options.set(ZMQ_IPC_FILTER_UID, &5u32.to_ne_bytes()), Ok(()));
    assert_eq!(options.set(ZMQ_IPC_FILTER_UID, &6u32.to_ne_bytes()), Ok(()));
    assert_eq!(options.set(ZMQ_IPC_FILTER_GID, &7u32.to_ne_bytes()), Ok(()));
    assert_eq!(options.set(ZMQ_IPC_FILTER_PID, &(-1i32).to_ne_bytes()), Ok(()));
    assert_eq!(options.ipc_uid_accept_filters.iter().copied().collect::<Vec<_>>(), vec![5, 6]);
    assert_eq!(options.ipc_gid_accept_filters.len(), 1);
    assert_eq!(options.ipc_pid_accept_filters.iter().copied().collect::<Vec<_>>(), vec![-1]);
    assert_eq!(options.set(ZMQ_IPC_FILTER_UID, &[0; 8]), Err(Errno::EINVAL));
    assert_eq!(options.get(ZMQ_IPC_FILTER_UID, 4), Err(Errno::EINVAL));
    assert_eq!(options.set_null(ZMQ_IPC_FILTER_UID), Ok(()));
    assert!(options.ipc_uid_accept_filters.is_empty());
    assert_eq!(options.ipc_gid_accept_filters.len(), 1);
}

#[test]
fn messages_are_set_only() {
    let mut options = dealer();
    for option in [ZMQ_HELLO_MSG, ZMQ_DISCONNECT_MSG, ZMQ_HICCUP_MSG] {
        assert_eq!(options.set(option, b"hi"), Ok(()));
        assert_eq!(options.get(option, 10), Err(Errno::EINVAL));
    }
    assert_eq!(options.hello_msg, b"hi");
    assert_eq!(options.set(ZMQ_HELLO_MSG, b""), Ok(()));
    assert!(options.hello_msg.is_empty());
    assert_eq!(options.hiccup_msg, b"hi");
}

#[test]
fn options_of_parts_this_build_lacks_are_invalid() {
    // zmq_has("gssapi"), ("norm"), ("vmci"), ("WSS") are false here.
    let mut options = dealer();
    for option in [
        ZMQ_GSSAPI_SERVER,
        ZMQ_GSSAPI_PLAINTEXT,
        ZMQ_GSSAPI_PRINCIPAL_NAMETYPE,
        ZMQ_NORM_MODE,
        ZMQ_NORM_PUSH,
        ZMQ_VMCI_CONNECT_TIMEOUT,
        ZMQ_WSS_TRUST_SYSTEM,
    ] {
        assert_eq!(options.set(option, &int(1)), Err(Errno::EINVAL), "{option}");
        assert_eq!(options.get(option, 4), Err(Errno::EINVAL), "{option}");
    }
    assert_eq!(options.set(ZMQ_GSSAPI_PRINCIPAL, b"p"), Err(Errno::EINVAL));
    assert_eq!(options.set(ZMQ_WSS_HOSTNAME, b"h"), Err(Errno::EINVAL));
    assert_eq!(options.set(ZMQ_VMCI_BUFFER_SIZE, &[0; 8]), Err(Errno::EINVAL));
    assert_eq!(options, dealer());
}

#[test]
fn socket_layer_options_are_not_generic() {
    let mut options = dealer();
    for option in [
        ZMQ_SUBSCRIBE,
        ZMQ_UNSUBSCRIBE,
        ZMQ_ROUTER_MANDATORY,
        ZMQ_ROUTER_RAW,
        ZMQ_ROUTER_HANDOVER,
        ZMQ_PROBE_ROUTER,
        ZMQ_REQ_CORRELATE,
        ZMQ_REQ_RELAXED,
        ZMQ_XPUB_VERBOSE,
        ZMQ_XPUB_NODROP,
        ZMQ_STREAM_NOTIFY,
        ZMQ_CONNECT_ROUTING_ID,
        ZMQ_RCVMORE,
        ZMQ_FD,
        ZMQ_EVENTS,
        ZMQ_LAST_ENDPOINT,
        ZMQ_THREAD_SAFE,
        ZMQ_BLOCKY,
        ZMQ_ONLY_FIRST_SUBSCRIBE,
        ZMQ_TOPICS_COUNT,
        9999,
        -1,
    ] {
        assert!(!is_generic_option(option), "{option}");
        assert_eq!(options.set(option, &int(1)), Err(Errno::EINVAL), "{option}");
        assert_eq!(options.get(option, 4), Err(Errno::EINVAL), "{option}");
    }
    // ROUTER_NOTIFY: read here, set by the ROUTER.
    assert!(is_generic_option(ZMQ_ROUTER_NOTIFY));
    assert!(!is_generic_settable(ZMQ_ROUTER_NOTIFY));
    assert!(is_generic_gettable(ZMQ_ROUTER_NOTIFY));
    assert!(!is_generic_settable(ZMQ_TYPE) && !is_generic_settable(ZMQ_MECHANISM));
    assert!(!is_generic_gettable(ZMQ_METADATA) && !is_generic_gettable(ZMQ_TCP_ACCEPT_FILTER));
}

/// Values that some generic option accepts.
fn probes() -> Vec<Option<Vec<u8>>> {
    vec![
        None,
        Some(int(1).to_vec()),
        Some(int(0).to_vec()),
        Some(1u64.to_ne_bytes().to_vec()),
        Some(b"X-a:b".to_vec()),
        Some(b"127.0.0.1".to_vec()),
        Some(vec![7; 32]),
    ]
}

#[test]
fn the_generic_lists_match_what_set_and_get_accept() {
    for option in -5..=200 {
        let settable = probes().iter().any(|probe| dealer().set_raw(option, probe.as_deref()).is_ok());
        assert_eq!(settable, is_generic_settable(option), "set {option}");
        let options = dealer();
        let gettable =
            [0, 1, 4, 8, 32, 41, 300].iter().any(|&capacity| options.get(option, capacity).is_ok());
        // BUSY_POLL is generic but never readable.
        assert_eq!(gettable || option == ZMQ_BUSY_POLL, is_generic_gettable(option), "get {option}");
    }
}

/// A xorshift64 generator.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: u64) -> usize {
        usize::try_from(self.next() % bound).unwrap_or(0)
    }
}

#[test]
fn set_and_get_never_panic() {
    let mut random = XorShift(0x2545_F491_4F6C_DD1D);
    let mut options = dealer();
    let interesting_lengths = [0, 1, 3, 4, 5, 8, 16, 17, 32, 40, 41, 255, 256];
    for round in 0..200_000 {
        let option = random.below(140) as c_int - 5;
        let len = if random.next().is_multiple_of(2) {
            interesting_lengths[random.below(interesting_lengths.len() as u64)]
        } else {
            random.below(64)
        };
        let mut value: Vec<u8> = (0..len).map(|_| random.next() as u8).collect();
        // Sometimes text-like values, to reach the parsers' deeper paths.
        if random.next().is_multiple_of(3) {
            const TEXT: &[u8] = b"0123456789.:/%[]xX-abcdef ";
            for byte in &mut value {
                *byte = TEXT[usize::from(*byte) % TEXT.len()];
            }
        }
        let _ = if len == 0 && random.next().is_multiple_of(2) {
            options.set_null(option)
        } else {
            options.set(option, &value)
        };
        let capacity = if random.next().is_multiple_of(2) {
            [0, 1, 4, 8, 32, 41, 256, 300][random.below(8)]
        } else {
            random.below(300)
        };
        if let Ok(bytes) = options.get(option, capacity) {
            assert!(bytes.len() <= capacity, "round {round}: option {option}");
        }
        if round % 1000 == 0 {
            options = dealer();
        }
    }
}
