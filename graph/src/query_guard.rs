//! What a query may ask of the server before it runs: how deeply it nests, how large the
//! strings it builds may grow, and whether its answer is a function of the store alone.
//!
//! The checks work on the text (nesting, before any recursive parser sees it) and on the
//! parsed algebra (everything else), never on substrings of the query: `NOW ()` with a space
//! is the same call as `NOW()`.
//!
//! Strings are bounded by rewriting the algebra before evaluation. The result of every
//! function that can make a string longer than its inputs (`CONCAT`, `REPLACE`, `UCASE`,
//! `LCASE`, `ENCODE_FOR_URI`) passes through [`BOUNDED`], which leaves a string of at most
//! `max_string_bytes` as it is and makes a longer one an evaluation error (the variable stays
//! unbound, as for any SPARQL expression error). `GROUP_CONCAT` becomes an aggregate that
//! stops growing at the same bound. So each string a query builds is at most a small multiple
//! of the bound, whatever chain of doublings it asks for: without this, 27 `CONCAT`s of a
//! string with itself grew the server past 23 GB inside one solution, where no cancellation
//! check runs.

use crate::error::{GraphError, Result};
use oxigraph::model::{Literal, NamedNode, Term};
use oxigraph::sparql::{AggregateFunctionAccumulator, SparqlEvaluator};
use spargebra::Query;
use spargebra::algebra::{
    AggregateExpression, AggregateFunction, Expression, Function, GraphPattern, OrderExpression,
};

/// The deepest nesting of `(`, `{` and `[` a query or update may have. Far above what
/// people write (the deepest W3C test query nests 12), far below what overflows a stack.
pub const MAX_NESTING: usize = 128;
/// The most arguments one `CONCAT` may take: with [`BOUNDED`] on each argument's source,
/// one call builds at most this many times `max_string_bytes`.
pub const MAX_CONCAT_ARGUMENTS: usize = 64;
/// The longest `REPLACE` replacement: each `$0` in it copies the input once more.
pub const MAX_REPLACEMENT_CHARS: usize = 64;
/// The function that bounds a string's length (see the module documentation).
pub const BOUNDED: &str = "https://w3id.org/civicgraph/internal#bounded";
/// The bounded `GROUP_CONCAT`; the separator follows, percent-encoded, after `?sep=`.
const GROUP_CONCAT: &str = "https://w3id.org/civicgraph/internal#group-concat";

/// A query checked and rewritten for evaluation.
#[derive(Debug, Clone)]
pub struct GuardedQuery {
    pub(crate) query: Query,
    /// Separators of the bounded `GROUP_CONCAT`s, one custom aggregate each.
    separators: Vec<String>,
    /// Whether the answer depends on the store alone: no `NOW`, `RAND`, `UUID`, `STRUUID`,
    /// `BNODE` and no `SERVICE` other than the built-in search.
    pub deterministic: bool,
}

impl GuardedQuery {
    /// Parses `sparql` (relative IRIs against `base`), refusing nesting deeper than
    /// [`MAX_NESTING`] before the parser sees it, and bounds the strings it builds.
    pub fn parse(sparql: &str, base: Option<&str>) -> Result<Self> {
        check_nesting(sparql, "query")?;
        let mut query = crate::query::parser_with_base(base, "query base IRI")?
            .parse_query(sparql)
            .map_err(|e| crate::sparql_syntax(sparql, &e))?;
        let mut walker = Walker::default();
        match &mut query {
            Query::Select { pattern, .. }
            | Query::Construct { pattern, .. }
            | Query::Describe { pattern, .. }
            | Query::Ask { pattern, .. } => walker.pattern(pattern)?,
        }
        Ok(Self {
            query,
            separators: walker.separators,
            deterministic: walker.deterministic,
        })
    }

    /// `evaluator` with the functions the rewritten query calls.
    pub(crate) fn register(
        &self,
        mut evaluator: SparqlEvaluator,
        max_string_bytes: usize,
    ) -> SparqlEvaluator {
        evaluator = evaluator.with_custom_function(named(BOUNDED), move |args| match args {
            [Term::Literal(l)] if l.value().len() > max_string_bytes => None,
            [term] => Some(term.clone()),
            _ => None,
        });
        for separator in &self.separators {
            let separator = separator.clone();
            evaluator = evaluator.with_custom_aggregate_function(group_concat_name(&separator), move || {
                Box::new(BoundedGroupConcat {
                    separator: separator.clone(),
                    limit: max_string_bytes,
                    value: Some(String::new()),
                    language: None,
                })
            });
        }
        evaluator
    }
}

/// Refuses text that nests `(`, `{` or `[` deeper than [`MAX_NESTING`] outside string
/// literals and comments, naming the line and column where it happens. `what` names the
/// text ("query", "update").
pub fn check_nesting(text: &str, what: &'static str) -> Result<()> {
    check_depth(text, MAX_NESTING, what, true)
}

/// The same scan for any bracketed grammar: `sparql` also skips SPARQL's string literals and
/// `#` comments.
pub fn check_depth(text: &str, max: usize, what: &'static str, sparql: bool) -> Result<()> {
    let mut depth = 0usize;
    let (mut line, mut column) = (1usize, 0usize);
    let mut chars = text.chars().peekable();
    let mut quote: Option<(char, bool)> = None;
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
            column = 0;
        } else {
            column += 1;
        }
        if let Some((q, long)) = quote {
            if c == '\\' {
                chars.next();
                column += 1;
            } else if c == q {
                if !long {
                    quote = None;
                } else if chars.peek() == Some(&q) {
                    chars.next();
                    if chars.peek() == Some(&q) {
                        chars.next();
                        quote = None;
                    }
                    column += 2;
                }
            }
            continue;
        }
        match c {
            '"' | '\'' if sparql => {
                let mut lookahead = chars.clone();
                let long = lookahead.next() == Some(c) && lookahead.next() == Some(c);
                if long {
                    chars.next();
                    chars.next();
                    column += 2;
                }
                quote = Some((c, long));
            }
            '#' if sparql => {
                for next in chars.by_ref() {
                    if next == '\n' {
                        line += 1;
                        column = 0;
                        break;
                    }
                }
            }
            '(' | '{' | '[' => {
                depth += 1;
                if depth > max {
                    return Err(GraphError::TooDeep {
                        what,
                        max,
                        line,
                        column,
                    });
                }
            }
            ')' | '}' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn named(iri: &str) -> NamedNode {
    NamedNode::new_unchecked(iri)
}

fn group_concat_name(separator: &str) -> NamedNode {
    named(&format!("{GROUP_CONCAT}?sep={}", urlencoding::encode(separator)))
}

fn bounded(expression: Expression) -> Expression {
    Expression::FunctionCall(Function::Custom(named(BOUNDED)), vec![expression])
}

/// Rewrites the algebra in place and notes what makes an answer non-deterministic.
struct Walker {
    deterministic: bool,
    separators: Vec<String>,
}

impl Default for Walker {
    fn default() -> Self {
        Self {
            deterministic: true,
            separators: Vec::new(),
        }
    }
}

impl Walker {
    fn pattern(&mut self, pattern: &mut GraphPattern) -> Result<()> {
        match pattern {
            GraphPattern::Bgp { patterns } => {
                // Triple patterns that share no variable are a product too (see `Join`).
                let components = components(patterns);
                if components.len() > 1 {
                    let mut parts = components
                        .into_iter()
                        .map(|patterns| Box::new(GraphPattern::Bgp { patterns }));
                    let first = parts.next().expect("more than one component");
                    *pattern = *parts.fold(first, |left, right| {
                        Box::new(GraphPattern::Lateral { left, right })
                    });
                }
                Ok(())
            }
            GraphPattern::Path { .. } | GraphPattern::Values { .. } => Ok(()),
            GraphPattern::Join { left, right } => {
                self.pattern(left)?;
                self.pattern(right)?;
                if shares_no_variable(left, right) {
                    // A product: Oxigraph joins it in memory, where it never looks at the
                    // cancellation token, so a product of three unbounded patterns ran on
                    // for minutes after its client had gone. Evaluated laterally, the right
                    // side is read from the store for each left solution: the same answers,
                    // with a cancellation check at every read.
                    let (left, right) = (std::mem::take(left), std::mem::take(right));
                    *pattern = GraphPattern::Lateral { left, right };
                }
                Ok(())
            }
            GraphPattern::Lateral { left, right }
            | GraphPattern::Union { left, right }
            | GraphPattern::Minus { left, right } => {
                self.pattern(left)?;
                self.pattern(right)
            }
            GraphPattern::LeftJoin {
                left,
                right,
                expression,
            } => {
                self.pattern(left)?;
                self.pattern(right)?;
                match expression {
                    Some(e) => self.expression(e),
                    None => Ok(()),
                }
            }
            GraphPattern::Filter { expr, inner } => {
                self.expression(expr)?;
                self.pattern(inner)
            }
            GraphPattern::Extend {
                inner, expression, ..
            } => {
                self.expression(expression)?;
                self.pattern(inner)
            }
            GraphPattern::OrderBy { inner, expression } => {
                for order in expression {
                    match order {
                        OrderExpression::Asc(e) | OrderExpression::Desc(e) => self.expression(e)?,
                    }
                }
                self.pattern(inner)
            }
            GraphPattern::Graph { inner, .. }
            | GraphPattern::Project { inner, .. }
            | GraphPattern::Distinct { inner }
            | GraphPattern::Reduced { inner }
            | GraphPattern::Slice { inner, .. } => self.pattern(inner),
            GraphPattern::Group {
                inner, aggregates, ..
            } => {
                for (_, aggregate) in aggregates {
                    self.aggregate(aggregate)?;
                }
                self.pattern(inner)
            }
            GraphPattern::Service { name, inner, .. } => {
                let search = matches!(name, spargebra::term::NamedNodePattern::NamedNode(n)
                    if n.as_str() == civicgraph_vocab::cgs::NAMESPACE);
                if !search {
                    self.deterministic = false;
                }
                self.pattern(inner)
            }
        }
    }

    fn aggregate(&mut self, aggregate: &mut AggregateExpression) -> Result<()> {
        let AggregateExpression::FunctionCall { name, expr, .. } = aggregate else {
            return Ok(());
        };
        self.expression(expr)?;
        if let AggregateFunction::GroupConcat { separator } = name {
            let separator = separator.clone().unwrap_or_else(|| " ".to_owned());
            *name = AggregateFunction::Custom(group_concat_name(&separator));
            if !self.separators.contains(&separator) {
                self.separators.push(separator);
            }
        }
        Ok(())
    }

    fn expression(&mut self, expression: &mut Expression) -> Result<()> {
        match expression {
            Expression::NamedNode(_)
            | Expression::Literal(_)
            | Expression::Variable(_)
            | Expression::Bound(_) => Ok(()),
            Expression::Or(a, b)
            | Expression::And(a, b)
            | Expression::Equal(a, b)
            | Expression::SameTerm(a, b)
            | Expression::Greater(a, b)
            | Expression::GreaterOrEqual(a, b)
            | Expression::Less(a, b)
            | Expression::LessOrEqual(a, b)
            | Expression::Add(a, b)
            | Expression::Subtract(a, b)
            | Expression::Multiply(a, b)
            | Expression::Divide(a, b) => {
                self.expression(a)?;
                self.expression(b)
            }
            Expression::UnaryPlus(a) | Expression::UnaryMinus(a) | Expression::Not(a) => self.expression(a),
            Expression::In(a, list) => {
                self.expression(a)?;
                list.iter_mut().try_for_each(|e| self.expression(e))
            }
            Expression::Coalesce(list) => list.iter_mut().try_for_each(|e| self.expression(e)),
            Expression::If(a, b, c) => {
                self.expression(a)?;
                self.expression(b)?;
                self.expression(c)
            }
            Expression::Exists(pattern) => self.pattern(pattern),
            Expression::FunctionCall(function, args) => {
                args.iter_mut().try_for_each(|e| self.expression(e))?;
                match function {
                    Function::Now | Function::Rand | Function::Uuid | Function::StrUuid | Function::BNode => {
                        self.deterministic = false;
                    }
                    Function::Concat if args.len() > MAX_CONCAT_ARGUMENTS => {
                        return Err(GraphError::Refused(format!(
                            "CONCAT takes at most {MAX_CONCAT_ARGUMENTS} arguments here, not {}",
                            args.len()
                        )));
                    }
                    Function::Replace => check_replacement(args)?,
                    _ => {}
                }
                if matches!(
                    function,
                    Function::Concat
                        | Function::Replace
                        | Function::UCase
                        | Function::LCase
                        | Function::EncodeForUri
                ) {
                    let call = std::mem::replace(
                        expression,
                        Expression::Bound(spargebra::term::Variable::new_unchecked("_")),
                    );
                    *expression = bounded(call);
                }
                Ok(())
            }
        }
    }
}

/// The triple patterns grouped by the variables and blank nodes that connect them, each
/// group in the order its first pattern came.
fn components(patterns: &[spargebra::term::TriplePattern]) -> Vec<Vec<spargebra::term::TriplePattern>> {
    use spargebra::term::{NamedNodePattern, TermPattern};
    use std::collections::HashSet;
    let names = |t: &spargebra::term::TriplePattern| -> HashSet<String> {
        let mut out = HashSet::new();
        for term in [&t.subject, &t.object] {
            match term {
                TermPattern::Variable(v) => out.insert(format!("?{}", v.as_str())),
                TermPattern::BlankNode(b) => out.insert(format!("_:{}", b.as_str())),
                _ => false,
            };
        }
        if let NamedNodePattern::Variable(v) = &t.predicate {
            out.insert(format!("?{}", v.as_str()));
        }
        out
    };
    // Each group: the index of its first pattern, its variables, its patterns. A pattern
    // with no variable forms a group of its own (it joins with anything).
    let mut groups: Vec<(usize, HashSet<String>, Vec<spargebra::term::TriplePattern>)> = Vec::new();
    for (index, triple) in patterns.iter().enumerate() {
        let mut merged = (index, names(triple), Vec::new());
        let (touching, rest): (Vec<_>, Vec<_>) = groups
            .into_iter()
            .partition(|(_, vars, _)| !vars.is_disjoint(&merged.1));
        for (first, vars, members) in touching {
            merged.0 = merged.0.min(first);
            merged.1.extend(vars);
            merged.2.extend(members);
        }
        merged.2.push(triple.clone());
        groups = rest;
        groups.push(merged);
    }
    if groups.iter().filter(|(_, vars, _)| !vars.is_empty()).count() <= 1 {
        return vec![patterns.to_vec()];
    }
    groups.sort_by_key(|(first, _, _)| *first);
    groups.into_iter().map(|(_, _, members)| members).collect()
}

/// Whether two join operands have no variable in scope in common (a cartesian product).
fn shares_no_variable(left: &GraphPattern, right: &GraphPattern) -> bool {
    let mut seen = std::collections::HashSet::new();
    left.on_in_scope_variable(|v| {
        seen.insert(v.clone());
    });
    let mut shared = false;
    let mut right_has = false;
    right.on_in_scope_variable(|v| {
        right_has = true;
        shared |= seen.contains(v);
    });
    !seen.is_empty() && right_has && !shared
}

/// `REPLACE`'s replacement must be a short literal: a variable or a long one could copy the
/// input thousands of times in one call.
fn check_replacement(args: &[Expression]) -> Result<()> {
    match args.get(2) {
        Some(Expression::Literal(l)) if l.value().chars().count() <= MAX_REPLACEMENT_CHARS => Ok(()),
        _ => Err(GraphError::Refused(format!(
            "REPLACE takes a literal replacement of at most {MAX_REPLACEMENT_CHARS} characters here"
        ))),
    }
}

/// `GROUP_CONCAT` as SPARQL defines it (strings only; the language kept when all share it),
/// which gives up (an error, so unbound) once the result passes `limit` bytes.
struct BoundedGroupConcat {
    separator: String,
    limit: usize,
    /// `None` after an error: a value that is not a string, or the limit passed.
    value: Option<String>,
    /// The language of every value so far: `None` before the first, `Some(None)` when
    /// they differ or have none.
    language: Option<Option<String>>,
}

impl AggregateFunctionAccumulator for BoundedGroupConcat {
    fn accumulate(&mut self, element: Term) {
        let Some(value) = self.value.as_mut() else {
            return;
        };
        let Term::Literal(literal) = element else {
            self.value = None;
            return;
        };
        let language = literal.language().map(str::to_owned);
        if language.is_none() && literal.datatype() != oxigraph::model::vocab::xsd::STRING {
            self.value = None;
            return;
        }
        match &self.language {
            Some(previous) => {
                if *previous != language {
                    self.language = Some(None);
                }
                value.push_str(&self.separator);
            }
            None => self.language = Some(language),
        }
        value.push_str(literal.value());
        if value.len() > self.limit {
            self.value = None;
        }
    }

    fn finish(&mut self) -> Option<Term> {
        let value = self.value.take()?;
        Some(match self.language.take().flatten() {
            Some(language) => Literal::new_language_tagged_literal_unchecked(value, language).into(),
            None => Literal::new_simple_literal(value).into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_counted_outside_strings_and_comments() {
        let deep = format!("SELECT * {}{}", "{".repeat(200), "}".repeat(200));
        let error = check_nesting(&deep, "query").unwrap_err().to_string();
        assert!(
            error.contains("deeper than 128") && error.contains("line 1"),
            "{error}"
        );
        let quoted = format!(
            "SELECT * {{ ?s ?p \"{}\" }} # {}",
            "(".repeat(500),
            "[".repeat(500)
        );
        check_nesting(&quoted, "query").unwrap();
        let long = format!("SELECT * {{ ?s ?p \"\"\"a\"b{}\"\"\" }}", "{".repeat(500));
        check_nesting(&long, "query").unwrap();
        let after = format!("SELECT * {{ ?s ?p 'x' }} {}", "(".repeat(129));
        assert!(check_nesting(&after, "query").is_err());
    }

    #[test]
    fn non_deterministic_calls_are_found_in_the_algebra() {
        for (query, deterministic) in [
            ("SELECT * { ?s ?p ?o }", true),
            ("SELECT (NOW () AS ?t) {}", false),
            ("SELECT ?x { BIND(rand( ) AS ?x) }", false),
            ("SELECT * { FILTER(STRUUID() != \"\") }", false),
            (
                "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
                false,
            ),
            (
                "SELECT * { SERVICE <https://w3id.org/civicgraph/search#> { ?s <https://w3id.org/civicgraph/search#matches> \"x\" } }",
                true,
            ),
            ("SELECT * { ?s ?p \"now()\" }", true),
        ] {
            assert_eq!(
                GuardedQuery::parse(query, None).unwrap().deterministic,
                deterministic,
                "{query}"
            );
        }
    }

    #[test]
    fn products_are_evaluated_laterally() {
        let guarded = GuardedQuery::parse("SELECT * { ?a ?b ?c . ?d ?e ?f }", None).unwrap();
        assert!(guarded.query.to_string().contains("LATERAL"), "{}", guarded.query);
        let groups = GuardedQuery::parse("SELECT * { { ?a ?b ?c } { ?d ?e ?f } }", None).unwrap();
        assert!(groups.query.to_string().contains("LATERAL"), "{}", groups.query);
        let joined = GuardedQuery::parse("SELECT * { ?a ?b ?c . ?c ?e ?f }", None).unwrap();
        assert!(!joined.query.to_string().contains("LATERAL"), "{}", joined.query);
    }

    #[test]
    fn growing_functions_are_bounded_and_refused_when_unbounded() {
        let guarded =
            GuardedQuery::parse("SELECT (CONCAT(?a, ?a) AS ?b) { BIND(\"x\" AS ?a) }", None).unwrap();
        assert!(guarded.query.to_string().contains(BOUNDED), "{}", guarded.query);
        let args = vec!["?a"; MAX_CONCAT_ARGUMENTS + 1].join(",");
        assert!(GuardedQuery::parse(&format!("SELECT (CONCAT({args}) AS ?b) {{}}"), None).is_err());
        assert!(GuardedQuery::parse("SELECT (REPLACE(?a, \"x\", ?r) AS ?b) {}", None).is_err());
        let long = "$0".repeat(40);
        assert!(
            GuardedQuery::parse(
                &format!("SELECT (REPLACE(?a, \"x\", \"{long}\") AS ?b) {{}}"),
                None
            )
            .is_err()
        );
    }
}
