//! The HTTP/1.1 head of a WebSocket upgrade, read a byte at a time the way
//! libzmq's `ws_engine` reads it: a start line that must match a fixed pattern, then
//! `Name: value` header lines, then an empty line. Anything else fails at the first
//! byte that cannot fit, so a peer speaking another protocol (a ZMTP greeting, say)
//! is refused at once. Memory is bounded: names up to 1024 bytes, values up to 2048
//! (libzmq's `MAX_HEADER_NAME_LENGTH`, `MAX_HEADER_VALUE_LENGTH`); the start line is
//! matched, never stored.

/// libzmq's `MAX_HEADER_NAME_LENGTH`.
const MAX_NAME: usize = 1024;
/// libzmq's `MAX_HEADER_VALUE_LENGTH`.
const MAX_VALUE: usize = 2048;

/// One piece of a start line's pattern.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Piece {
    /// These bytes, exactly.
    Literal(&'static [u8]),
    /// One or more spaces.
    Spaces,
    /// One or more bytes that are not space, CR or LF (the request's resource).
    Word,
}

/// `GET <resource> HTTP/1.1` (spaces may repeat after `GET`, not before `HTTP`).
pub(crate) const REQUEST_LINE: &[Piece] =
    &[Piece::Literal(b"GET"), Piece::Spaces, Piece::Word, Piece::Literal(b" HTTP/1.1\r\n")];

/// `HTTP/1.1 101 Switching Protocols` (spaces may repeat between the parts).
pub(crate) const STATUS_LINE: &[Piece] = &[
    Piece::Literal(b"HTTP/1.1"),
    Piece::Spaces,
    Piece::Literal(b"101"),
    Piece::Spaces,
    Piece::Literal(b"Switching Protocols\r\n"),
];

/// The input does not make a head libzmq would read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed;

/// What one byte completed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Step<'a> {
    /// Nothing yet.
    More,
    /// A header line with a value (lines with an empty value are skipped, as libzmq
    /// does). The value keeps any trailing spaces; leading ones are gone.
    Header { name: &'a [u8], value: &'a [u8] },
    /// The empty line: the head is complete.
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// In the start line: at `piece`, `matched` bytes into it.
    StartLine {
        piece: usize,
        matched: usize,
    },
    /// At the start of a header line (or the final empty line).
    LineStart,
    Name,
    /// After the colon, skipping spaces.
    BeforeValue,
    Value,
    /// After a header line's CR.
    LineCr,
    /// After the empty line's CR.
    EndCr,
    Done,
    Failed,
}

/// An HTTP head being read.
#[derive(Debug)]
pub(crate) struct Head {
    start_line: &'static [Piece],
    state: State,
    name: Vec<u8>,
    value: Vec<u8>,
}

impl Head {
    pub(crate) fn new(start_line: &'static [Piece]) -> Head {
        Head {
            start_line,
            state: State::StartLine { piece: 0, matched: 0 },
            name: Vec::new(),
            value: Vec::new(),
        }
    }

    /// Reads one byte. After an error or the end, every later byte is an error.
    pub(crate) fn step(&mut self, byte: u8) -> Result<Step<'_>, Malformed> {
        let next = match self.state {
            State::StartLine { piece, matched } => self.start_line_step(piece, matched, byte)?,
            State::LineStart => match byte {
                b'\r' => State::EndCr,
                b'\n' => return self.fail(),
                _ => {
                    self.name.clear();
                    self.name.push(byte);
                    State::Name
                }
            },
            State::Name => match byte {
                b'\r' | b'\n' => return self.fail(),
                b':' => State::BeforeValue,
                _ if self.name.len() >= MAX_NAME => return self.fail(),
                _ => {
                    self.name.push(byte);
                    State::Name
                }
            },
            State::BeforeValue => match byte {
                b'\n' => return self.fail(),
                b'\r' => State::LineCr,
                b' ' => State::BeforeValue,
                _ => {
                    self.value.clear();
                    self.value.push(byte);
                    State::Value
                }
            },
            State::Value => match byte {
                b'\n' => return self.fail(),
                b'\r' => {
                    self.state = State::LineCr;
                    return Ok(Step::Header { name: &self.name, value: &self.value });
                }
                _ if self.value.len() >= MAX_VALUE => return self.fail(),
                _ => {
                    self.value.push(byte);
                    State::Value
                }
            },
            State::LineCr => match byte {
                b'\n' => State::LineStart,
                _ => return self.fail(),
            },
            State::EndCr => match byte {
                b'\n' => {
                    self.state = State::Done;
                    return Ok(Step::End);
                }
                _ => return self.fail(),
            },
            State::Done | State::Failed => return self.fail(),
        };
        self.state = next;
        Ok(Step::More)
    }

    fn fail(&mut self) -> Result<Step<'_>, Malformed> {
        self.state = State::Failed;
        Err(Malformed)
    }

    /// The start line after `byte`, or an error if it cannot match any more.
    fn start_line_step(
        &mut self,
        mut piece: usize,
        mut matched: usize,
        byte: u8,
    ) -> Result<State, Malformed> {
        loop {
            let Some(&current) = self.start_line.get(piece) else {
                self.state = State::Failed;
                return Err(Malformed);
            };
            let accepted = match current {
                Piece::Literal(text) => text.get(matched) == Some(&byte),
                Piece::Spaces => byte == b' ',
                Piece::Word => !matches!(byte, b' ' | b'\r' | b'\n'),
            };
            if accepted {
                matched += 1;
                let complete = matches!(current, Piece::Literal(text) if matched == text.len());
                if !complete {
                    return Ok(State::StartLine { piece, matched });
                }
                if piece + 1 == self.start_line.len() {
                    return Ok(State::LineStart);
                }
                return Ok(State::StartLine { piece: piece + 1, matched: 0 });
            }
            // A run of spaces or word bytes ends at the first byte that is not one:
            // that byte belongs to the next piece.
            let run_ended = matches!(current, Piece::Spaces | Piece::Word) && matched > 0;
            if !run_ended {
                self.state = State::Failed;
                return Err(Malformed);
            }
            piece += 1;
            matched = 0;
        }
    }
}

/// Whether `a` and `b` are equal ignoring ASCII case (libzmq's `strcasecmp`).
pub(crate) fn same_text(a: &[u8], b: &str) -> bool {
    a.eq_ignore_ascii_case(b.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `input`; the headers seen and whether the head ended, or the offset of
    /// the first byte refused.
    fn read(start_line: &'static [Piece], input: &[u8]) -> Result<(Vec<(String, String)>, bool), usize> {
        let mut head = Head::new(start_line);
        let mut headers = Vec::new();
        for (offset, &byte) in input.iter().enumerate() {
            match head.step(byte) {
                Ok(Step::More) => {}
                Ok(Step::Header { name, value }) => headers.push((
                    String::from_utf8_lossy(name).into_owned(),
                    String::from_utf8_lossy(value).into_owned(),
                )),
                Ok(Step::End) => return Ok((headers, true)),
                Err(Malformed) => return Err(offset),
            }
        }
        Ok((headers, false))
    }

    #[test]
    fn a_request_head() {
        let input = b"GET   /path?x=1 HTTP/1.1\r\nHost: h\r\nX:   spaced  \r\nEmpty:\r\nE2:  \r\n\r\n";
        let (headers, ended) = read(REQUEST_LINE, input).unwrap();
        assert!(ended);
        let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        assert_eq!(pairs, [("Host", "h"), ("X", "spaced  ")]);
    }

    #[test]
    fn a_status_line() {
        let (_, ended) = read(STATUS_LINE, b"HTTP/1.1  101   Switching Protocols\r\n\r\n").unwrap();
        assert!(ended);
        assert_eq!(read(STATUS_LINE, b"HTTP/1.1 200 OK\r\n"), Err(9));
        assert_eq!(read(STATUS_LINE, b"HTTP/1.0 101"), Err(7));
        assert_eq!(read(STATUS_LINE, b"HTTP/1.1101"), Err(8));
    }

    #[test]
    fn bad_request_lines_fail_at_the_first_wrong_byte() {
        assert_eq!(read(REQUEST_LINE, b"POST / HTTP/1.1\r\n"), Err(0));
        assert_eq!(read(REQUEST_LINE, b"\xff\0\0\0\0\0\0\0\x01\x7f"), Err(0));
        assert_eq!(read(REQUEST_LINE, b"GET/ HTTP/1.1"), Err(3));
        assert_eq!(read(REQUEST_LINE, b"GET \r\n"), Err(4));
        assert_eq!(read(REQUEST_LINE, b"GET /  HTTP/1.1"), Err(6));
        assert_eq!(read(REQUEST_LINE, b"GET / HTTP/1.0"), Err(13));
        assert_eq!(read(REQUEST_LINE, b"GET / HTTP/1.1\n"), Err(14));
    }

    #[test]
    fn bad_header_lines() {
        let line = |rest: &[u8]| {
            let mut input = b"GET / HTTP/1.1\r\n".to_vec();
            input.extend_from_slice(rest);
            read(REQUEST_LINE, &input).map_err(|offset| offset - 16)
        };
        assert_eq!(line(b"\n"), Err(0));
        assert_eq!(line(b"Name\r\n"), Err(4));
        assert_eq!(line(b"Name: v\n"), Err(7));
        assert_eq!(line(b"Name: v\rX"), Err(8));
        assert_eq!(line(b"\rX"), Err(1));
        let mut long_name = vec![b'n'; MAX_NAME];
        long_name.extend_from_slice(b": v\r\n\r\n");
        assert!(line(&long_name).is_ok());
        long_name.insert(0, b'n');
        assert_eq!(line(&long_name), Err(MAX_NAME));
        let mut long_value = b"N: ".to_vec();
        long_value.extend(vec![b'v'; MAX_VALUE]);
        long_value.extend_from_slice(b"\r\n\r\n");
        assert!(line(&long_value).is_ok());
        long_value.insert(3, b'v');
        assert_eq!(line(&long_value), Err(3 + MAX_VALUE));
    }

    #[test]
    fn nothing_after_the_end() {
        let mut head = Head::new(REQUEST_LINE);
        for &byte in b"GET / HTTP/1.1\r\n\r" {
            assert_eq!(head.step(byte), Ok(Step::More));
        }
        assert_eq!(head.step(b'\n'), Ok(Step::End));
        assert_eq!(head.step(b'G'), Err(Malformed));
    }

    #[test]
    fn case_insensitive_comparison() {
        assert!(same_text(b"WebSocket", "websocket"));
        assert!(!same_text(b"websockets", "websocket"));
    }
}
