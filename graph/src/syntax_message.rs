//! A SPARQL syntax error as a person reads it: where (line, column and the text there) and
//! what was expected, in SPARQL's words.
//!
//! The parser reports every alternative its grammar tried at the furthest point it reached,
//! in its own notation: Unicode ranges of the name grammar, internal rule names
//! (`hasLangDir`), the catch-all `[_]`, and its own sentences ("The SELECT contains a
//! variable that is unbound") among them. A researcher who mistyped a query needs the
//! sentence when there is one, else the tokens and keywords that could come next, and the
//! place.

use crate::error::GraphError;

/// The error `error` of parsing `text` (a query or an update), readable.
pub fn sparql_syntax(text: &str, error: &spargebra::SparqlSyntaxError) -> GraphError {
    GraphError::QuerySyntax(readable(text, &error.to_string()))
}

/// `raw`, the parser's message for `text`, rewritten; a message not in the parser's
/// `error at L:C: expected …` form (a shared blank node) is kept as it is.
fn readable(text: &str, raw: &str) -> String {
    let Some((line, column, expected)) = parse(raw) else {
        return raw.to_owned();
    };
    let at = match near(text, line, column) {
        Near::At(text) => format!("line {line}, column {column}, at {text:?}"),
        Near::After(text) => format!("line {line}, column {column}, after {text:?}"),
        Near::Nothing => format!("line {line}, column {column}"),
    };
    let mut sentences = Vec::new();
    let mut tokens = Vec::new();
    for item in items(expected) {
        match Expected::of(item) {
            Expected::Sentence(s) => push_new(&mut sentences, s),
            Expected::Token(t) => push_new(&mut tokens, t),
            Expected::Nothing => {}
        }
    }
    if let Some(sentence) = sentences.first() {
        let sentence = sentence.trim_end_matches('.');
        // The parser does not say which prefix; the prefixed name ends where it stopped.
        if sentence == "Prefix not found"
            && let Some(prefix) = prefix_before(text, line, column)
        {
            return format!("{at}: the prefix {prefix:?} is not declared (PREFIX {prefix} <…>)");
        }
        return format!("{at}: {sentence}");
    }
    match tokens.as_slice() {
        [] => format!("{at}: unexpected text"),
        [one] => format!("{at}: expected {one}"),
        [one, other] => format!("{at}: expected {one} or {other}"),
        [rest @ .., last] => format!("{at}: expected one of {}, or {last}", rest.join(", ")),
    }
}

fn push_new(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// Line, column and the expected set of `error at L:C: expected …`.
fn parse(raw: &str) -> Option<(usize, usize, &str)> {
    let rest = raw.strip_prefix("error at ")?;
    let (position, expected) = rest.split_once(": expected ")?;
    let (line, column) = position.split_once(':')?;
    Some((line.parse().ok()?, column.parse().ok()?, expected))
}

/// The items of the expected set: `one of A, B, C` or a single item. A Unicode range may
/// span lines but holds no `, `; the comma token is written `","`.
fn items(expected: &str) -> Vec<&str> {
    match expected.strip_prefix("one of ") {
        Some(list) => list.split(", ").map(str::trim).collect(),
        None => vec![expected.trim()],
    }
}

enum Expected {
    /// The parser's own explanation.
    Sentence(String),
    /// A token, a keyword, "a name" or "a number".
    Token(String),
    /// Grammar internals, and "any character".
    Nothing,
}

impl Expected {
    fn of(item: &str) -> Self {
        if let Some(token) = item.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
            return Self::Token(format!("'{token}'"));
        }
        if item.starts_with('[') {
            return if item.contains("'A'") || item.contains("'a'") {
                Self::Token("a name".to_owned())
            } else if item.contains("'0'") {
                Self::Token("a number".to_owned())
            } else {
                Self::Nothing
            };
        }
        if item.contains(' ') && item.starts_with(|c: char| c.is_uppercase()) {
            return Self::Sentence(item.to_owned());
        }
        if !item.is_empty() && item.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
            return Self::Token(item.to_owned());
        }
        Self::Nothing
    }
}

/// The prefix (`foo:`) of the prefixed name that ends just before line `line`, column
/// `column`.
fn prefix_before(text: &str, line: usize, column: usize) -> Option<String> {
    let before = before(row(text, line)?, column);
    let name = before
        .trim_end()
        .rsplit(|c: char| c.is_whitespace() || "{}()[],;".contains(c))
        .next()?;
    let (prefix, _) = name.split_once(':')?;
    Some(format!("{prefix}:"))
}

/// Line `line` (from 1) of `text`.
fn row(text: &str, line: usize) -> Option<&str> {
    text.split('\n').nth(line.checked_sub(1)?)
}

/// The characters of `row` before column `column` (from 1).
fn before(row: &str, column: usize) -> String {
    row.chars().take(column.saturating_sub(1)).collect()
}

/// What is at line `line`, column `column` (both from 1, in characters) of `text`.
enum Near {
    /// Up to 30 characters from there.
    At(String),
    /// Nothing but white space from there: up to 30 characters of the line before it.
    After(String),
    /// An empty line, or a place outside the text.
    Nothing,
}

fn near(text: &str, line: usize, column: usize) -> Near {
    let Some(row) = row(text, line) else {
        return Near::Nothing;
    };
    let from: String = row.chars().skip(column.saturating_sub(1)).take(30).collect();
    if !from.trim().is_empty() {
        return Near::At(from.trim_end().to_owned());
    }
    let before: Vec<char> = before(row, column).chars().collect();
    let last: String = before[before.len().saturating_sub(30)..].iter().collect();
    match last.trim() {
        "" => Near::Nothing,
        last => Near::After(last.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(query: &str) -> String {
        let error = spargebra::SparqlParser::new().parse_query(query).unwrap_err();
        sparql_syntax(query, &error).to_string()
    }

    #[test]
    fn the_parser_s_own_explanation_is_given_with_its_place() {
        let query = "SELECT (LANG(?t) AS ?l) (COUNT(*) AS ?n)\nWHERE { ?s ?p ?t }\nGROUP BY (LANG(?t))";
        assert_eq!(
            message(query),
            "SPARQL syntax error: line 3, column 20, after \"GROUP BY (LANG(?t))\": The SELECT contains an expression with a variable that is unbound"
        );
    }

    #[test]
    fn what_could_come_next_is_named_in_sparql_s_words() {
        let m = message("SELECT * WHERE { ?s ?p }");
        assert_eq!(
            m,
            "SPARQL syntax error: line 1, column 25, after \"SELECT * WHERE { ?s ?p }\": expected LATERAL or SERVICE"
        );
        let m = message("SELECT * WHERE { ?s ?p ?o } LIMIT x");
        assert!(
            m.starts_with("SPARQL syntax error: line 1, column 35, at \"x\": expected"),
            "{m}"
        );
        assert!(m.contains("a number") && m.contains("OFFSET"), "{m}");
        for noise in ["..=", "[_]", "hasLangDir", "\\u{"] {
            assert!(!m.contains(noise), "{noise} in {m}");
        }
    }

    #[test]
    fn an_undeclared_prefix_is_named() {
        let m = message(
            "PREFIX dct: <http://purl.org/dc/terms/>\nSELECT * WHERE {\n  ?s a dcat:Dataset ; dct:title ?t }",
        );
        assert!(m.contains("the prefix \"dcat:\" is not declared"), "{m}");
        assert!(m.contains("line 3"), "{m}");
    }

    #[test]
    fn another_error_is_kept_as_the_parser_says_it() {
        assert_eq!(
            readable("x", "The blank node _:b cannot be shared"),
            "The blank node _:b cannot be shared"
        );
    }
}
