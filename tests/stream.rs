//! STREAM sockets talking to plain TCP peers: the id frame before every message,
//! connect and disconnect notifications (ZMQ_STREAM_NOTIFY), closing a peer with an
//! empty frame, EHOSTUNREACH for unknown peers. Loopback only, every wait bounded.

mod engine;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use engine::*;
use zmq::constants::*;
use zmq::{Context, Errno, Msg};

fn raw_client(endpoint: &str) -> TcpStream {
    let stream = TcpStream::connect(endpoint.trim_start_matches("tcp://")).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    stream
}

#[test]
fn a_stream_server_speaks_raw_tcp() {
    let context = Context::new();
    let server = socket(&context, ZMQ_STREAM);
    server.bind("tcp://127.0.0.1:*").unwrap();
    let mut client = raw_client(&last_endpoint(&server));

    // Connecting: the peer's id, then an empty frame; its address is on the frames.
    let id = server.recv(0).unwrap();
    assert!(id.more());
    assert_eq!(id.property(b"Peer-Address").unwrap().to_bytes(), b"127.0.0.1");
    let (id, notification) = (id.data().to_vec(), recv(&server));
    assert_eq!((id.len(), id[0], notification.len()), (5, 0, 0));

    client.write_all(b"GET /\n\n").unwrap();
    assert_eq!(recv_parts(&server), [id.clone(), b"GET /\n\n".to_vec()]);

    // Data frames go out as raw bytes (their MORE flag means nothing here); an
    // empty frame closes the connection once what came before is written.
    send_parts(&server, &[&id, b"HTTP/1.0 200 OK\r\n\r\nhi"]);
    send_parts(&server, &[&id, b""]);
    let mut reply = Vec::new();
    client.read_to_end(&mut reply).unwrap();
    assert_eq!(reply, b"HTTP/1.0 200 OK\r\n\r\nhi");

    // Unknown peers are refused.
    let mut unknown = Msg::from_slice(b"\0nope").unwrap();
    assert_eq!(server.send(&mut unknown, ZMQ_SNDMORE), Err(Errno::EHOSTUNREACH));
    finish(context, [server]);
}

#[test]
fn disconnection_is_notified_unless_turned_off() {
    let context = Context::new();
    let notifying = socket(&context, ZMQ_STREAM);
    notifying.bind("tcp://127.0.0.1:*").unwrap();
    let client = raw_client(&last_endpoint(&notifying));
    let id = recv_parts(&notifying)[0].clone();
    drop(client);
    assert_eq!(recv_parts(&notifying), [id, Vec::new()]);

    let quiet = socket(&context, ZMQ_STREAM);
    quiet.set_option(ZMQ_STREAM_NOTIFY, Some(&int(0))).unwrap();
    quiet.bind("tcp://127.0.0.1:*").unwrap();
    let mut client = raw_client(&last_endpoint(&quiet));
    client.write_all(b"data").unwrap();
    let parts = recv_parts(&quiet);
    assert_eq!(parts[1], b"data", "no empty connect notification first");
    finish(context, [notifying, quiet]);
}

#[test]
fn a_raw_router_is_a_stream_with_router_sending_rules() {
    let context = Context::new();
    let router = socket(&context, ZMQ_ROUTER);
    router.set_option(ZMQ_ROUTER_RAW, Some(&int(1))).unwrap();
    // One way only, as libzmq: 0 leaves it raw; negative values are refused.
    router.set_option(ZMQ_ROUTER_RAW, Some(&int(0))).unwrap();
    assert_eq!(router.set_option(ZMQ_ROUTER_RAW, Some(&int(-1))), Err(Errno::EINVAL));
    router.bind("tcp://127.0.0.1:*").unwrap();
    let mut client = raw_client(&last_endpoint(&router));

    // A generated 5-byte id and a connect notification, as STREAM.
    let id = router.recv(0).unwrap().data().to_vec();
    assert_eq!((id.len(), id[0], recv(&router).len()), (5, 0, 0));
    assert_eq!(router.option(ZMQ_ROUTING_ID, 255).unwrap(), id);
    client.write_all(b"ping").unwrap();
    assert_eq!(recv_parts(&router), [id.clone(), b"ping".to_vec()]);

    // Unlike STREAM, an id frame without MORE is dropped and the next frame names
    // the peer again; the data frame's MORE flag is ignored.
    send(&router, &id);
    router.send(&mut Msg::from_slice(&id).unwrap(), ZMQ_SNDMORE).unwrap();
    router.send(&mut Msg::from_slice(b"pong").unwrap(), ZMQ_SNDMORE).unwrap();
    // An unknown peer is dropped silently (ROUTER_MANDATORY is off).
    send_parts(&router, &[b"nobody", b"lost"]);
    // An empty data frame closes the connection after what was written.
    send_parts(&router, &[&id, b""]);
    let mut received = Vec::new();
    client.read_to_end(&mut received).unwrap();
    assert_eq!(received, b"pong");
    finish(context, [router]);
}

#[test]
fn data_and_a_hang_up_that_come_together_are_both_seen() {
    // The FIN often arrives with the data, in one readiness event: the session must
    // read on to the end of the stream then, not stop at the short read.
    let context = Context::new();
    let server = socket(&context, ZMQ_STREAM);
    server.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = last_endpoint(&server);
    for round in 0..20u8 {
        let mut client = raw_client(&endpoint);
        let id = recv_parts(&server)[0].clone();
        client.write_all(&[b'x', round]).unwrap();
        client.shutdown(std::net::Shutdown::Write).unwrap();
        assert_eq!(recv_parts(&server), [id.clone(), vec![b'x', round]]);
        assert_eq!(recv_parts(&server), [id, Vec::new()], "round {round}: the hang-up");
    }
    finish(context, [server]);
}
