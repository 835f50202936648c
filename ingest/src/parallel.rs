//! Per-record work spread over the machine's cores. Tagging and linking read every record
//! back from the store, and reading (decoding each term's string) is most of their time, so
//! it is split into one contiguous chunk per thread and the results joined in order.

/// At most this many threads: reading is bound by the store, which gains little beyond.
const MAX_THREADS: usize = 4;

/// `work` applied to every item, on up to [`MAX_THREADS`] threads; the results in the
/// items' order, or the first error.
pub fn map_in_order<T: Sync, R: Send, E: Send>(
    items: &[T],
    work: impl Fn(&T) -> Result<R, E> + Sync,
) -> Result<Vec<R>, E> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .clamp(1, MAX_THREADS);
    if threads == 1 || items.len() < 2 * threads {
        return items.iter().map(&work).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let work = &work;
    let parts: Vec<Result<Vec<R>, E>> = std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(work).collect::<Result<Vec<R>, E>>()))
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut out = Vec::with_capacity(items.len());
    for part in parts {
        out.extend(part?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_and_the_first_error_wins() {
        let items: Vec<u32> = (0..1000).collect();
        let Ok(doubled) = map_in_order(&items, |i| Ok::<_, std::convert::Infallible>(i * 2));
        assert_eq!(doubled, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        let failed = map_in_order(&items, |i| {
            if *i == 700 {
                Err(crate::IngestError::Config(format!("item {i}")))
            } else {
                Ok(*i)
            }
        });
        assert!(failed.unwrap_err().to_string().contains("item 700"));
    }
}
