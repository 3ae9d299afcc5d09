//! CURVE under attack. In the first mode a CURVE client and server (fixed keys,
//! reproducible randomness, ZAP verdict from the input) talk through a channel the
//! input tampers with: bytes passed on, bits flipped, streams cut short or replaced.
//! Untampered, the handshake must succeed and messages must arrive intact; tampered,
//! nothing may panic and failures must be final. In the second mode the input is
//! the raw bytes of a CURVE peer, straight after its greeting.
#![no_main]

use std::time::Instant;

use libfuzzer_sys::fuzz_target;
use zmq::constants::{ZMQ_DEALER, ZMQ_ROUTER};
use zmq::msg::Msg;
use zmq::util::curve_keys::public_key;
use zmq::zmtp::{Config, Connection, Event, ProtocolError, RandomSource, RandomUnavailable, Security};

/// Reproducible randomness.
struct Seeded(u64);

impl RandomSource for Seeded {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), RandomUnavailable> {
        for byte in dest {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            *byte = (self.0 >> 56) as u8;
        }
        Ok(())
    }
}

const SERVER_SECRET: [u8; 32] = [0x53; 32];
const CLIENT_SECRET: [u8; 32] = [0x43; 32];

fn configs(selector: u8) -> (Config, Config) {
    let mut client = Config::new(ZMQ_DEALER);
    client.security = Security::CurveClient {
        public_key: public_key(&CLIENT_SECRET),
        secret_key: CLIENT_SECRET,
        server_key: public_key(&SERVER_SECRET),
    };
    let mut server = Config::new(ZMQ_ROUTER);
    server.security = Security::CurveServer { secret_key: SERVER_SECRET };
    server.zap_handler = selector & 0x01 != 0;
    (client, server)
}

fn zap_reply(status: &[u8]) -> Vec<Msg> {
    let frames: [&[u8]; 7] = [b"", b"1.0", b"1", status, b"", b"user", b""];
    let last = frames.len() - 1;
    frames
        .iter()
        .enumerate()
        .map(|(i, frame)| {
            let mut msg = Msg::from_vec(frame.to_vec());
            msg.set_more(i < last);
            msg
        })
        .collect()
}

/// One side and what became of it.
struct End {
    connection: Connection,
    error: Option<ProtocolError>,
    received: Vec<Msg>,
}

impl End {
    fn record(&mut self, outcome: Result<(), ProtocolError>) {
        match (&self.error, outcome) {
            (Some(_), outcome) => assert!(outcome.is_err(), "a failed connection came back"),
            (None, Err(error)) => self.error = Some(error),
            (None, Ok(())) => {}
        }
    }

    fn events(&mut self, status: &[u8], now: Instant) {
        while let Some(event) = self.connection.poll_event() {
            match event {
                Event::ZapRequest(_) => {
                    let outcome = self.connection.zap_reply(&zap_reply(status), now);
                    self.record(outcome);
                }
                Event::Message(msg) => self.received.push(msg),
                _ => {}
            }
        }
    }
}

/// The tampering channel.
fn tampered(selector: u8, mut script: &[u8]) {
    let now = Instant::now();
    let status: &[u8] = [b"200", b"300", b"400", b"500"][usize::from((selector >> 1) & 3)];
    let (client, server) = configs(selector);
    let mut ends = [
        End {
            connection: Connection::with_random(client, now, Box::new(Seeded(1))),
            error: None,
            received: vec![],
        },
        End {
            connection: Connection::with_random(server, now, Box::new(Seeded(2))),
            error: None,
            received: vec![],
        },
    ];
    let mut damaged = false;
    let mut sent: Vec<Vec<u8>> = Vec::new();
    // Each action: which side's output moves, and how.
    while let Some((&action, rest)) = script.split_first() {
        script = rest;
        let from = usize::from(action & 1);
        let to = 1 - from;
        let mut bytes = ends[from].connection.pending_output().to_vec();
        ends[from].connection.consume(bytes.len());
        match action >> 5 {
            0..=3 => {}
            4 | 5 => {
                if let (Some((&at, rest)), false) = (script.split_first(), bytes.is_empty()) {
                    script = rest;
                    let at = usize::from(at) * 7 % bytes.len();
                    bytes[at] ^= 1 << ((action >> 1) & 7);
                    damaged = true;
                }
            }
            6 => {
                let keep = usize::from(action & 0x1e) * 3;
                damaged |= keep < bytes.len();
                bytes.truncate(keep);
            }
            _ => {
                let n = usize::from(action & 0x1e).min(script.len());
                bytes = script[..n].to_vec();
                script = &script[n..];
                damaged = true;
            }
        }
        if ends[to].error.is_none() && !bytes.is_empty() {
            let outcome = ends[to].connection.handle_input(&bytes, now);
            ends[to].record(outcome);
        }
        for end in &mut ends {
            end.events(status, now);
        }
        // Once ready, say something.
        if ends[0].connection.is_ready() && ends[0].error.is_none() && sent.len() < 4 {
            let mut msg = Msg::from_vec(vec![action; usize::from(action)]);
            msg.set_more(action & 2 != 0);
            if ends[0].connection.send(msg).is_ok() {
                sent.push(vec![action; usize::from(action)]);
            }
        }
    }
    // Then an honest channel until both are quiet.
    loop {
        let mut moved = false;
        for from in 0..2 {
            let bytes = ends[from].connection.pending_output().to_vec();
            ends[from].connection.consume(bytes.len());
            if !bytes.is_empty() && ends[1 - from].error.is_none() {
                moved = true;
                let outcome = ends[1 - from].connection.handle_input(&bytes, now);
                ends[1 - from].record(outcome);
            }
            for end in &mut ends {
                end.events(status, now);
            }
        }
        if !moved {
            break;
        }
    }
    let accepted = selector & 0x01 == 0 || status == b"200";
    if !damaged && accepted {
        assert!(
            ends[0].error.is_none() && ends[1].error.is_none(),
            "{:?} {:?}",
            ends[0].error,
            ends[1].error
        );
        assert!(ends[0].connection.is_ready() && ends[1].connection.is_ready());
        let received: Vec<&[u8]> = ends[1].received.iter().map(Msg::data).collect();
        let sent: Vec<&[u8]> = sent.iter().map(Vec::as_slice).collect();
        assert_eq!(received, sent);
    }
    if !accepted {
        assert!(!ends[1].connection.is_ready());
    }
}

/// The raw-peer mode.
fn raw_peer(selector: u8, input: &[u8]) {
    let now = Instant::now();
    let (client, server) = configs(selector);
    let config = if selector & 0x02 != 0 { client } else { server };
    let mut connection = Connection::with_random(config, now, Box::new(Seeded(3)));
    let mut greeting = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 1];
    greeting.extend_from_slice(b"CURVE");
    greeting.resize(64, 0);
    assert!(connection.handle_input(&greeting, now).is_ok());
    let chunk = usize::from(selector >> 2 & 0x1f) * 13 + 1;
    let mut failed = false;
    for piece in input.chunks(chunk) {
        let outcome = connection.handle_input(piece, now);
        assert!(!(failed && outcome.is_ok()), "a failed connection came back");
        failed |= outcome.is_err();
        while let Some(event) = connection.poll_event() {
            if let Event::ZapRequest(_) = event {
                failed |= connection.zap_reply(&zap_reply(b"200"), now).is_err();
            }
        }
        let pending = connection.pending_output().len();
        connection.consume(pending);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else { return };
    if selector & 0x80 != 0 {
        raw_peer(selector, input);
    } else {
        tampered(selector, input);
    }
});
