# The two set-up commands of the README:
#   make install   build the release library and install it into $(PREFIX) (default
#                  ./dist), then compile and run a hello-world C program against it
#   make test      every test: fmt, clippy, Rust unit and integration tests, and the
#                  C programs of capi-tests/ against ours and the system libzmq
PREFIX ?= ./dist

.PHONY: install test header deps

install:
	scripts/install.sh --prefix "$(PREFIX)"

test: deps
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo test

# Rewrites include/zmq.h from cbindgen's output (after changing src/ffi or constants).
header:
	ZMQ_BLESS_HEADER=1 cargo test --test header_is_current

deps:
	scripts/deps.sh
