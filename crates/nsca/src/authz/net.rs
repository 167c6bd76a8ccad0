//! Client networks of `from=`: IPv4/IPv6 addresses and CIDR ranges.

use std::fmt;
use std::net::IpAddr;

use super::error::AuthzErrorKind;

/// An IPv4 or IPv6 network (address and prefix length), IPv4-mapped normalised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Parses `ADDR` or `ADDR/PREFIX`; IPv4-mapped IPv6 becomes IPv4 (prefix − 96).
    pub fn parse(text: &str) -> Result<Self, AuthzErrorKind> {
        let bad = || AuthzErrorKind::BadAddress(text.to_owned());
        let (addr_text, prefix_text) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let addr: IpAddr = addr_text.parse().map_err(|_| bad())?;
        let max = match addr {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        let prefix = match prefix_text {
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<u8>().ok().filter(|&n| n <= max).ok_or_else(bad)?
            }
            Some(_) => return Err(bad()),
            None => max,
        };
        Ok(Self::new(addr, prefix))
    }

    /// Builds a network, normalising IPv4-mapped IPv6 addresses to IPv4.
    pub fn new(addr: IpAddr, prefix: u8) -> Self {
        match addr {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) if prefix >= 96 => Self {
                    addr: IpAddr::V4(v4),
                    prefix: prefix - 96,
                },
                _ => Self {
                    addr,
                    prefix: prefix.min(128),
                },
            },
            IpAddr::V4(_) => Self {
                addr,
                prefix: prefix.min(32),
            },
        }
    }

    /// Whether `ip` (normalised the same way) lies inside this network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                prefix_eq(&net.octets(), &ip.octets(), self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                prefix_eq(&net.octets(), &ip.octets(), self.prefix)
            }
            _ => false,
        }
    }
}

impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

fn prefix_eq(a: &[u8], b: &[u8], prefix: u8) -> bool {
    let full = usize::from(prefix / 8);
    let rest = prefix % 8;
    if a.get(..full) != b.get(..full) {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    match (a.get(full), b.get(full)) {
        (Some(x), Some(y)) => x & mask == y & mask,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn net_normalises_v4_mapped() {
        let net = IpNet::parse("::ffff:10.0.0.0/104").expect("net");
        assert_eq!(net, IpNet::parse("10.0.0.0/8").expect("net"));
        assert!(net.contains("10.9.8.7".parse().expect("ip")));
        assert!(net.contains("::ffff:10.9.8.7".parse().expect("ip")));
        assert!(!net.contains("11.0.0.1".parse().expect("ip")));
        let v6 = IpNet::parse("2001:db8::/32").expect("net");
        assert!(v6.contains("2001:db8:1::5".parse().expect("ip")));
        assert!(!v6.contains("10.0.0.1".parse().expect("ip")));
        assert!(IpNet::parse("10.0.0.0/33").is_err());
        assert!(IpNet::parse("10.0.0.0/").is_err());
    }
}
