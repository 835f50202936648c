//! `civicgraph serve`: opens the graph, loads the vocabulary (and the demo data into an
//! empty store), runs scheduled harvests, and serves HTTP until Ctrl-C or SIGTERM.

use super::Context;
use civicgraph_ingest::Pipeline;
use civicgraph_sparql_api::{AppState, app, demo};
use std::net::SocketAddr;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on [default: the config's bind, 127.0.0.1:7878].
    #[arg(long)]
    bind: Option<SocketAddr>,
    /// Do not load the bundled demo data into an empty store.
    #[arg(long)]
    no_demo: bool,
}

pub fn run(mut context: Context, args: Args) -> anyhow::Result<()> {
    if let Some(bind) = args.bind {
        context.config.bind = bind;
    }
    let graph = context.open_graph()?;
    graph.ensure_vocabulary()?;
    let first_start = !args.no_demo && demo::has_no_sources(&graph)?;
    if first_start {
        let quads = demo::load_demo(&graph)?;
        tracing::info!(quads, "the store had no sources: loaded the bundled demo data");
    }
    let bind = context.config.bind;
    let data_dir = context.config.data_dir.clone();
    let connection_limits = civicgraph_sparql_api::connections::ConnectionLimits::of(
        &context.config.limits,
        civicgraph_sparql_api::connections::raise_descriptor_limit(),
    );
    tracing::info!(
        total = connection_limits.total,
        per_client = connection_limits.per_client,
        "connections kept open at most"
    );
    let state = AppState::new(graph, context.config);
    let pipeline = Pipeline::new(
        state.graph.clone(),
        state.config.harvest.clone(),
        state.config.tagging.clone(),
        state.config.linking.clone(),
    )
    // The scheduler runs it again and again: a refresh after some sources changed reads
    // only their datasets for linking.
    .keep_link_rows();
    if first_start {
        // The demo data, like a harvest, is linked and tagged before it is served.
        pipeline.refresh()?;
    }
    // The first counted search would build the search's per-segment tables (a few hundred
    // ms at a million records); they are built beside serving instead.
    let warmed = state.graph.clone();
    std::thread::spawn(move || {
        let started = std::time::Instant::now();
        match warmed.warm_search() {
            Ok(segments) => tracing::info!(
                segments,
                ms = started.elapsed().as_millis() as u64,
                "search tables built"
            ),
            Err(error) => tracing::warn!("could not build the search tables ahead of searches: {error}"),
        }
    });
    // Deeply nested queries recurse in the parser and the evaluator; nesting is capped
    // (`query_guard::MAX_NESTING`), and the threads get room for that cap several times over.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(16 << 20)
        .build()?;
    let work = state.work.clone();
    let jobs = state.work.clone();
    civicgraph_sparql_api::memory::watch(&work, state.config.limits.query_memory_bytes);
    let scheduler = runtime.spawn(civicgraph_ingest::schedule::run(
        pipeline,
        state.config.sources.clone(),
    ));
    let served = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(bind).await?;
        tracing::info!("civicgraph listening on http://{}/sparql", listener.local_addr()?);
        // `civicgraph dump` on this data directory asks the server while it runs.
        let _announced = super::serving::announce(&data_dir, listener.local_addr()?)
            .map_err(|e| tracing::warn!("could not announce the server in {}: {e}", data_dir.display()))
            .ok();
        civicgraph_sparql_api::connections::serve(
            listener,
            app(state),
            civicgraph_sparql_api::connections::HEADER_READ_TIMEOUT,
            connection_limits,
            async move {
                shutdown().await;
                // Running queries are stopped, so their answers end and their connections close.
                work.close();
            },
            SHUTDOWN_GRACE,
        )
        .await;
        anyhow::Ok(())
    });
    scheduler.abort();
    // A thread still evaluating (one that has not yet noticed its cancellation) does not
    // keep the process alive.
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    // Jobs run on threads of their own, which the runtime does not wait for. A job still
    // running when `main` returns meets the process's exit, which destroys RocksDB's
    // static state under it: the process then aborted ("pthread lock: Invalid argument")
    // instead of exiting 0. A stopped job notices within milliseconds; wait for that.
    let deadline = std::time::Instant::now() + SHUTDOWN_GRACE;
    while jobs.running_count() > 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    if jobs.running_count() > 0 {
        tracing::warn!(
            jobs = jobs.running_count(),
            "jobs still running {} s after they were stopped",
            SHUTDOWN_GRACE.as_secs()
        );
    }
    served
}

/// How long a shutdown waits for open requests.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
