//! The server's TCP connections: what each one may hold, and their end at shutdown.
//!
//! `axum::serve` gives hyper no timer, so a client that opened a connection and sent half
//! a request line, or nothing, kept it for ever: a few thousand such connections would
//! hold every file descriptor the process may open, and RocksDB opens its files from the
//! same allowance. Here each connection has until [`HEADER_READ_TIMEOUT`] to send each
//! request's headers (an idle keep-alive connection included), then hyper closes it.
//! What a request may hold once its headers are in is `limits::admit`'s and `work`'s.
//!
//! Within that timeout a client could still open connections faster than they expire, and
//! every one holds a descriptor. So the server keeps at most [`ConnectionLimits::total`]
//! open, and at most [`ConnectionLimits::per_client`] from one address, as nginx's
//! `limit_conn` does: a connection over either is answered 503 at once and closed, its
//! request never parsed or awaited, so that it costs no more than its accept.

use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper::server::conn::http1::Builder;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tower::{Service, ServiceExt};

/// How long a client has to send a request's headers, from the connection's start or the
/// end of its previous answer: as nginx's `client_header_timeout` and hyper's default.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// How many connections the server keeps open at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// In all.
    pub total: usize,
    /// From one client address; `None` counts none apart (behind a proxy, whose address is
    /// every connection's).
    pub per_client: Option<usize>,
}

impl ConnectionLimits {
    /// The configured limits (`[limits] max_connections`, `max_connections_per_client`),
    /// the total lowered to half of the file descriptors the process may open, so that the
    /// store's files and the rest keep the other half. A per-client limit of 0, or
    /// addresses taken from `X-Forwarded-For`, count no client apart.
    pub fn of(limits: &crate::config::LimitsConfig, descriptors: Option<u64>) -> Self {
        let half = descriptors.map_or(usize::MAX, |d| usize::try_from(d / 2).unwrap_or(usize::MAX));
        Self {
            total: limits.max_connections.min(half).max(1),
            per_client: (limits.max_connections_per_client > 0 && !limits.trust_forwarded_for)
                .then_some(limits.max_connections_per_client),
        }
    }
}

/// Raises the process's soft limit of open files to its hard limit, as a server that holds
/// many connections and a store of many files should (the soft limit is often 1,024).
/// Returns the limit in force (`None`: unlimited): what [`ConnectionLimits::of`] shares out.
pub fn raise_descriptor_limit() -> Option<u64> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    // `None` is no limit.
    if limit.current != limit.maximum {
        let raised = rustix::process::Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        match setrlimit(Resource::Nofile, raised) {
            Ok(()) => limit = raised,
            Err(error) => tracing::debug!("could not raise the open-file limit: {error}"),
        }
    }
    limit.current
}

/// The connections open, in all and by client address.
#[derive(Debug)]
struct OpenConnections {
    limits: ConnectionLimits,
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

/// Why a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refused {
    Total(usize),
    Client(IpAddr, usize),
}

impl Refused {
    /// The answer sent on the refused connection: a whole HTTP/1.1 response, then close.
    fn response(self) -> String {
        let body = match self {
            Refused::Total(most) => {
                format!("The server holds as many connections as it may ({most}): try again shortly.\n")
            }
            Refused::Client(address, most) => format!(
                "Too many connections from {address}: at most {most} at once. Close some, or \
                 reuse them (keep-alive).\n"
            ),
        };
        format!(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n\
             content-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
    }
}

/// One admitted connection; dropping it, when the connection ends, frees its place.
#[derive(Debug)]
struct Admitted {
    open: Arc<OpenConnections>,
    client: IpAddr,
}

impl OpenConnections {
    fn admit(self: &Arc<Self>, client: IpAddr) -> Result<Admitted, Refused> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let (total, by_client) = &mut *open;
        if *total >= self.limits.total {
            return Err(Refused::Total(self.limits.total));
        }
        let from_client = by_client.entry(client).or_default();
        if let Some(most) = self.limits.per_client
            && *from_client >= most
        {
            return Err(Refused::Client(client, most));
        }
        *from_client += 1;
        *total += 1;
        Ok(Admitted {
            open: self.clone(),
            client,
        })
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self.open.open.lock().unwrap_or_else(|e| e.into_inner());
        let (total, by_client) = &mut *open;
        *total -= 1;
        if let Some(count) = by_client.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                by_client.remove(&self.client);
            }
        }
    }
}

/// Answers a refused connection without waiting on it: what the client has sent already
/// is read and dropped (closing on unread bytes would reset the connection, and the client
/// could lose the answer), the answer fits the socket's empty send buffer, and nothing is
/// awaited. Then the connection closes.
fn refuse(stream: TcpStream, refused: Refused) {
    tracing::debug!("connection refused: {refused:?}");
    let mut sent = [0; 16 * 1024];
    for _ in 0..4 {
        match stream.try_read(&mut sent) {
            Ok(n) if n > 0 => {}
            _ => break,
        }
    }
    if let Err(error) = stream.try_write(refused.response().as_bytes()) {
        tracing::debug!("could not answer a refused connection: {error}");
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, each connection with
/// `header_read_timeout` to send each request's headers and within `limits`; then waits at
/// most `grace` for the open connections to finish their answers.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_read_timeout: Duration,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) {
    let open = Arc::new(OpenConnections {
        limits,
        open: Mutex::new((0, HashMap::new())),
    });
    let mut make_service = router.into_make_service_with_connect_info::<SocketAddr>();
    // HTTP/1.1 only, as before: the build has no HTTP/2 (a proxy in front speaks it).
    let mut builder = Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, most often: wait for some to close rather
                    // than spin.
                    tracing::warn!("could not accept a connection: {error}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let admitted = match open.admit(client_of(peer.ip())) {
            Ok(admitted) => admitted,
            Err(refused) => {
                refuse(stream, refused);
                continue;
            }
        };
        // Streamed answers go out in several writes; without TCP_NODELAY the kernel holds a
        // small last write until the client acknowledges the first, which a client delays
        // by up to 40 ms: a small answer (an ASK, a DESCRIBE) would take 40 ms longer.
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!("could not set TCP_NODELAY: {error}");
        }
        let Ok(service) = make_service.call(peer).await;
        let service = TowerToHyperService::new(
            service.map_request(|request: hyper::Request<Incoming>| request.map(Body::new)),
        );
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::trace!("a connection ended: {error}");
            }
            drop(admitted);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(grace) => tracing::warn!(
            "connections still open {} s after the shutdown signal: closing them",
            grace.as_secs()
        ),
    }
}

/// The client an address belongs to, for limits and quotas kept per client: an IPv4
/// address (an IPv4-mapped IPv6 one as IPv4), or an IPv6 address's /64 network. A single
/// IPv6 host is routinely given a whole /64 and may send from any of its 2^64 addresses,
/// each of which would otherwise be a new client with limits of its own.
pub fn client_of(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(std::net::Ipv6Addr::from(network))
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LimitsConfig;

    #[test]
    fn an_ipv6_client_is_its_slash_64_and_a_mapped_ipv4_one_its_ipv4_address() {
        let client = |ip: &str| client_of(ip.parse().unwrap()).to_string();
        assert_eq!(client("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::");
        assert_eq!(client("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::");
        assert_ne!(client("2001:db8:1:3::1"), client("2001:db8:1:2::1"));
        assert_eq!(client("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(client("192.0.2.7"), "192.0.2.7");
    }

    #[test]
    fn the_total_leaves_half_the_descriptors_and_a_proxy_is_no_client() {
        let configured = LimitsConfig::default();
        let limits = ConnectionLimits::of(&configured, Some(1024));
        assert_eq!(limits.total, 512, "half of a 1,024 open-file limit");
        assert_eq!(limits.per_client, Some(64));
        assert_eq!(ConnectionLimits::of(&configured, None).total, 1024);
        let proxied = LimitsConfig {
            trust_forwarded_for: true,
            ..LimitsConfig::default()
        };
        assert_eq!(ConnectionLimits::of(&proxied, Some(1 << 20)).per_client, None);
        let off = LimitsConfig {
            max_connections_per_client: 0,
            ..LimitsConfig::default()
        };
        assert_eq!(ConnectionLimits::of(&off, Some(1 << 20)).per_client, None);
    }

    #[test]
    fn a_closed_connection_gives_its_place_back_to_its_client_and_the_total() {
        let open = Arc::new(OpenConnections {
            limits: ConnectionLimits {
                total: 3,
                per_client: Some(2),
            },
            open: Mutex::new((0, HashMap::new())),
        });
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let first = open.admit(a).unwrap();
        let _second = open.admit(a).unwrap();
        assert_eq!(open.admit(a).unwrap_err(), Refused::Client(a, 2));
        let _third = open.admit(b).unwrap();
        assert_eq!(open.admit(b).unwrap_err(), Refused::Total(3));
        drop(first);
        assert!(
            open.admit(a).is_ok(),
            "the place of the closed connection is free again"
        );
        assert!(open.open.lock().unwrap().1.len() <= 2);
    }
}
