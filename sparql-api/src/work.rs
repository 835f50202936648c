//! Where heavy requests run: every request that evaluates SPARQL, searches, or reads more
//! than a handful of records (`/sparql`, `/api/*`, `/catalog`, `/.well-known/void`, `GET
//! /store`) runs here, in a query slot, under the query timeout, and is cancelled when its
//! client hangs up, when the server shuts down, or when evaluation passes the memory budget.
//!
//! **Lanes.** Any job may start in one of the `query_workers` slots; once it has run for
//! `long_query_after_ms` it must also hold one of the few `long_queries` slots, or it is
//! stopped with a 503. So long queries can never hold every slot: the rest stay free for the
//! ordinary, short requests that most clients send, which under the earlier single pool
//! waited out their timeout behind a tenth of pathological clients.
//!
//! **The fast lane.** A request that names itself (a query's text and dataset) and that
//! cost at most `FAST` of CPU time the last time it ran waits for one of its own slots, not behind
//! the heavy requests queued for the others: the same dashboard query sent again and again
//! is answered in milliseconds while clients keep every other slot busy. A request new to
//! the server, or slow last time, takes the ordinary lane; its cost is remembered (for the
//! last 4,096 requests) for next time. Cost is CPU time, not wall time: a lowered job (below)
//! takes longer than it costs.
//!
//! **Priority.** Each job runs on a thread of its own. Once it has run past `LOWER_AFTER`, its
//! thread is lowered to the lowest CPU priority (nice 19, Linux): on a machine whose cores
//! are all busy, the short requests that most clients send take the CPU first, and a long
//! query only runs on what they leave. On an idle machine the lowered thread still gets every
//! free cycle. A lowered thread cannot be raised again without privileges, which is why jobs
//! do not share a pool: the thread ends with its job.
//!
//! **Cancellation** is cooperative: Oxigraph checks the token whenever it reads the store,
//! search checks it between segments. A job's [`Job`] guard cancels on drop, so a handler
//! future that axum drops (the client went away) stops its evaluation.

use crate::error::{ApiError, Stop};
use oxigraph::sparql::CancellationToken;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A request whose last run cost at most this much CPU time (its wall time where the CPU
/// time is not measured) is fast.
const FAST: Duration = Duration::from_millis(50);
/// A job or write still running after this is lowered: most queries finish within a
/// millisecond or two; a pathological one that ran this long at full priority, hundreds of
/// times a minute, would take a third of a core from the rest (measured at 50 ms).
const LOWER_AFTER: Duration = Duration::from_millis(10);
/// How many requests' last durations are remembered.
const REMEMBERED: usize = 4096;
/// The CPU priority (nice value) of a job that has run past [`LOWER_AFTER`]: the lowest.
pub const LOWERED_NICE: i32 = 19;
/// A job thread's stack: nested queries recurse in the parser and the evaluator; nesting is
/// capped (`query_guard::MAX_NESTING`), and this is room for that cap several times over.
const JOB_STACK: usize = 16 << 20;

/// The key of a request for the fast lane: a hash of what makes it the same request.
pub fn request_key(parts: impl std::hash::Hash) -> u64 {
    use std::hash::Hasher;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    parts.hash(&mut hasher);
    hasher.finish()
}

/// The slots and the jobs running in them.
#[derive(Debug)]
pub struct Work {
    slots: Arc<Semaphore>,
    fast_slots: Arc<Semaphore>,
    /// Per request key, whether it was fast ([`FAST`]) last time; the oldest keys are
    /// forgotten first.
    history: Mutex<(HashMap<u64, bool>, std::collections::VecDeque<u64>)>,
    long_slots: Arc<Semaphore>,
    long_after: Duration,
    timeout: Duration,
    running: Mutex<HashMap<u64, Weak<Running>>>,
    next_id: AtomicU64,
}

/// One running job: its token, why it was stopped, and the slots it holds.
pub struct Running {
    id: u64,
    token: CancellationToken,
    stop: AtomicU8,
    /// The work finished whole ([`Running::complete`]): its guard's drop no longer stops it.
    completed: std::sync::atomic::AtomicBool,
    /// Wakes everyone waiting for the job when it is stopped ([`Running::until_stopped`]).
    stopped: tokio::sync::Notify,
    /// The runtime the request runs on: the job's own thread waits on it for a slow client
    /// or for the stop, whichever comes first ([`Running::block_on_unless_stopped`]).
    runtime: tokio::runtime::Handle,
    _slot: OwnedSemaphorePermit,
    long_slot: Mutex<Option<OwnedSemaphorePermit>>,
    work: Weak<Work>,
    /// The request's key and when it started, to remember what it cost.
    key: Option<u64>,
    started: std::time::Instant,
    /// The job's own thread (see *Priority*).
    thread: Arc<OwnThread>,
}

/// A thread of its own for one job or write: its kernel thread id while it runs and whether
/// it has been lowered, held under one lock so that a thread id is never used after its
/// thread ended; and, for a job, the CPU time its work took.
#[derive(Debug, Default)]
struct OwnThread {
    state: Mutex<ThreadState>,
    cpu_time: Mutex<Option<Duration>>,
}

#[derive(Debug, Default)]
struct ThreadState {
    tid: Option<i32>,
    lowered: bool,
}

impl OwnThread {
    /// Starts the thread running `work`; it starts lowered if [`OwnThread::lower`] came first.
    fn spawn(self: &Arc<Self>, name: String, work: impl FnOnce() + Send + 'static) -> Result<(), ApiError> {
        let own = self.clone();
        std::thread::Builder::new()
            .name(name.clone())
            .stack_size(JOB_STACK)
            .spawn(move || {
                {
                    let mut state = own.state.lock().unwrap_or_else(|e| e.into_inner());
                    state.tid = priority::current_thread();
                    if state.lowered {
                        priority::lower(state.tid);
                    }
                }
                work();
                own.state.lock().unwrap_or_else(|e| e.into_inner()).tid = None;
            })
            .map(drop)
            .map_err(|e| ApiError::Internal(format!("could not start the thread {name}: {e}")))
    }

    /// Lowers the thread once it has run past [`LOWER_AFTER`] (from now); nothing if it
    /// has ended by then.
    fn lower_later(self: &Arc<Self>) {
        let thread = Arc::downgrade(self);
        tokio::spawn(async move {
            tokio::time::sleep(LOWER_AFTER).await;
            if let Some(thread) = thread.upgrade() {
                thread.lower();
            }
        });
    }

    /// Lowers the thread to [`LOWERED_NICE`].
    fn lower(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if !state.lowered {
            state.lowered = true;
            priority::lower(state.tid);
        }
    }

    /// The CPU time the work took, once done, where the platform measures it.
    fn cpu_time(&self) -> Option<Duration> {
        *self.cpu_time.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Runs a write on a thread of its own, lowered like a job once it has run past
/// [`LOWER_AFTER`]. Writes run outside the query slots (a write is never stopped half-way),
/// but a long one must not take the CPU from short queries either.
pub async fn run_write<T: Send + 'static>(
    what: &str,
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let thread = Arc::new(OwnThread::default());
    let (sender, answer) = tokio::sync::oneshot::channel();
    thread.spawn(format!("civicgraph-{what}"), move || {
        let _ = sender.send(work());
    })?;
    thread.lower_later();
    answer
        .await
        .map_err(|_| ApiError::Internal(format!("the thread of a {what} ended without an answer")))?
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running")
            .field("id", &self.id)
            .field("stopped_for", &self.stopped_for())
            .finish()
    }
}

impl Running {
    /// The token to give the evaluation.
    pub fn token(&self) -> &CancellationToken {
        &self.token
    }

    /// Whether the job has been stopped, for work that checks by itself (loops over records).
    pub fn is_stopped(&self) -> bool {
        self.token.is_cancelled()
    }

    /// Stops the job for `reason`; the first reason given is the one reported.
    pub fn stop(&self, reason: Stop) {
        if self
            .stop
            .compare_exchange(0, reason as u8, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
        {
            tracing::debug!(job = self.id, %reason, "job stopped");
        }
        self.token.cancel();
        self.stopped.notify_waiters();
    }

    /// Notes that the work finished whole (from the job's own thread, or [`Job::finish`]):
    /// dropping the guard no longer stops it. A streamed answer's guard lives in its body,
    /// which ends after the work, and its drop once counted the job as stopped by its
    /// client, so a cheap streamed query never earned the fast lane.
    pub fn complete(&self) {
        self.completed.store(true, Ordering::Relaxed);
    }

    /// Resolves when the job is stopped: for every waiter (the request waiting for the
    /// answer's head, the body holding the job's slot), so the answer (503) goes out at once
    /// even while the evaluation has yet to notice its cancellation.
    pub async fn until_stopped(&self) {
        let notified = self.stopped.notified();
        tokio::pin!(notified);
        // Registered before the check, so a stop in between still wakes it.
        notified.as_mut().enable();
        if !self.is_stopped() {
            notified.await;
        }
    }

    /// From the job's own thread: waits for `future` unless the job is stopped first
    /// (`None`). A streamed answer's writer waits so for room in the body's channel: a client
    /// that stops reading would otherwise hold the thread, and with it the job's slot, long
    /// after the job's time limit.
    pub fn block_on_unless_stopped<F: Future>(&self, future: F) -> Option<F::Output> {
        self.runtime.block_on(async {
            tokio::select! {
                biased;
                () = self.until_stopped() => None,
                output = future => Some(output),
            }
        })
    }

    /// Runs `future` on the request's runtime, apart from the job: what must still reach a
    /// slow client (the error that ends its body) without holding the job's thread.
    pub fn spawn_detached(&self, future: impl Future<Output = ()> + Send + 'static) {
        self.runtime.spawn(future);
    }

    /// Runs `work` on the job's thread and waits for its answer unless the job is stopped
    /// first; then answers why at once. The thread keeps its slot until it notices.
    pub async fn evaluate<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let (sender, answer) = tokio::sync::oneshot::channel();
        self.spawn(move || {
            let _ = sender.send(work());
        })?;
        tokio::select! {
            answer = answer => answer.map_err(|_| ApiError::Internal(format!("the thread of request {} ended without an answer", self.id)))?,
            () = self.until_stopped() => Err(self.stopped_error()),
        }
    }

    /// Starts the job's own thread running `work` (see *Priority* above). The thread keeps
    /// the job until it has recorded the CPU time the work took, so the job, when dropped,
    /// remembers what it cost.
    pub fn spawn(self: &Arc<Self>, work: impl FnOnce() + Send + 'static) -> Result<(), ApiError> {
        let job = self.clone();
        self.thread.spawn(format!("civicgraph-job-{}", self.id), move || {
            work();
            *job.thread.cpu_time.lock().unwrap_or_else(|e| e.into_inner()) = priority::thread_cpu_time();
        })
    }

    /// Why the job was stopped, if it was.
    pub fn stopped_for(&self) -> Option<Stop> {
        Stop::from_u8(self.stop.load(Ordering::Relaxed))
    }

    /// The error that answers a job stopped for its reason (call once it is stopped).
    pub fn stopped_error(&self) -> ApiError {
        self.explain(ApiError::Stopped(Stop::Timeout))
    }

    /// The error to answer for `error`, which came out of a stopped job: the reason it was
    /// stopped, not the "cancelled" the evaluator reports.
    pub fn explain(&self, error: ApiError) -> ApiError {
        match self.stopped_for() {
            Some(Stop::Timeout) => ApiError::Timeout(self.work.upgrade().map_or(0, |w| w.timeout.as_secs())),
            Some(reason) => ApiError::Stopped(reason),
            None => error,
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(work) = self.work.upgrade() {
            work.running
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&self.id);
            if let Some(key) = self.key {
                // A lowered job takes longer than it costs: what counts is the CPU time it
                // took, where known, else the time it ran.
                let cost = self.thread.cpu_time().unwrap_or_else(|| self.started.elapsed());
                let fast = self.stopped_for().is_none() && cost <= FAST;
                work.remember(key, fast);
            }
        }
    }
}

/// Held by the request's future: dropping it (the client hung up, the handler returned
/// early) cancels the job unless it finished.
#[derive(Debug)]
pub struct Job {
    running: Arc<Running>,
}

impl Job {
    /// The running job, to move into the blocking closure.
    pub fn running(&self) -> Arc<Running> {
        self.running.clone()
    }

    /// The job ended normally: dropping the guard no longer cancels it.
    pub fn finish(self) {
        self.running.complete();
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        if !self.running.completed.load(Ordering::Relaxed) {
            self.running.stop(Stop::ClientGone);
        }
    }
}

impl Work {
    /// `slots` jobs at once, of which `long_slots` may run longer than `long_after`; each at
    /// most `timeout`.
    pub fn new(slots: usize, long_slots: usize, long_after: Duration, timeout: Duration) -> Arc<Self> {
        Arc::new(Self {
            slots: Arc::new(Semaphore::new(slots.max(1))),
            fast_slots: Arc::new(Semaphore::new(slots.max(1))),
            history: Mutex::new((HashMap::new(), std::collections::VecDeque::new())),
            long_slots: Arc::new(Semaphore::new(long_slots.clamp(1, slots.max(1)))),
            long_after,
            timeout,
            running: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
        })
    }

    /// The query timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Waits for a slot (at most the timeout: a job that cannot start in time gets the same
    /// 503 as one that cannot finish), then starts the clocks of the job: the lane check at
    /// `long_after` and the timeout.
    pub async fn start(self: &Arc<Self>) -> Result<Job, ApiError> {
        self.start_keyed(None).await
    }

    /// [`Work::start`] for a request identified by `key` (a hash of what makes it the same
    /// request): the fast lane when it was fast last time.
    pub async fn start_keyed(self: &Arc<Self>, key: Option<u64>) -> Result<Job, ApiError> {
        let fast = key.is_some_and(|k| self.was_fast(k));
        let lane = if fast { &self.fast_slots } else { &self.slots };
        let slot = tokio::time::timeout(self.timeout, lane.clone().acquire_owned())
            .await
            .map_err(|_| ApiError::Timeout(self.timeout.as_secs()))?
            .map_err(|_| ApiError::Stopped(Stop::ShuttingDown))?;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let running = Arc::new(Running {
            id,
            token: CancellationToken::new(),
            stop: AtomicU8::new(0),
            completed: std::sync::atomic::AtomicBool::new(false),
            stopped: tokio::sync::Notify::new(),
            runtime: tokio::runtime::Handle::current(),
            _slot: slot,
            long_slot: Mutex::new(None),
            work: Arc::downgrade(self),
            key,
            started: std::time::Instant::now(),
            thread: Arc::default(),
        });
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, Arc::downgrade(&running));
        let watched = Arc::downgrade(&running);
        let long_slots = self.long_slots.clone();
        let (long_after, timeout) = (self.long_after, self.timeout);
        running.thread.lower_later();
        let work = Arc::downgrade(self);
        tokio::spawn(async move {
            tokio::time::sleep(long_after.min(timeout)).await;
            let Some(job) = watched.upgrade() else { return };
            // Running long is being slow: a request remembered as fast no longer takes the
            // fast lane from now, not only once this run ends (runs of one text that is
            // cheap under one base and dear under another, started together, all did).
            if let (Some(key), Some(work)) = (job.key, work.upgrade()) {
                work.remember(key, false);
            }
            if long_after < timeout {
                match long_slots.try_acquire_owned() {
                    Ok(permit) => *job.long_slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(permit),
                    Err(_) => {
                        job.stop(Stop::LongLaneBusy);
                        return;
                    }
                }
                drop(job);
                tokio::time::sleep(timeout - long_after).await;
            } else {
                drop(job);
            }
            if let Some(job) = watched.upgrade() {
                job.stop(Stop::Timeout);
            }
        });
        Ok(Job { running })
    }

    /// Runs `job` on a thread of its own in a slot, answering its result, or the reason it
    /// was stopped.
    pub async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        job: impl FnOnce(&Running) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        self.run_keyed(None, job).await
    }

    /// [`Work::run`] for a request identified by `key` (see [`Work::start_keyed`]).
    pub async fn run_keyed<T: Send + 'static>(
        self: &Arc<Self>,
        key: Option<u64>,
        job: impl FnOnce(&Running) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let guard = self.start_keyed(key).await?;
        let running = guard.running();
        let result = guard
            .running
            .evaluate(move || job(&running).map_err(|e| running.explain(e)))
            .await;
        let stopped = guard.running.stopped_for();
        guard.finish();
        match (result, stopped) {
            // A job that checks for itself may end early with a partial answer: never send it.
            (Ok(_), Some(Stop::Timeout)) => Err(ApiError::Timeout(self.timeout.as_secs())),
            (Ok(_), Some(reason)) => Err(ApiError::Stopped(reason)),
            (result, _) => result,
        }
    }

    /// Stops every running job for `reason` (memory budget passed, shutting down); returns
    /// how many were running.
    pub fn stop_all(&self, reason: Stop) -> usize {
        let running = self.running_jobs();
        for job in &running {
            job.stop(reason);
        }
        running.len()
    }

    /// Stops, for `reason`, the jobs in the long-query lane, or every running job when none
    /// is there; returns how many were stopped. For the memory budget: the process's growth
    /// names no job, and a query that grows by a gigabyte has mostly run long, so stopping
    /// every job answered 503 to every other client's query for one client's growth. A
    /// short job that grows is stopped at the next crossing, when the long lane is empty.
    pub fn stop_long_first(&self, reason: Stop) -> usize {
        let running = self.running_jobs();
        let long: Vec<&Arc<Running>> = running
            .iter()
            .filter(|job| job.long_slot.lock().unwrap_or_else(|e| e.into_inner()).is_some())
            .collect();
        let chosen: Vec<&Arc<Running>> = if long.is_empty() {
            running.iter().collect()
        } else {
            long
        };
        for job in &chosen {
            job.stop(reason);
        }
        chosen.len()
    }

    /// The jobs running now.
    fn running_jobs(&self) -> Vec<Arc<Running>> {
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .filter_map(Weak::upgrade)
            .collect()
    }

    fn was_fast(&self, key: u64) -> bool {
        let history = self.history.lock().unwrap_or_else(|e| e.into_inner());
        history.0.get(&key).copied().unwrap_or(false)
    }

    fn remember(&self, key: u64, fast: bool) {
        let mut history = self.history.lock().unwrap_or_else(|e| e.into_inner());
        let (map, order) = &mut *history;
        if map.insert(key, fast).is_none() {
            order.push_back(key);
            if order.len() > REMEMBERED
                && let Some(oldest) = order.pop_front()
            {
                map.remove(&oldest);
            }
        }
    }

    /// Jobs running now.
    pub fn running_count(&self) -> usize {
        self.running.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Refuses new jobs from now on (shutdown) and stops the running ones.
    pub fn close(&self) {
        self.slots.close();
        self.fast_slots.close();
        self.stop_all(Stop::ShuttingDown);
    }
}

/// Thread priorities, where the platform has them per thread (Linux); elsewhere jobs keep
/// the priority they start with.
pub(crate) mod priority {
    /// The calling thread's id, to lower it later from another thread.
    #[cfg(target_os = "linux")]
    pub fn current_thread() -> Option<i32> {
        Some(rustix::thread::gettid().as_raw_nonzero().get())
    }

    /// Lowers thread `tid` to [`super::LOWERED_NICE`]. Lowering needs no privilege; if the
    /// kernel refuses anyway the job runs on at its priority, which is only slower for others.
    #[cfg(target_os = "linux")]
    pub fn lower(tid: Option<i32>) {
        let Some(pid) = tid.and_then(rustix::process::Pid::from_raw) else {
            return;
        };
        if let Err(error) = rustix::process::setpriority_process(Some(pid), super::LOWERED_NICE) {
            tracing::debug!(%error, tid, "could not lower a job's thread");
        }
    }

    /// The CPU time the calling thread has used.
    #[cfg(target_os = "linux")]
    pub fn thread_cpu_time() -> Option<std::time::Duration> {
        let spent = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
        Some(std::time::Duration::new(
            u64::try_from(spent.tv_sec).ok()?,
            u32::try_from(spent.tv_nsec).ok()?,
        ))
    }

    #[cfg(not(target_os = "linux"))]
    pub fn thread_cpu_time() -> Option<std::time::Duration> {
        None
    }

    #[cfg(not(target_os = "linux"))]
    pub fn current_thread() -> Option<i32> {
        None
    }

    #[cfg(not(target_os = "linux"))]
    pub fn lower(_tid: Option<i32>) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_second_long_job_is_stopped_while_short_ones_still_start() {
        let work = Work::new(3, 1, Duration::from_secs(1), Duration::from_secs(30));
        let first = work.start().await.unwrap();
        let second = work.start().await.unwrap();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let stopped = [first.running.stopped_for(), second.running.stopped_for()];
        assert_eq!(
            stopped.iter().filter(|s| **s == Some(Stop::LongLaneBusy)).count(),
            1,
            "{stopped:?}"
        );
        let short = work.start().await.unwrap();
        assert_eq!(short.running.stopped_for(), None);
        short.finish();
        first.finish();
        second.finish();
    }

    #[tokio::test(start_paused = true)]
    async fn the_memory_budget_stops_the_long_lane_first() {
        let work = Work::new(3, 1, Duration::from_secs(1), Duration::from_secs(30));
        let long = work.start().await.unwrap();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let short = work.start().await.unwrap();
        assert_eq!(work.stop_long_first(Stop::Memory), 1);
        assert_eq!(long.running.stopped_for(), Some(Stop::Memory));
        assert_eq!(short.running.stopped_for(), None);
        long.finish();
        // With nothing in the long lane, every job is stopped.
        let other = work.start().await.unwrap();
        assert_eq!(work.stop_long_first(Stop::Memory), 2);
        assert_eq!(short.running.stopped_for(), Some(Stop::Memory));
        assert_eq!(other.running.stopped_for(), Some(Stop::Memory));
        short.finish();
        other.finish();
    }

    #[tokio::test(start_paused = true)]
    async fn a_job_is_stopped_at_the_timeout_and_when_its_client_goes() {
        let work = Work::new(2, 2, Duration::from_secs(1), Duration::from_secs(5));
        let job = work.start().await.unwrap();
        let running = job.running();
        tokio::time::sleep(Duration::from_secs(6)).await;
        assert_eq!(running.stopped_for(), Some(Stop::Timeout));
        job.finish();
        let gone = work.start().await.unwrap();
        let running = gone.running();
        drop(gone);
        assert_eq!(running.stopped_for(), Some(Stop::ClientGone));
        assert!(running.token().is_cancelled());
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_that_runs_long_loses_the_fast_lane_while_it_runs() {
        let work = Work::new(2, 2, Duration::from_secs(1), Duration::from_secs(30));
        let first = work.start_keyed(Some(7)).await.unwrap();
        first.finish();
        assert!(work.was_fast(7));
        let long = work.start_keyed(Some(7)).await.unwrap();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(!work.was_fast(7), "still taken for fast while it runs long");
        long.finish();
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_fast_last_time_does_not_queue_behind_the_others() {
        let work = Work::new(1, 1, Duration::from_secs(10), Duration::from_secs(30));
        let first = work.start_keyed(Some(7)).await.unwrap();
        first.finish();
        // The only ordinary slot is taken by a slow request...
        let slow = work.start_keyed(Some(8)).await.unwrap();
        // ...and a request fast last time still starts.
        let again = tokio::time::timeout(Duration::from_secs(1), work.start_keyed(Some(7))).await;
        assert!(again.is_ok(), "the fast lane was free");
        // One never seen, or slow last time, waits for the ordinary slot.
        assert!(
            tokio::time::timeout(Duration::from_secs(1), work.start_keyed(Some(9)))
                .await
                .is_err()
        );
        slow.finish();
    }

    /// The test waits for the job threads with blocking receives, so the paused clock cannot
    /// move on while they run: only the sleep moves it.
    #[cfg(target_os = "linux")]
    #[tokio::test(start_paused = true)]
    async fn a_job_past_lower_after_yields_the_cpu_and_the_next_job_starts_at_normal_priority() {
        let nice_here = || rustix::process::getpriority_process(None).unwrap();
        let own = nice_here();
        let work = Work::new(2, 1, Duration::from_secs(10), Duration::from_secs(30));
        let (report, nice) = std::sync::mpsc::channel::<i32>();
        let slow = work.start().await.unwrap();
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let reporter = report.clone();
        slow.running()
            .spawn(move || {
                wait.recv().unwrap();
                reporter.send(nice_here()).unwrap();
            })
            .unwrap();
        tokio::time::sleep(LOWER_AFTER * 2).await;
        go.send(()).unwrap();
        assert_eq!(
            nice.recv().unwrap(),
            LOWERED_NICE.max(own),
            "a job past LOWER_AFTER is lowered"
        );
        slow.finish();
        let quick = work.start().await.unwrap();
        quick
            .running()
            .spawn(move || report.send(nice_here()).unwrap())
            .unwrap();
        assert_eq!(
            nice.recv().unwrap(),
            own,
            "a new job does not inherit a lowered thread"
        );
        quick.finish();
    }

    #[tokio::test(start_paused = true)]
    async fn stop_all_reaches_every_running_job_and_close_refuses_new_ones() {
        let work = Work::new(4, 1, Duration::from_secs(10), Duration::from_secs(30));
        let jobs = [work.start().await.unwrap(), work.start().await.unwrap()];
        assert_eq!(work.running_count(), 2);
        work.close();
        assert!(
            jobs.iter()
                .all(|j| j.running.stopped_for() == Some(Stop::ShuttingDown))
        );
        assert!(matches!(
            work.start().await,
            Err(ApiError::Stopped(Stop::ShuttingDown))
        ));
    }
}
