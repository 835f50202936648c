//! The one policy for every request civicgraph sends: a harvest's pages, its redirects and
//! paging links, and federated `SERVICE` calls.
//!
//! - A request goes only to a host the configuration names: the source's own URL, the
//!   hosts its `allow_hosts` lists, or a federation endpoint. A harvested page cannot send
//!   the harvester elsewhere, by a `hydra:next`, a `Link` header or a redirect.
//! - Nothing goes to a loopback, private, link-local (cloud metadata), shared or
//!   unspecified address unless the operator named that host: as an IP address or
//!   `localhost` in a URL of the configuration, or in `[harvest] private_hosts`.
//! - The address check is made on the addresses the name resolves to, by the resolver the
//!   HTTP client connects with, so a name that resolves to a public address when checked
//!   and to `127.0.0.1` when connecting (DNS rebinding) is still refused.

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// Which hosts requests may go to, and which of them may be private.
#[derive(Debug, Clone, Default)]
pub struct Outbound {
    /// Hosts (lower case, no port) requests may go to; empty means any public host.
    hosts: Vec<String>,
    /// Hosts (names or addresses) the operator allows to be private.
    private: Vec<String>,
}

impl Outbound {
    /// Requests to the hosts of `urls` (and `extra_hosts`), private only where the operator
    /// said so: an address or `localhost` written in one of `urls`, or a host in
    /// `private_hosts`.
    pub fn new<'a>(
        urls: impl IntoIterator<Item = &'a str>,
        extra_hosts: &[String],
        private_hosts: &[String],
    ) -> Self {
        let mut policy = Self {
            hosts: Vec::new(),
            private: private_hosts.iter().map(|h| normalise_host(h)).collect(),
        };
        for url in urls {
            if let Some(host) = Url::parse(url)
                .ok()
                .and_then(|u| u.host_str().map(normalise_host))
            {
                if host == "localhost" || host.parse::<IpAddr>().is_ok() {
                    policy.private.push(host.clone());
                }
                policy.hosts.push(host);
            }
        }
        policy.hosts.extend(extra_hosts.iter().map(|h| normalise_host(h)));
        policy
    }

    /// Whether the configuration names `url`'s host itself (the source's URL, its
    /// `allow_hosts`): stricter than [`Outbound::check`], which takes any public host when
    /// no host is named (a `path` source), for requests a document asks for rather than
    /// the configuration, such as a remote JSON-LD context.
    pub fn names(&self, url: &str) -> bool {
        Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(normalise_host))
            .is_some_and(|host| self.hosts.contains(&host))
    }

    /// Whether `url` may be requested: http(s), a named host, and, for an address written
    /// in the URL, a public one or one the operator allowed.
    pub fn check(&self, url: &str) -> Result<(), String> {
        let parsed = Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!(
                "only http and https are fetched, not {}:",
                parsed.scheme()
            ));
        }
        let host = parsed
            .host_str()
            .map(normalise_host)
            .ok_or_else(|| "the URL has no host".to_owned())?;
        if !self.hosts.is_empty() && !self.hosts.contains(&host) {
            return Err(format!(
                "{host} is not a host this source's configuration names ({}); list it in the source's allow_hosts to follow it",
                self.hosts.join(", ")
            ));
        }
        if let Ok(ip) = host.parse::<IpAddr>()
            && is_internal(ip)
            && !self.private.contains(&host)
        {
            return Err(format!(
                "{ip} is a loopback, private or link-local address; list it in [harvest] private_hosts to allow it"
            ));
        }
        Ok(())
    }

    /// `builder` with this policy on every redirect and on every address it connects to.
    pub fn apply(&self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        let redirects = self.clone();
        builder
            .dns_resolver(Arc::new(GuardedResolver {
                private: self.private.clone(),
            }))
            .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() >= 5 {
                    return attempt.error("more than 5 redirects");
                }
                match redirects.check(attempt.url().as_str()) {
                    Ok(()) => attempt.follow(),
                    Err(reason) => {
                        let message = format!("redirect to {} refused: {reason}", attempt.url());
                        attempt.error(message)
                    }
                }
            }))
    }
}

/// `url` without the user name and password it may carry, for anything shown or stored.
pub fn redact(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

fn normalise_host(host: &str) -> String {
    host.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// Addresses no harvest or federation reaches unless the operator names them.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal_v4(v4);
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                || v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) // AWS metadata (IPv6)
        }
    }
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254/16: cloud metadata
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (carrier NAT)
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
}

/// Resolves names, then drops the internal addresses the operator did not allow; fails
/// when none is left. The client connects only to what this returns.
#[derive(Debug)]
struct GuardedResolver {
    private: Vec<String>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = normalise_host(name.as_str());
        let allowed = self.private.contains(&host);
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let kept: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|a| allowed || !is_internal(a.ip()))
                .collect();
            if kept.is_empty() {
                let error: Box<dyn std::error::Error + Send + Sync> = format!(
                    "{host} resolves only to loopback, private or link-local addresses ({}); list it in [harvest] private_hosts to allow it",
                    found.iter().map(|a| a.ip().to_string()).collect::<Vec<_>>().join(", ")
                )
                .into();
                return Err(error);
            }
            let addrs: Addrs = Box::new(kept.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_hosts_the_configuration_writes_are_named() {
        let policy = Outbound::new(
            ["https://data.example.cz/lkod/katalog.jsonld"],
            &["OFN.gov.cz.".to_owned()],
            &[],
        );
        assert!(policy.names("https://ofn.gov.cz/kontexty/katalog.jsonld"));
        assert!(policy.names("http://data.example.cz/other"));
        assert!(!policy.names("https://elsewhere.example.org/context.jsonld"));
        // A path source names no host, though it may fetch from any public one.
        let path_source = Outbound::new(None, &[], &[]);
        assert!(!path_source.names("https://ofn.gov.cz/kontexty/katalog.jsonld"));
        assert!(
            path_source
                .check("https://ofn.gov.cz/kontexty/katalog.jsonld")
                .is_ok()
        );
    }

    #[test]
    fn only_named_hosts_are_reached() {
        let policy = Outbound::new(["https://data.example.org/catalog.ttl"], &[], &[]);
        assert!(
            policy
                .check("https://data.example.org/catalog.ttl?page=2")
                .is_ok()
        );
        assert!(policy.check("https://DATA.example.org./x").is_ok());
        let error = policy.check("http://evil.example/steal").unwrap_err();
        assert!(error.contains("evil.example is not a host"), "{error}");
        assert!(policy.check("file:///etc/passwd").is_err());
        let wider = Outbound::new(
            ["https://data.example.org/"],
            &["cdn.example.org".to_owned()],
            &[],
        );
        assert!(wider.check("https://cdn.example.org/page2").is_ok());
    }

    #[test]
    fn credentials_are_never_shown() {
        assert_eq!(
            redact("https://user:secret@data.example.org/x?y=1"),
            "https://data.example.org/x?y=1"
        );
        assert_eq!(redact("https://data.example.org/x"), "https://data.example.org/x");
    }

    #[test]
    fn internal_addresses_need_the_operator() {
        let public = Outbound::new(
            ["https://data.example.org/"],
            &["169.254.169.254".to_owned()],
            &[],
        );
        let error = public
            .check("http://169.254.169.254/latest/meta-data/")
            .unwrap_err();
        assert!(error.contains("link-local"), "{error}");
        let named = Outbound::new(["http://127.0.0.1:8080/catalog"], &[], &[]);
        assert!(named.check("http://127.0.0.1:8080/catalog?page=2").is_ok());
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_internal(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:2800:220:1::1", "8.8.8.8"] {
            assert!(!is_internal(ip.parse().unwrap()), "{ip}");
        }
    }

    #[tokio::test]
    async fn the_resolver_refuses_names_that_resolve_inside() {
        let resolver = GuardedResolver { private: Vec::new() };
        let error = resolver
            .resolve("localhost".parse::<Name>().unwrap())
            .await
            .err()
            .unwrap()
            .to_string();
        assert!(error.contains("private_hosts"), "{error}");
        let allowed = GuardedResolver {
            private: vec!["localhost".to_owned()],
        };
        assert!(
            allowed
                .resolve("localhost".parse::<Name>().unwrap())
                .await
                .is_ok()
        );
    }
}
