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
use spargebra::term::{NamedNodePattern, Variable};
use std::collections::HashSet;

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
        check_query_text(sparql)?;
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
        if walker.planned > MAX_PLANNED {
            return Err(GraphError::Refused(format!(
                "the query combines {} patterns (triple patterns, paths, VALUES, joins, \
                 OPTIONALs, MINUSes, UNIONs, GRAPHs and SERVICEs); at most {MAX_PLANNED}, as \
                 planning their order grows with about the cube of their number",
                walker.planned
            )));
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

/// Refuses text that nests `(`, `{` or `[` deeper than [`MAX_NESTING`], or chains more
/// than [`MAX_CHAIN`] links ([`Scan`]), outside string literals, IRIs and comments, naming
/// the line and column where it happens. `what` names the text ("query", "update").
pub fn check_nesting(text: &str, what: &'static str) -> Result<()> {
    scan(text, MAX_NESTING, what, true, false)
}

/// [`check_nesting`] for a query, whose triple patterns are links of its chain too (the
/// `.`, `;` and `,` between them inside a group: the parser recurses once per pattern).
/// Updates are not counted so: they are written by holders of the write token, and an
/// `INSERT DATA` of many triples is how they load data.
pub fn check_query_text(text: &str) -> Result<()> {
    scan(text, MAX_NESTING, "query", true, true)
}

/// The same scan for any bracketed grammar: `sparql` also skips SPARQL's string literals,
/// IRIs and `#` comments, and counts the links a SPARQL parser chains.
pub fn check_depth(text: &str, max: usize, what: &'static str, sparql: bool) -> Result<()> {
    scan(text, max, what, sparql, false)
}

/// [`check_depth`], counting a query's triple patterns as links when `triples`.
fn scan(text: &str, max: usize, what: &'static str, sparql: bool, triples: bool) -> Result<()> {
    let mut scan = Scan {
        line: 1,
        ..Scan::default()
    };
    let mut chars = text.chars().peekable();
    let mut quote: Option<(char, bool)> = None;
    while let Some(c) = chars.next() {
        scan.advance(c);
        if let Some((q, long)) = quote {
            if c == '\\' {
                chars.next();
                scan.column += 1;
            } else if c == q {
                if !long {
                    quote = None;
                } else if chars.peek() == Some(&q) {
                    chars.next();
                    if chars.peek() == Some(&q) {
                        chars.next();
                        quote = None;
                    }
                    scan.column += 2;
                }
                scan.after_string = quote.is_none();
            }
            continue;
        }
        let in_word = scan.in_word;
        if sparql && scan.word(c, chars.peek().copied()) {
            if !in_word {
                scan.value_term()?;
            }
            continue;
        }
        if sparql && scan.end_word() {
            scan.values_next |= scan.keyword == "VALUES";
            scan.link(what)?;
        }
        match c {
            '"' | '\'' if sparql => {
                scan.value_term()?;
                let mut lookahead = chars.clone();
                let long = lookahead.next() == Some(c) && lookahead.next() == Some(c);
                if long {
                    chars.next();
                    chars.next();
                    scan.column += 2;
                }
                quote = Some((c, long));
            }
            '#' if sparql => {
                for next in chars.by_ref() {
                    if next == '\n' {
                        scan.line += 1;
                        scan.column = 0;
                        break;
                    }
                }
            }
            '(' | '{' | '[' => {
                scan.brackets.push(c);
                if scan.brackets.len() > max {
                    return Err(GraphError::TooDeep {
                        what,
                        max,
                        line: scan.line,
                        column: scan.column,
                    });
                }
                if sparql && c == '{' {
                    scan.link(what)?;
                    if std::mem::take(&mut scan.values_next) && scan.values_at.is_none() {
                        scan.values_at = Some(scan.brackets.len());
                    }
                }
            }
            ')' | '}' | ']' => {
                if scan.values_at == Some(scan.brackets.len()) && c == '}' {
                    scan.values_at = None;
                }
                scan.brackets.pop();
            }
            '.' | ';' | ',' if triples && matches!(scan.brackets.last(), Some('{' | '[')) => {
                scan.link(what)?;
            }
            '<' if sparql => {
                // An IRI (`<http://…>`) runs to `>` without spaces; any other `<` compares.
                let mut lookahead = chars.clone();
                let mut length = 0;
                let closed = loop {
                    match lookahead.next() {
                        Some('>') => break true,
                        Some(c) if c > ' ' && !"<\"{}|^`\\".contains(c) => length += 1,
                        _ => break false,
                    }
                };
                if closed {
                    for _ in 0..=length {
                        chars.next();
                    }
                    scan.column += length + 1;
                    scan.value_term()?;
                } else {
                    scan.link(what)?;
                }
            }
            // `"1"^^xsd:integer`: a datatype, not an inverse path.
            '^' if sparql && scan.after_string && chars.peek() == Some(&'^') => {
                chars.next();
                scan.column += 1;
            }
            '|' | '&' | '=' | '!' | '>' | '+' | '-' | '*' | '/' | '^' | '?' | '$' if sparql => {
                scan.link(what)?;
            }
            _ => {}
        }
        if !c.is_whitespace() {
            scan.after_string = false;
        }
    }
    if sparql && scan.end_word() {
        scan.link(what)?;
    }
    Ok(())
}

/// The most links a query or update may chain: binary and unary operators, property-path
/// steps, `{` groups, a query's triple patterns ([`check_query_text`]) and the keywords
/// that join patterns (UNION, OPTIONAL, MINUS, FILTER,
/// BIND, GRAPH, SERVICE, VALUES). Each builds a level of the algebra tree (`1+1+1` is
/// `(1+1)+1`), whatever the brackets, and walking, evaluating and freeing that tree
/// recurses once per level: a chain of millions aborted the server. A long list of
/// alternatives (`?x = <a> || ?x = <b> || …`) is a chain too; VALUES and IN are not.
pub const MAX_CHAIN: usize = 4096;

/// The most patterns a query may give the planner: triple patterns, property paths and
/// VALUES blocks, and the joins, OPTIONALs, MINUSes, UNIONs, GRAPHs and SERVICEs that
/// combine them, counted on the parsed algebra. Oxigraph's planner orders joins greedily and
/// infers the variables' types of every subtree again at each level, which grows with
/// about the cube of their number and has no cancellation check: a chain of 250 OPTIONALs
/// planned for 22 s, 500 for minutes, still running long after its client was answered
/// 503, and holding a query slot all the while. Real queries hold tens.
pub const MAX_PLANNED: usize = 128;

/// The most terms the VALUES data blocks of a query or update may hold, counted on the
/// text. A block is parsed, copied and encoded whole before evaluation begins, where no
/// cancellation reaches it: two million rows (15 MB) took seconds to parse, 320 MB to
/// hold, and minutes to prepare after their query was answered 503. Clients that send
/// bindings in VALUES send them by the hundred or thousand.
pub const MAX_VALUES_TERMS: usize = 100_000;

/// The keywords that join a group's patterns into a chain.
const CHAINING_KEYWORDS: [&str; 8] = [
    "UNION", "OPTIONAL", "MINUS", "FILTER", "BIND", "GRAPH", "SERVICE", "VALUES",
];

/// Where [`check_depth`] is in the text and what it has counted.
#[derive(Default)]
struct Scan {
    line: usize,
    column: usize,
    links: usize,
    /// Inside a word (a keyword, variable, prefixed name, number or language tag).
    in_word: bool,
    /// The word so far, upper-cased, while it could still be a keyword.
    keyword: String,
    /// The word is a prefixed name or a language tag, in which `-` and `.` are letters.
    name: bool,
    /// The word began with a letter: a keyword or a prefix, which may hold `-`
    /// (`dcat-ap:`); a variable or a number may not (`?n-1`, `1-1` subtract).
    letter_first: bool,
    /// A string literal just closed: `^^` names its datatype.
    after_string: bool,
    /// A VALUES keyword was read; its data block has not begun.
    values_next: bool,
    /// Inside a VALUES data block, opened at this depth: terms only, no chain, however
    /// many rows and signed numbers.
    values_at: Option<usize>,
    /// The brackets open, innermost last: their number is the depth (at most the scan's
    /// `max`, plus the one refused).
    brackets: Vec<char>,
    /// The terms of VALUES data blocks so far ([`MAX_VALUES_TERMS`]).
    values_terms: usize,
}

impl Scan {
    fn advance(&mut self, c: char) {
        if c == '\n' {
            self.line += 1;
            self.column = 0;
        } else {
            self.column += 1;
        }
    }

    /// Takes `c` into the current word, or starts one; `false` when `c` is not part of one.
    fn word(&mut self, c: char, next: Option<char>) -> bool {
        let letter = |c: char| c.is_alphanumeric() || c == '_';
        let part = letter(c)
            || c == ':'
            || (c == '@' && !self.in_word)
            || ((c == '?' || c == '$') && !self.in_word && next.is_some_and(letter))
            || (self.in_word && (self.name || self.letter_first) && c == '-')
            || (self.in_word && self.name && (c == '%' || (c == '.' && next.is_some_and(letter))));
        if !part {
            return false;
        }
        if !self.in_word {
            self.in_word = true;
            self.keyword.clear();
            self.name = c == '@';
            self.letter_first = c.is_alphabetic();
        }
        self.name |= c == ':';
        if self.keyword.len() <= 8 {
            self.keyword.extend(c.to_uppercase());
        }
        self.after_string = false;
        true
    }

    /// Ends the current word; whether it was a keyword that chains.
    fn end_word(&mut self) -> bool {
        let was = std::mem::take(&mut self.in_word);
        was && !self.name && CHAINING_KEYWORDS.contains(&self.keyword.as_str())
    }

    /// Counts a term (a word, IRI or literal) when inside a VALUES data block.
    fn value_term(&mut self) -> Result<()> {
        if self.values_at.is_none() {
            return Ok(());
        }
        self.values_terms += 1;
        if self.values_terms > MAX_VALUES_TERMS {
            return Err(GraphError::Refused(format!(
                "the VALUES blocks hold more than {MAX_VALUES_TERMS} terms (line {}, column {}); \
                 each is copied and encoded before the query runs",
                self.line, self.column
            )));
        }
        Ok(())
    }

    fn link(&mut self, what: &'static str) -> Result<()> {
        if self.values_at.is_some() {
            return Ok(());
        }
        self.links += 1;
        if self.links > MAX_CHAIN {
            return Err(GraphError::TooLong {
                what,
                max: MAX_CHAIN,
                line: self.line,
                column: self.column,
            });
        }
        Ok(())
    }
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
    /// The patterns the planner will order ([`MAX_PLANNED`]).
    planned: usize,
    /// Every variable the pattern walked so far names: in its triple patterns, paths and
    /// VALUES, its expressions, its sub-queries and `EXISTS` (named there is named: a
    /// lateral evaluation would put a value in it).
    names: HashSet<Variable>,
}

impl Default for Walker {
    fn default() -> Self {
        Self {
            deterministic: true,
            separators: Vec::new(),
            planned: 0,
            names: HashSet::new(),
        }
    }
}

impl Walker {
    fn pattern(&mut self, pattern: &mut GraphPattern) -> Result<()> {
        self.planned += match pattern {
            GraphPattern::Bgp { patterns } => patterns.len(),
            GraphPattern::Path { .. }
            | GraphPattern::Values { .. }
            | GraphPattern::Join { .. }
            | GraphPattern::LeftJoin { .. }
            | GraphPattern::Lateral { .. }
            | GraphPattern::Minus { .. }
            | GraphPattern::Union { .. }
            | GraphPattern::Graph { .. }
            | GraphPattern::Service { .. } => 1,
            _ => 0,
        };
        match pattern {
            GraphPattern::Bgp { .. } | GraphPattern::Path { .. } | GraphPattern::Values { .. } => {
                pattern.on_in_scope_variable(|v| {
                    self.names.insert(v.clone());
                });
            }
            GraphPattern::Graph { name, .. } | GraphPattern::Service { name, .. } => {
                if let NamedNodePattern::Variable(v) = name {
                    self.names.insert(v.clone());
                }
            }
            GraphPattern::Extend { variable, .. } => {
                self.names.insert(variable.clone());
            }
            GraphPattern::Project { variables, .. } => self.names.extend(variables.iter().cloned()),
            GraphPattern::Group {
                variables,
                aggregates,
                ..
            } => {
                self.names.extend(variables.iter().cloned());
                self.names.extend(aggregates.iter().map(|(v, _)| v.clone()));
            }
            _ => {}
        }
        match pattern {
            GraphPattern::Bgp { patterns } => {
                // Triple patterns that share no variable are a product too (see `Join`).
                let components = components(patterns)?;
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
                let outer = std::mem::take(&mut self.names);
                self.pattern(left)?;
                let left_names = std::mem::take(&mut self.names);
                self.pattern(right)?;
                let right_names = std::mem::replace(&mut self.names, outer);
                let product = is_product(left, right, &right_names);
                self.names.extend(left_names);
                self.names.extend(right_names);
                if product {
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
                let search = matches!(name, NamedNodePattern::NamedNode(n)
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
            Expression::NamedNode(_) | Expression::Literal(_) => Ok(()),
            Expression::Variable(v) | Expression::Bound(v) => {
                self.names.insert(v.clone());
                Ok(())
            }
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
                    let call = std::mem::replace(expression, Expression::Bound(Variable::new_unchecked("_")));
                    *expression = bounded(call);
                }
                Ok(())
            }
        }
    }
}

/// The most parts sharing no variable that one group of triple patterns may join: a
/// product of that many unbounded patterns never ends anyway, and each part is a level of
/// the `Lateral` chain the rewrite builds.
pub const MAX_PRODUCT: usize = 64;

/// The triple patterns grouped by the variables and blank nodes that connect them, each
/// group in the order its first pattern came; the patterns with none (each matches once
/// or never) are one group. Linear: each pattern's names are joined through a union-find.
fn components(
    patterns: &[spargebra::term::TriplePattern],
) -> Result<Vec<Vec<spargebra::term::TriplePattern>>> {
    use spargebra::term::{NamedNodePattern, TermPattern};
    use std::collections::HashMap;
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    // Pattern i is node i; the patterns with no variable all join node `patterns.len()`.
    let constants = patterns.len();
    let mut parent: Vec<usize> = (0..=constants).collect();
    let mut owner: HashMap<String, usize> = HashMap::new();
    for (index, triple) in patterns.iter().enumerate() {
        let mut names = Vec::new();
        for term in [&triple.subject, &triple.object] {
            match term {
                TermPattern::Variable(v) => names.push(format!("?{}", v.as_str())),
                TermPattern::BlankNode(b) => names.push(format!("_:{}", b.as_str())),
                _ => {}
            }
        }
        if let NamedNodePattern::Variable(v) = &triple.predicate {
            names.push(format!("?{}", v.as_str()));
        }
        if names.is_empty() {
            let (a, b) = (root(&mut parent, index), root(&mut parent, constants));
            parent[a] = b;
        }
        for name in names {
            let other = *owner.entry(name).or_insert(index);
            let (a, b) = (root(&mut parent, index), root(&mut parent, other));
            parent[a] = b;
        }
    }
    let mut groups: Vec<Vec<spargebra::term::TriplePattern>> = Vec::new();
    let mut group_of: HashMap<usize, usize> = HashMap::new();
    for (index, triple) in patterns.iter().enumerate() {
        let key = root(&mut parent, index);
        let group = *group_of.entry(key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[group].push(triple.clone());
    }
    let constant_group = usize::from(group_of.contains_key(&root(&mut parent, constants)));
    if groups.len() - constant_group <= 1 {
        // Nothing to split: one set of connected patterns, with constant checks beside it.
        return Ok(vec![patterns.to_vec()]);
    }
    if groups.len() > MAX_PRODUCT {
        return Err(GraphError::Refused(format!(
            "a group of the query joins {} sets of triple patterns that share no variable, a \
             product of them all; at most {MAX_PRODUCT}",
            groups.len()
        )));
    }
    Ok(groups)
}

/// Whether two join operands are a cartesian product that may be evaluated laterally: the
/// left binds variables, the right binds some, and the right names none of the left's
/// anywhere (`right_names`, [`Walker::names`]). Lateral evaluation puts each left
/// solution's values into the right side, so a variable the right only reads
/// (`{ BIND(?o + 1 AS ?z) }`, a `FILTER`, a `MINUS`) must not be one the left binds: in a
/// join the right side never sees it (the W3C tests `bind07` and `bind10` hold this).
fn is_product(left: &GraphPattern, right: &GraphPattern, right_names: &HashSet<Variable>) -> bool {
    let mut bound = HashSet::new();
    left.on_in_scope_variable(|v| {
        bound.insert(v.clone());
    });
    let mut right_binds = false;
    right.on_in_scope_variable(|_| right_binds = true);
    !bound.is_empty() && right_binds && bound.is_disjoint(right_names)
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
    fn chains_are_counted_outside_strings_iris_names_and_datatypes() {
        let plus = format!("SELECT * {{ FILTER(1{}) }}", "+1".repeat(MAX_CHAIN));
        let error = check_nesting(&plus, "query").unwrap_err().to_string();
        assert!(
            error.contains("chains more than 4096") && error.contains("line 1, column"),
            "{error}"
        );
        for chain in [
            format!("SELECT * {{ FILTER({}true) }}", "!".repeat(MAX_CHAIN + 1)),
            format!("SELECT * {{ ?a <p>{} ?b }}", "/<p>".repeat(MAX_CHAIN + 1)),
            format!("SELECT * {{ {{}} {} }}", "UNION {} ".repeat(MAX_CHAIN / 2 + 1)),
            format!(
                "SELECT * {{ {} }}",
                "optional { ?a ?b ?c } ".repeat(MAX_CHAIN / 2 + 1)
            ),
            format!("SELECT * {{ FILTER(1{}) }}", "-1".repeat(MAX_CHAIN + 1)),
        ] {
            assert!(check_nesting(&chain, "query").is_err(), "{}", &chain[..60]);
        }
        // Long flat lists are no chain: VALUES rows of typed literals, negative numbers,
        // IRIs with slashes, prefixed names and language tags with hyphens, strings and
        // comments full of operators.
        let values = format!(
            "PREFIX my-ns: <http://example.org/a-b/> SELECT * {{ VALUES (?x ?y ?z ?w) {{ {} }} }}",
            "(\"1\"^^<http://www.w3.org/2001/XMLSchema#integer> <http://example.org/x/y/z> \
             my-ns:local-name.part \"chat\"@fr-CA) \"a+b|c\" # = + - * / \n"
                .repeat(3 * MAX_CHAIN)
        );
        check_nesting(&values, "query").unwrap();
        let numbers = format!(
            "SELECT * {{ VALUES ?n {{ {} }} }}",
            "-1.5e-3 ".repeat(MAX_CHAIN - 10)
        );
        check_nesting(&numbers, "query").unwrap();
        let in_list = format!(
            "SELECT * {{ ?s ?p ?o FILTER(?s IN (<a>{})) }}",
            ", <a>".repeat(3 * MAX_CHAIN)
        );
        check_query_text(&in_list).unwrap();
        // A query's triple patterns are a chain; an update's data is not.
        let triples = "?a <http://e/p> ?b . ".repeat(MAX_CHAIN + 1);
        assert!(check_query_text(&format!("SELECT * {{ {triples} }}")).is_err());
        let objects = format!("SELECT * {{ ?a ?b ?c {} }}", ", ?c".repeat(MAX_CHAIN + 1));
        assert!(check_query_text(&objects).is_err());
        let data = "<http://e/s> <http://e/p> \"o\" . ".repeat(10 * MAX_CHAIN);
        check_nesting(&format!("INSERT DATA {{ {data} }}"), "update").unwrap();
        let or = format!(
            "SELECT * {{ ?s ?p ?o FILTER(?s = <a>{}) }}",
            " || ?s = <a>".repeat(1000)
        );
        check_nesting(&or, "query").unwrap();
    }

    #[test]
    fn unconnected_patterns_are_a_bounded_product_and_constant_checks_one_group() {
        let constants = format!(
            "SELECT * {{ ?a ?b ?c . {} }}",
            "<http://e/s> <http://e/p> <http://e/o> . ".repeat(100)
        );
        let guarded = GuardedQuery::parse(&constants, None).unwrap();
        assert!(!guarded.query.to_string().contains("LATERAL"));
        let products: String = (0..=MAX_PRODUCT)
            .map(|i| format!("?a{i} ?b{i} ?c{i} . "))
            .collect();
        let error = GuardedQuery::parse(&format!("SELECT * {{ {products} }}"), None)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("share no variable") && error.contains("at most 64"),
            "{error}"
        );
    }

    #[test]
    fn values_blocks_hold_a_bounded_number_of_terms() {
        let values = |rows: usize| {
            let rows: String = (0..rows).map(|i| format!("(<http://e/{i}> \"{i}\") ")).collect();
            format!("SELECT * {{ VALUES (?x ?y) {{ {rows} }} }}")
        };
        check_query_text(&values(MAX_VALUES_TERMS / 2)).unwrap();
        let error = check_query_text(&values(MAX_VALUES_TERMS / 2 + 1))
            .unwrap_err()
            .to_string();
        assert!(error.contains("more than 100000 terms"), "{error}");
        // Numbers count too; terms outside VALUES do not.
        let numbers = format!(
            "SELECT * {{ VALUES ?n {{ {} }} }}",
            "7 ".repeat(MAX_VALUES_TERMS + 1)
        );
        assert!(check_query_text(&numbers).is_err());
        let filter = format!(
            "SELECT * {{ ?s ?p ?o FILTER(?o IN ({})) }}",
            vec!["7"; MAX_VALUES_TERMS + 1].join(", ")
        );
        check_query_text(&filter).unwrap();
    }

    #[test]
    fn the_patterns_given_to_the_planner_are_counted_on_the_algebra() {
        let optionals = |n: usize| {
            let chain: String = (0..n)
                .map(|i| format!("OPTIONAL {{ ?s <http://e/p{i}> ?o{i} }} "))
                .collect();
            GuardedQuery::parse(&format!("SELECT * {{ ?s ?p ?o {chain} }}"), None)
        };
        // n OPTIONALs are n left joins of n + 1 triple patterns.
        optionals((MAX_PLANNED - 1) / 2).unwrap();
        let error = optionals(MAX_PLANNED / 2).unwrap_err().to_string();
        assert!(error.contains("at most 128"), "{error}");
        // Patterns inside FILTER EXISTS and sub-queries are planned too.
        let exists: String = (0..MAX_PLANNED)
            .map(|i| format!("FILTER EXISTS {{ SELECT * {{ ?s <http://e/p{i}> ?o }} }} "))
            .collect();
        assert!(GuardedQuery::parse(&format!("SELECT * {{ ?s ?p ?o {exists} }}"), None).is_err());
        // One group of many connected patterns, as a wide query writes them.
        let wide: String = (1..MAX_PLANNED)
            .map(|i| format!("?s <http://e/p{i}> ?o{i} . "))
            .collect();
        GuardedQuery::parse(&format!("SELECT * {{ {wide} }}"), None).unwrap();
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
    fn a_side_that_reads_the_other_side_s_variables_is_joined_not_lateral() {
        // Laterally, the right side would see ?o, ?z or ?a, which a join hides from it.
        for query in [
            "SELECT * { ?s ?p ?o . { BIND(?o + 1 AS ?z) } UNION { BIND(?o + 2 AS ?z) } }",
            "SELECT * { BIND(4 AS ?z) { ?s ?p ?v FILTER(?v = ?z) } }",
            "SELECT * { ?a ?b ?c { ?x ?y ?w MINUS { ?a ?y ?w } } }",
            "SELECT * { ?a ?b ?c { ?x ?y ?w FILTER EXISTS { ?a ?y ?x } } }",
        ] {
            let guarded = GuardedQuery::parse(query, None).unwrap();
            assert!(
                !guarded.query.to_string().contains("LATERAL"),
                "{query}: {}",
                guarded.query
            );
        }
        let own = "SELECT * { ?a ?b ?c { ?x ?y ?w FILTER(?w > 1) } }";
        let guarded = GuardedQuery::parse(own, None).unwrap();
        assert!(
            guarded.query.to_string().contains("LATERAL"),
            "{own}: {}",
            guarded.query
        );
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
