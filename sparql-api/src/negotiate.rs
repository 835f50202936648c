//! HTTP content negotiation: picks the offered media type an `Accept` header likes best,
//! and reads the media type of a request body.

use axum::http::{HeaderMap, header};

/// The `Accept` header, if the request has a readable one.
pub fn accept(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The request body's media type, lower-cased and without parameters (`""` when absent).
pub fn content_media_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Returns the offer with the highest quality in `accept`, ties going to the earlier offer
/// (the server's preference). No header, or an empty one, means the first offer.
/// `None` means the client accepts nothing offered: answer 406.
pub fn negotiate<'a, T: Copy>(accept: Option<&str>, offers: &'a [(&'a str, T)]) -> Option<T> {
    let accept = accept.map(str::trim).filter(|a| !a.is_empty());
    let Some(accept) = accept else {
        return offers.first().map(|(_, value)| *value);
    };
    let ranges: Vec<(String, f32)> = accept
        .split(',')
        .filter_map(|range| {
            let mut parts = range.split(';');
            let media = parts.next()?.trim().to_ascii_lowercase();
            let mut quality = 1.0;
            for parameter in parts {
                if let Some((key, value)) = parameter.split_once('=')
                    && key.trim().eq_ignore_ascii_case("q")
                {
                    quality = value.trim().parse().unwrap_or(0.0);
                }
            }
            (!media.is_empty()).then_some((media, quality))
        })
        .collect();
    let mut best: Option<(f32, u8, T)> = None;
    for (offer, value) in offers {
        let (offer_type, offer_sub) = offer.split_once('/').unwrap_or((offer, ""));
        // The most specific matching range decides an offer's quality (RFC 9110 §12.5.1).
        let mut matched: Option<(u8, f32)> = None;
        for (range, quality) in &ranges {
            let (range_type, range_sub) = range.split_once('/').unwrap_or((range, ""));
            let specificity = if range_type == offer_type && range_sub == offer_sub {
                2
            } else if range_type == offer_type && range_sub == "*" {
                1
            } else if range_type == "*" && range_sub == "*" {
                0
            } else {
                continue;
            };
            if matched.is_none_or(|(s, _)| specificity > s) {
                matched = Some((specificity, *quality));
            }
        }
        if let Some((specificity, quality)) = matched
            && quality > 0.0
            && best.is_none_or(|(q, s, _)| quality > q || (quality == q && specificity > s))
        {
            best = Some((quality, specificity, *value));
        }
    }
    best.map(|(_, _, value)| value)
}

#[cfg(test)]
mod tests {
    use super::negotiate;

    const OFFERS: &[(&str, u8)] = &[
        ("application/sparql-results+json", 0),
        ("text/csv", 1),
        ("text/tab-separated-values", 2),
    ];

    #[test]
    fn picks_by_quality_then_server_preference() {
        assert_eq!(negotiate(None, OFFERS), Some(0));
        assert_eq!(negotiate(Some("text/csv"), OFFERS), Some(1));
        assert_eq!(
            negotiate(Some("text/csv;q=0.5, text/tab-separated-values"), OFFERS),
            Some(2)
        );
        assert_eq!(negotiate(Some("text/*"), OFFERS), Some(1));
        assert_eq!(negotiate(Some("*/*;q=0.1, text/csv;q=0.9"), OFFERS), Some(1));
        assert_eq!(negotiate(Some("*/*"), OFFERS), Some(0));
    }

    #[test]
    fn refuses_when_nothing_offered_is_acceptable() {
        assert_eq!(negotiate(Some("image/png"), OFFERS), None);
        assert_eq!(negotiate(Some("text/csv;q=0"), &OFFERS[1..2]), None);
    }
}
