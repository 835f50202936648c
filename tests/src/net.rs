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

/// A free local port, for a server started as its own process.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free local port")
        .port()
}

/// One raw HTTP/1.1 request to `127.0.0.1:port`, enough to drive a server started as its
/// own process without an HTTP client crate; answers the status code, or `None` when
/// nothing answered.
pub fn http_status(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Option<u16> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    stream.write_all(body).ok()?;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let head = String::from_utf8_lossy(&response[..response.len().min(32)]).into_owned();
    head.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()
}

/// Waits until the server on `port` answers `/healthz` with 200, at most `within`.
pub fn wait_until_serving(port: u16, within: std::time::Duration) {
    let started = std::time::Instant::now();
    while http_status(port, "GET", "/healthz", &[], b"") != Some(200) {
        assert!(
            started.elapsed() < within,
            "the server on port {port} did not start"
        );
        // Polling a process started by the test: there is no clock to pause.
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
