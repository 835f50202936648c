//! Real sockets: a router served on a local port, and a listener that must never be
//! contacted (for checks that a request cannot reach a host it was not allowed to).

use std::net::TcpListener;

/// Serves `router` on a free local port, on the current tokio runtime, and returns its base
/// URL (`http://127.0.0.1:PORT`).
pub async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a local port");
    let url = format!("http://{}", listener.local_addr().expect("local address"));
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    url
}

/// A listener that must never see a connection.
#[derive(Debug)]
pub struct Untouched {
    listener: TcpListener,
    /// Its `host:port`.
    pub address: String,
}

impl Untouched {
    /// Binds a free local port.
    pub fn new() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let address = listener.local_addr().expect("local address").to_string();
        Self { listener, address }
    }

    /// Its port.
    pub fn port(&self) -> &str {
        self.address.rsplit(':').next().unwrap_or_default()
    }

    /// Panics if anything connected: `what` says what should have stopped it.
    pub fn assert_untouched(&self, what: &str) {
        match self.listener.accept() {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            other => panic!("{what} was contacted: {other:?}"),
        }
    }
}

impl Default for Untouched {
    fn default() -> Self {
        Self::new()
    }
}
