//! Who the client is. Behind a reverse proxy every connection comes from the proxy, so the
//! proxy's `X-Forwarded-For` / `Forwarded` header names the client; but anyone can send those
//! headers, so they are believed only when the connecting peer is a configured trusted proxy.

use actix_web::http::header::HeaderMap;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// The client address of a request, resolved once by [`crate::edge`] and kept in the request
/// extensions for the rate limiter and the access log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The peer address, or, when the peer is a trusted proxy, the first untrusted hop of the
/// forwarding chain read from the right (the nearest hop the proxies vouch for).
pub fn resolve(peer: Option<SocketAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let peer_ip = peer
        .map(|p| normalize(p.ip()))
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    if !is_trusted(peer_ip, trusted) {
        return peer_ip;
    }
    let hops = forwarded_hops(headers);
    let mut client = peer_ip;
    for hop in hops.iter().rev() {
        client = *hop;
        if !is_trusted(*hop, trusted) {
            break;
        }
    }
    client
}

fn is_trusted(ip: IpAddr, trusted: &[IpNet]) -> bool {
    trusted.iter().any(|net| net.contains(&ip))
}

/// IPv4-mapped IPv6 addresses compare as their IPv4 form.
fn normalize(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The hops named by `Forwarded` (RFC 7239) if present, else by `X-Forwarded-For`, in order.
/// A malformed entry ends the usable chain: nothing left of it can be trusted.
fn forwarded_hops(headers: &HeaderMap) -> Vec<IpAddr> {
    let forwarded: Vec<&str> = headers
        .get_all("forwarded")
        .filter_map(|v| v.to_str().ok())
        .collect();
    let entries: Vec<Option<IpAddr>> = if !forwarded.is_empty() {
        forwarded
            .iter()
            .flat_map(|v| v.split(','))
            .map(|element| {
                element
                    .split(';')
                    .find_map(|pair| {
                        let (k, v) = pair.trim().split_once('=')?;
                        k.eq_ignore_ascii_case("for").then_some(v)
                    })
                    .and_then(parse_forwarded_for)
            })
            .collect()
    } else {
        headers
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|s| parse_node(s.trim()))
            .collect()
    };
    // Keep only the well-formed suffix: hops right of the last malformed one.
    let start = entries
        .iter()
        .rposition(Option::is_none)
        .map_or(0, |i| i + 1);
    entries[start..].iter().flatten().copied().collect()
}

fn parse_forwarded_for(value: &str) -> Option<IpAddr> {
    parse_node(value.trim().trim_matches('"'))
}

/// An address with an optional port: `1.2.3.4`, `1.2.3.4:80`, `[::1]`, `[::1]:80`, `::1`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(normalize(ip));
    }
    if let Ok(sock) = node.parse::<SocketAddr>() {
        return Some(normalize(sock.ip()));
    }
    let inner = node.strip_prefix('[')?.split(']').next()?;
    inner.parse::<IpAddr>().ok().map(normalize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(HeaderName::from_static(k), HeaderValue::from_static(v));
        }
        map
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn untrusted_peer_headers_are_ignored() {
        let h = headers(&[("x-forwarded-for", "1.2.3.4")]);
        let ip = resolve(
            Some("203.0.113.9:5000".parse().unwrap()),
            &h,
            &nets(&["10.0.0.0/8"]),
        );
        assert_eq!(ip, "203.0.113.9".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn trusted_proxy_yields_first_untrusted_hop_from_the_right() {
        // The client forged "6.6.6.6"; the proxy appended the real client 198.51.100.7.
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.0.0.2")]);
        let ip = resolve(
            Some("10.0.0.1:443".parse().unwrap()),
            &h,
            &nets(&["10.0.0.0/8"]),
        );
        assert_eq!(ip, "198.51.100.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn forwarded_header_is_preferred_and_parsed() {
        let h = headers(&[
            (
                "forwarded",
                "for=\"[2001:db8::17]:4711\";proto=https, for=10.0.0.3",
            ),
            ("x-forwarded-for", "9.9.9.9"),
        ]);
        let ip = resolve(
            Some("10.0.0.1:443".parse().unwrap()),
            &h,
            &nets(&["10.0.0.0/8"]),
        );
        assert_eq!(ip, "2001:db8::17".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn malformed_hop_stops_the_chain() {
        let h = headers(&[("x-forwarded-for", "1.1.1.1, garbage, 10.0.0.5")]);
        let ip = resolve(
            Some("10.0.0.1:443".parse().unwrap()),
            &h,
            &nets(&["10.0.0.0/8"]),
        );
        // Every well-formed hop right of the garbage is trusted, so the leftmost of them wins.
        assert_eq!(ip, "10.0.0.5".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn mapped_ipv6_peer_matches_ipv4_proxy_range() {
        let h = headers(&[("x-forwarded-for", "198.51.100.7")]);
        let ip = resolve(
            Some("[::ffff:127.0.0.1]:80".parse().unwrap()),
            &h,
            &nets(&["127.0.0.1/32"]),
        );
        assert_eq!(ip, "198.51.100.7".parse::<IpAddr>().unwrap());
    }
}
