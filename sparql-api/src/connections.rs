//! The server's TCP connections: what each one may hold, and their end at shutdown.
//!
//! `axum::serve` gives hyper no timer, so a client that opened a connection and sent half
//! a request line, or nothing, kept it for ever: a few thousand such connections would
//! hold every file descriptor the process may open, and RocksDB opens its files from the
//! same allowance. Here each connection has until [`HEADER_READ_TIMEOUT`] to send each
//! request's headers (an idle keep-alive connection included), then hyper closes it.
//! What a request may hold once its headers are in is `limits::admit`'s and `work`'s.

use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper::server::conn::http1::Builder;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::{Service, ServiceExt};

/// How long a client has to send a request's headers, from the connection's start or the
/// end of its previous answer: as nginx's `client_header_timeout` and hyper's default.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves `router` on `listener` until `shutdown` resolves, each connection with
/// `header_read_timeout` to send each request's headers; then waits at most `grace` for the
/// open connections to finish their answers.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_read_timeout: Duration,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) {
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
