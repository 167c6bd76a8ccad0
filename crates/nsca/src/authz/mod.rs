//! Granular authorization of check results (`--authz FILE`).
//!
//! NSCA carries no client identity: a packet only proves that its sender knew the
//! password and decryption method.
//! The server therefore identifies a connection's credential by *trial decryption*
//! of its first packet: the credentials the server knows are tried in order (the
//! `password` and `decryption_method` of `nsca.cfg`, then each credential named by a
//! rule that covers the client's address, in file order), each with a fresh cipher,
//! and the first one for which both the packet version (3) and the CRC-32 check out
//! is the connection's credential; it decrypts the rest of the connection.
//! When none does, the packet is rejected and the connection closed, as 2.10 does
//! with a wrong password.
//! Every result of the connection is then checked against the rules below, and a
//! denied result is logged and never written to the command file.
//!
//! The rules live in their own file so that `nsca.cfg` stays readable by the C
//! daemon (which rejects unknown keys).
//!
//! # File format
//!
//! One rule per line; empty lines and lines starting with `#` are ignored.
//! A rule is an action followed by `key=value` fields separated by blanks:
//!
//! ```text
//! # action  fields...
//! allow from=10.0.0.0/8,2001:db8::/32 method=14 password="s3cret pw" host=web* service=HTTP*
//! allow from=192.0.2.7 host=db01 service=""
//! deny  from=*
//! ```
//!
//! * `allow` or `deny` — what happens to a result the rule matches.
//! * `from=NETS` — comma-separated IPv4/IPv6 addresses or CIDR ranges (`10.0.0.0/8`,
//!   `::1`, `fe80::/10`), or `*` for any client (the default).
//!   IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) are normalised to IPv4, both in
//!   the rules and for the connecting client, so `10.0.0.0/8` also matches a client
//!   reaching a dual-stack socket as `::ffff:10.1.2.3`.
//! * `method=N` — decryption method number (as in `nsca.cfg`).
//! * `password=VALUE` — the shared password.
//!   When a rule names `method` or `password`, the other one defaults to the value
//!   in `nsca.cfg`, and the rule only matches connections whose first packet
//!   decrypted with exactly that credential.
//!   When a rule names neither, it matches any credential the server accepts.
//! * `host=GLOB` — glob on the host name (default `*`).
//! * `service=GLOB` — glob on the service description (default `*`).
//!   Host checks have an empty service description: `service=""` matches only host
//!   checks, `service=?*` only service checks.
//!
//! Values may be double-quoted; inside quotes `\"`, `\\` and `\xNN` (one byte in
//! hex) are escapes, so a password may contain blanks or non-UTF-8 bytes.
//! Globs work on bytes: `*` matches any run of bytes (including none), `?` exactly
//! one byte, `[abc]`, `[a-z]` and `[!a-z]` a byte class, and `\c` the byte `c`.
//!
//! The first rule whose `from`, credential, `host` and `service` all match decides.
//! A result that no rule matches is **denied**, so an authz file without rules
//! denies everything.
//!
//! Files: `rule` (credentials, rules, queries and decisions), `net` (client networks),
//! `glob` (host and service globs), `policy` ([`Authz`]: candidates and decisions),
//! `parse` ([`Authz::parse`], pure), `load` ([`Authz::load`], the only part that reads
//! a file) and `error`.

mod error;
mod glob;
mod load;
mod net;
mod parse;
mod policy;
mod rule;

pub use error::{AuthzError, AuthzErrorKind};
pub use glob::Glob;
pub use net::IpNet;
pub use policy::Authz;
pub use rule::{Action, Credential, CredentialMatch, Decision, Query, Rule};
