//! tcp connects through a SOCKS5 proxy (`ZMQ_SOCKS_PROXY`, `ZMQ_SOCKS_USERNAME`,
//! `ZMQ_SOCKS_PASSWORD`): a proxy written here checks what it is asked, then relays
//! to the target. Loopback only; every wait bounded.

mod engine;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use engine::*;
use zmq::constants::*;
use zmq::{Context, Errno};

/// What the proxy saw of one client.
#[derive(Debug, PartialEq, Eq)]
struct Request {
    methods: Vec<u8>,
    credentials: Option<(Vec<u8>, Vec<u8>)>,
    /// The address type and address bytes of CONNECT, and the port.
    address: (u8, Vec<u8>),
    port: u16,
}

/// A one-client SOCKS5 proxy on a free port: it accepts `password` (or no
/// authentication when `None`), connects to 127.0.0.1 at the requested port whatever
/// the address asked, relays until either side closes, and returns what it was asked.
fn proxy(password: Option<&'static [u8]>) -> (String, thread::JoinHandle<std::io::Result<Request>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let handle = thread::spawn(move || {
        let (mut client, _) = listener.accept()?;
        client.set_read_timeout(Some(Duration::from_secs(5)))?;
        let byte = |client: &mut TcpStream| -> std::io::Result<u8> {
            let mut one = [0u8];
            client.read_exact(&mut one)?;
            Ok(one[0])
        };
        let bytes = |client: &mut TcpStream, n: usize| -> std::io::Result<Vec<u8>> {
            let mut buffer = vec![0u8; n];
            client.read_exact(&mut buffer)?;
            Ok(buffer)
        };
        assert_eq!(byte(&mut client)?, 5);
        let count = byte(&mut client)?;
        let methods = bytes(&mut client, count.into())?;
        let wanted = if password.is_some() { 2 } else { 0 };
        let chosen = if methods.contains(&wanted) { wanted } else { 0xff };
        client.write_all(&[5, chosen])?;
        let mut credentials = None;
        if chosen == 2 {
            assert_eq!(byte(&mut client)?, 1);
            let length = byte(&mut client)?;
            let username = bytes(&mut client, length.into())?;
            let length = byte(&mut client)?;
            let given = bytes(&mut client, length.into())?;
            let good = Some(given.as_slice()) == password;
            client.write_all(&[1, u8::from(!good)])?;
            credentials = Some((username, given));
        }
        let header = bytes(&mut client, 4)?;
        assert_eq!(header[..3], [5, 1, 0], "CONNECT");
        let address = match header[3] {
            1 => bytes(&mut client, 4)?,
            4 => bytes(&mut client, 16)?,
            _ => {
                let length = byte(&mut client)?;
                bytes(&mut client, length.into())?
            }
        };
        let port = u16::from_be_bytes(bytes(&mut client, 2)?.try_into().unwrap());
        let target = TcpStream::connect(("127.0.0.1", port))?;
        client.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 1])?;
        client.set_read_timeout(None)?;
        relay(client, target);
        Ok(Request { methods, credentials, address: (header[3], address), port })
    });
    (address, handle)
}

/// Copies bytes both ways until one side closes.
fn relay(client: TcpStream, target: TcpStream) {
    let (mut client_in, mut target_out) = (client.try_clone().unwrap(), target.try_clone().unwrap());
    let up = thread::spawn(move || {
        let _ = std::io::copy(&mut client_in, &mut target_out);
        let _ = target_out.shutdown(Shutdown::Write);
    });
    let (mut target_in, mut client_out) = (target, client);
    let _ = std::io::copy(&mut target_in, &mut client_out);
    let _ = client_out.shutdown(Shutdown::Write);
    let _ = up.join();
}

fn port_of(endpoint: &str) -> u16 {
    endpoint.rsplit_once(':').unwrap().1.parse().unwrap()
}

#[test]
fn a_connect_through_the_proxy_names_the_target_and_carries_messages() {
    let context = Context::new();
    let push = socket(&context, ZMQ_PUSH);
    push.bind("tcp://127.0.0.1:*").unwrap();
    let port = port_of(&last_endpoint(&push));
    let (proxy_address, proxy) = proxy(None);
    let pull = socket(&context, ZMQ_PULL);
    pull.set_option(ZMQ_SOCKS_PROXY, Some(proxy_address.as_bytes())).unwrap();
    // A name: the proxy resolves it, not us.
    pull.connect(&format!("tcp://nowhere.invalid:{port}")).unwrap();
    send(&push, b"through the proxy");
    assert_eq!(recv(&pull), b"through the proxy");
    finish(context, [push, pull]);
    let request = proxy.join().unwrap().unwrap();
    assert_eq!(request.methods, [0], "no authentication offered alone");
    assert_eq!(request.address, (3, b"nowhere.invalid".to_vec()));
    assert_eq!(request.port, port);
}

#[test]
fn credentials_go_to_the_proxy_when_a_username_is_set() {
    let context = Context::new();
    let push = socket(&context, ZMQ_PUSH);
    push.bind("tcp://127.0.0.1:*").unwrap();
    let port = port_of(&last_endpoint(&push));
    let (proxy_address, proxy) = proxy(Some(b"somepass"));
    let pull = socket(&context, ZMQ_PULL);
    pull.set_option(ZMQ_SOCKS_PROXY, Some(proxy_address.as_bytes())).unwrap();
    pull.set_option(ZMQ_SOCKS_USERNAME, Some(b"someuser")).unwrap();
    pull.set_option(ZMQ_SOCKS_PASSWORD, Some(b"somepass")).unwrap();
    pull.connect(&format!("tcp://127.0.0.1:{port}")).unwrap();
    send(&push, b"authenticated");
    assert_eq!(recv(&pull), b"authenticated");
    finish(context, [push, pull]);
    let request = proxy.join().unwrap().unwrap();
    assert_eq!(request.methods, [2]);
    assert_eq!(request.credentials, Some((b"someuser".to_vec(), b"somepass".to_vec())));
    assert_eq!(request.address, (1, vec![127, 0, 0, 1]));
}

#[test]
fn a_proxy_that_refuses_the_credentials_connects_nothing() {
    let context = Context::new();
    let push = socket(&context, ZMQ_PUSH);
    push.bind("tcp://127.0.0.1:*").unwrap();
    let port = port_of(&last_endpoint(&push));
    let (proxy_address, proxy) = proxy(Some(b"right"));
    let pull = socket(&context, ZMQ_PULL);
    pull.set_option(ZMQ_RCVTIMEO, Some(&int(300))).unwrap();
    pull.set_option(ZMQ_SOCKS_PROXY, Some(proxy_address.as_bytes())).unwrap();
    pull.set_option(ZMQ_SOCKS_USERNAME, Some(b"someuser")).unwrap();
    pull.set_option(ZMQ_SOCKS_PASSWORD, Some(b"wrong")).unwrap();
    let events = watch(&context, ZMQ_EVENT_CONNECTED | ZMQ_EVENT_CLOSED, &pull, "inproc://socks-events");
    pull.connect(&format!("tcp://127.0.0.1:{port}")).unwrap();
    // The proxy said no: the attempt is closed, never connected.
    assert_eq!(event_v1(&events).0, ZMQ_EVENT_CLOSED);
    let _ = push.send(&mut zmq::Msg::from_slice(b"lost").unwrap(), ZMQ_DONTWAIT);
    assert_eq!(pull.recv(0).map(|_| ()), Err(Errno::EAGAIN));
    finish(context, [push, pull, events]);
    // The proxy thread ends when the refused client goes: its CONNECT never came.
    assert!(proxy.join().unwrap().is_err());
}
