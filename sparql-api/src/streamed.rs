//! Response bodies streamed from a blocking job: the job writes into a [`ChannelWriter`],
//! the body reads the channel. Used by SPARQL answers and the whole-store dump, whose size
//! has no bound worth holding in memory.

use crate::work::Running;
use axum::body::{Body, Bytes};
use std::io::Write;
use std::sync::Arc;
use tokio::sync::mpsc;

/// A chunk of a streamed body, or the error that ends it early.
pub type Chunk = Result<Bytes, std::io::Error>;

/// Chunks in flight between the job and the client: a slow client holds the job back.
const IN_FLIGHT: usize = 8;

/// A channel for a streamed body.
pub fn channel() -> (mpsc::Sender<Chunk>, mpsc::Receiver<Chunk>) {
    mpsc::channel(IN_FLIGHT)
}

/// Writes into a streamed response body in chunks of 64 KiB. When the client goes away the
/// receiver is gone, a write fails, and serialization (and so evaluation) stops.
pub struct ChannelWriter {
    sender: mpsc::Sender<Chunk>,
    buffer: Vec<u8>,
    /// A copy of everything sent, for the result cache, while it stays under `keep`.
    copy: Option<Vec<u8>>,
    keep: usize,
    /// The job whose stop (timeout, shutdown) ends the body early.
    job: Option<Arc<Running>>,
}

impl ChannelWriter {
    const CHUNK: usize = 64 * 1024;

    /// A writer into `sender`.
    pub fn new(sender: mpsc::Sender<Chunk>) -> Self {
        Self {
            sender,
            buffer: Vec::with_capacity(Self::CHUNK),
            copy: None,
            keep: 0,
            job: None,
        }
    }

    /// Fails the next write once `job` is stopped, for a writer (a serializer) that does
    /// not check by itself.
    pub fn stopping_with(mut self, job: Arc<Running>) -> Self {
        self.job = Some(job);
        self
    }

    /// Also keeps a copy of what is sent, as long as it stays within `keep` bytes.
    pub fn keeping_copy(mut self, keep: usize) -> Self {
        self.copy = Some(Vec::new());
        self.keep = keep;
        self
    }

    /// The copy of everything sent, if it stayed within its limit.
    pub fn take_copy(&mut self) -> Option<Vec<u8>> {
        self.copy.take()
    }

    fn send(&mut self) -> std::io::Result<()> {
        if let Some(job) = &self.job
            && job.is_stopped()
        {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                job.stopped_error().to_string(),
            ));
        }
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(Self::CHUNK),
        ));
        self.sender
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Some(copy) = &mut self.copy {
            if copy.len() + bytes.len() > self.keep {
                self.copy = None;
            } else {
                copy.extend_from_slice(bytes);
            }
        }
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= Self::CHUNK {
            self.send()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// The body that reads `receiver`, holding `guard` until it ends: a client that hangs up
/// mid-answer drops the body and with it the guard (which may cancel the job). Fused: a
/// body wrapper (compression) may poll once more after the end, which `unfold` alone
/// panics on.
pub fn body<G: Send + 'static>(receiver: mpsc::Receiver<Chunk>, guard: G) -> Body {
    Body::from_stream(futures_util::StreamExt::fuse(futures_util::stream::unfold(
        (receiver, guard),
        |(mut receiver, guard)| async move { receiver.recv().await.map(|item| (item, (receiver, guard))) },
    )))
}
