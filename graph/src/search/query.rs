//! Searching the index: the query language, filters, facet counts, snippets, sorting and
//! paging. A search that must count finds its page of hits and its total and facet counts
//! ([`super::facets`], from the segment tables) in one pass over the matches. The counts are
//! kept ([`super::counts`]), so the same search again, in another order or at another page,
//! only finds its hits, which in relevance order skips most matches of a one-word search.

use super::counts::{CountKey, Counts};
use super::facets::{FacetCollector, count_everything};
use super::index::{SearchIndex, confidence_term};
use super::request::{
    FACETS, FacetCount, MAX_SEARCH_CLAUSES, MAX_SEARCH_NESTING, SearchFilter, SearchHit, SearchPage,
    SearchRequest, SearchSort,
};
use super::segment_table::DATE_FIELD;
use crate::error::{GraphError, Result};
use std::ops::Bound;
use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Order, Searcher, TantivyDocument, Term};

impl SearchIndex {
    fn query(&self, request: &SearchRequest) -> Result<Box<dyn Query>> {
        let f = self.fields;
        // tantivy 0.25's query grammar takes twice as long at each level of parentheses
        // (its issue #2498): 25 levels took 33 s. Nobody searches deeper than a few.
        crate::query_guard::check_depth(&request.text, MAX_SEARCH_NESTING, "search query", false)?;
        let too_many = |count: usize, what: &str| {
            GraphError::Refused(format!(
                "the search has {count} {what}; at most {MAX_SEARCH_CLAUSES}, as each is a \
                 clause held while it runs"
            ))
        };
        let words = request.text.split_whitespace().count();
        if words > MAX_SEARCH_CLAUSES {
            return Err(too_many(words, "words"));
        }
        let text_query: Box<dyn Query> = if request.text.trim().is_empty() {
            Box::new(AllQuery)
        } else {
            // Words match the one weighted text field; `title:word` and the like, their field.
            let mut parser = QueryParser::for_index(&self.index, vec![f.text]);
            parser.set_conjunction_by_default();
            parser
                .parse_query(&request.text)
                .map_err(|e| GraphError::SearchSyntax {
                    query: request.text.clone(),
                    message: e.to_string(),
                })?
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query)];
        let filter = &request.filter;
        let mut filter_values = filter.keys.len();
        for (field, values) in [
            (f.kind, &filter.kinds),
            (f.pattern, &filter.patterns),
            (f.theme, &filter.themes),
            (f.publisher_name, &filter.publishers),
            (f.catalogue, &filter.catalogues),
            (f.region, &filter.regions),
            (f.format, &filter.formats),
            (f.licence, &filter.licences),
            (f.beneficiary, &filter.beneficiaries),
            (f.enabler, &filter.enablers),
            (f.actor, &filter.actors),
            (f.channel, &filter.channels),
            (f.benefit, &filter.benefits),
            (f.country, &filter.countries),
            (f.method, &filter.methods),
            (f.organization, &filter.organizations),
            (f.group, &filter.groups),
            (f.tag, &filter.tags),
            (f.res_format, &filter.res_formats),
            (f.graph, &filter.graphs),
        ] {
            if values.is_empty() {
                continue;
            }
            filter_values += values.len();
            let any: Vec<(Occur, Box<dyn Query>)> = values
                .iter()
                .map(|v| {
                    // A licence is indexed by the concept its address stands for, a format
                    // by the one key it has however it was written.
                    let term = if field == f.licence {
                        Term::from_field_text(field, &civicgraph_vocab::authority::licence_key(v))
                    } else if field == f.format {
                        Term::from_field_text(field, &civicgraph_vocab::authority::format_key(v))
                    } else {
                        Term::from_field_text(field, v)
                    };
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>,
                    )
                })
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        if filter_values > MAX_SEARCH_CLAUSES {
            return Err(too_many(filter_values, "filter values"));
        }
        if let Some(least) = filter.min_confidence {
            let patterns: Vec<&str> = if filter.patterns.is_empty() {
                civicgraph_vocab::ODI_PATTERNS
                    .iter()
                    .map(|p| p.as_str())
                    .collect()
            } else {
                filter.patterns.iter().map(String::as_str).collect()
            };
            let any: Vec<(Occur, Box<dyn Query>)> = patterns
                .into_iter()
                .filter_map(|pattern| {
                    let from = confidence_term(pattern, least)?;
                    let to = confidence_term(pattern, 1000)?;
                    Some((
                        Occur::Should,
                        Box::new(RangeQuery::new(
                            Bound::Included(Term::from_field_u64(f.confidence, from)),
                            Bound::Included(Term::from_field_u64(f.confidence, to)),
                        )) as Box<dyn Query>,
                    ))
                })
                .collect();
            // Only NONE asked for: nothing has NONE with a confidence.
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        if !filter.keys.is_empty() {
            let any: Vec<(Occur, Box<dyn Query>)> = filter
                .keys
                .iter()
                .map(|key| {
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(
                            Term::from_field_u64(f.key, *key),
                            IndexRecordOption::Basic,
                        )) as Box<dyn Query>,
                    )
                })
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        if filter.modified_from.is_some() || filter.modified_to.is_some() {
            let bound = |seconds: Option<i64>, open: i64| {
                Bound::Included(Term::from_field_i64(f.modified, seconds.unwrap_or(open)))
            };
            // Undated records (`i64::MIN`) never fall in a range with a lower bound.
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    bound(filter.modified_from, i64::MIN + 1),
                    bound(filter.modified_to, i64::MAX),
                )),
            ));
        }
        if filter.year_from.is_some() || filter.year_to.is_some() {
            let bound = |year: Option<u64>| match year {
                Some(y) => Bound::Included(Term::from_field_u64(f.year, y)),
                None => Bound::Unbounded,
            };
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(bound(filter.year_from), bound(filter.year_to))),
            ));
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    /// Runs one search: a page of hits, the total, and (when asked) the facet counts.
    pub fn search_page(&self, request: &SearchRequest) -> Result<SearchPage> {
        let searcher = self.reader.searcher();
        let query = self.query(request)?;
        let limit = request.limit.max(1);
        let top = TopDocs::with_limit(limit).and_offset(request.offset);
        let by_date = request.sort == SearchSort::Date
            || (request.sort == SearchSort::Relevance && request.text.trim().is_empty());
        let generation = searcher.generation().generation_id();
        let key = CountKey::of(request);
        // No text and no filter: the web page's opening view, and CKAN's bare package_search.
        let everything = request.text.trim().is_empty() && request.filter == SearchFilter::default();
        // The segment tables follow the searcher: those of segments it no longer has go.
        self.segment_tables.prune(&searcher);
        let kept = self.counts.get(generation, &key);
        // Counting visits every match; with no text and no filter the counts are the
        // segments' kept counts of all their records instead.
        let counting = kept.is_none() && !everything;
        let size = request.facet_size.max(1);
        let counter = Counter {
            facets: request.facets.then_some(FacetCollector {
                tables: &self.segment_tables,
                size,
            }),
        };
        // The page of hits, and the counts in the same pass over the matches when they are
        // not kept. Alone, a one-word search in relevance order (a disjunction of the word
        // in each text field) skips most matches with block-max WAND; counting visits them
        // all anyway, and one pass that scores them costs less than two passes, one scoring
        // and one counting (a search of several words scores every match in either case).
        let (addresses, counted): (Vec<(f32, DocAddress)>, Option<Counts>) =
            if request.sort == SearchSort::Key {
                let (top, counted) = counter.search(
                    &searcher,
                    &query,
                    top.order_by_fast_field::<u64>("key", Order::Asc),
                    counting,
                )?;
                (top.into_iter().map(|(_, a)| (0.0, a)).collect(), counted)
            } else if request.sort == SearchSort::Modified {
                let (top, counted) = counter.search(
                    &searcher,
                    &query,
                    top.order_by_fast_field::<i64>("modified", Order::Desc),
                    counting,
                )?;
                (top.into_iter().map(|(_, a)| (0.0, a)).collect(), counted)
            } else if by_date && everything {
                let page = self
                    .segment_tables
                    .newest_first(&searcher, request.offset, limit)?
                    .into_iter()
                    .map(|a| (0.0, a))
                    .collect();
                (page, None)
            } else if by_date {
                let (top, counted) = counter.search(
                    &searcher,
                    &query,
                    top.order_by_fast_field::<i64>(DATE_FIELD, Order::Desc),
                    counting,
                )?;
                (top.into_iter().map(|(_, a)| (0.0, a)).collect(), counted)
            } else {
                counter.search(&searcher, &query, top, counting)?
            };
        let counts = match (kept, counted) {
            (Some(counts), _) => counts,
            (None, Some(counted)) => self.counts.put(generation, key, counted),
            (None, None) => {
                let counted = Counts {
                    total: searcher.num_docs() as usize,
                    facets: if request.facets {
                        count_everything(&self.segment_tables, &searcher, size)?
                    } else {
                        Vec::new()
                    },
                };
                self.counts.put(generation, key, counted)
            }
        };

        let f = self.fields;
        let snippets = self.snippets(&searcher, &*query)?;
        let mut hits = Vec::with_capacity(addresses.len());
        for (score, address) in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            let all = |field: Field| -> Vec<String> {
                doc.get_all(field)
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            };
            let mut snippet = snippets.snippet_from_doc(&doc).to_html();
            if snippet.is_empty() {
                // No match in the description (or no query): its opening, escaped.
                let description = all(f.description).into_iter().next().unwrap_or_default();
                snippet = escape(&crate::prose::opening(&description, 240));
            }
            let iri = all(f.iri).into_iter().next().unwrap_or_default();
            let assignments = match doc.get_first(f.assignments).and_then(|v| v.as_str()) {
                Some(stored) => crate::assignment::decode(&iri, stored)?,
                None => Vec::new(),
            };
            hits.push(SearchHit {
                iri,
                kind: all(f.kind).into_iter().next().unwrap_or_default(),
                title: all(f.title).into_iter().next().unwrap_or_default(),
                score,
                snippet,
                patterns: all(f.pattern),
                assignments,
                publishers: all(f.publisher_name),
                catalogues: all(f.catalogue),
                themes: all(f.theme),
                regions: all(f.region),
                year: doc.get_first(f.year).and_then(|v| v.as_u64()),
            });
        }

        let facets = FACETS
            .into_iter()
            .zip(&counts.facets)
            .map(|(name, values)| {
                let values = values
                    .iter()
                    .map(|(value, count)| FacetCount {
                        value: value.clone(),
                        count: *count,
                    })
                    .collect();
                (name.to_owned(), values)
            })
            .collect();
        Ok(SearchPage {
            total: counts.total,
            hits,
            facets,
        })
    }

    /// What highlights a hit's description: the words the query looks for in the text
    /// field (which holds the description) or in the description itself, the rarer in
    /// descriptions the stronger, as tantivy's own `SnippetGenerator::create` weighs them.
    fn snippets(&self, searcher: &Searcher, query: &dyn Query) -> Result<SnippetGenerator> {
        let f = self.fields;
        let mut words = std::collections::BTreeSet::new();
        query.query_terms(&mut |term, _| {
            if (term.field() == f.text || term.field() == f.description)
                && let Some(word) = term.value().as_str()
            {
                words.insert(word.to_owned());
            }
        });
        let mut weighted = std::collections::BTreeMap::new();
        for word in words {
            let doc_freq = searcher.doc_freq(&Term::from_field_text(f.description, &word))?;
            if doc_freq > 0 {
                weighted.insert(word, 1.0 / (1.0 + doc_freq as f32));
            }
        }
        let analyzer = self.index.tokenizer_for_field(f.description)?;
        Ok(SnippetGenerator::new(weighted, analyzer, f.description, 240))
    }

    /// Builds the segment tables of the current searcher: see [`crate::Graph::warm_search`].
    pub(crate) fn warm(&self) -> Result<usize> {
        let searcher = self.reader.searcher();
        self.segment_tables.prune(&searcher);
        for segment in searcher.segment_readers() {
            self.segment_tables.facets(segment)?;
            self.segment_tables.date_order(segment)?;
        }
        Ok(searcher.segment_readers().len())
    }

    /// Full-text search over titles, descriptions, keywords and publishers. The query
    /// language is tantivy's: words (all must match), `"phrases"`, `field:word`, `OR`, `-not`.
    pub fn search(&self, text: &str, limit: usize) -> Result<Vec<SearchHit>> {
        self.search_filtered(text, &SearchFilter::default(), limit)
    }

    /// [`SearchIndex::search`] with filters.
    pub fn search_filtered(&self, text: &str, filter: &SearchFilter, limit: usize) -> Result<Vec<SearchHit>> {
        let request = SearchRequest {
            text: text.to_owned(),
            filter: filter.clone(),
            sort: SearchSort::Relevance,
            offset: 0,
            limit,
            facets: false,
            facet_size: 0,
        };
        Ok(self.search_page(&request)?.hits)
    }
}

/// What a pass over the matches counts besides finding its page of hits: the total, and
/// the facets when asked for.
struct Counter<'a> {
    facets: Option<FacetCollector<'a>>,
}

impl Counter<'_> {
    /// The page `top` finds, and the counts when `counting`, in one pass over the matches.
    fn search<C: Collector>(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        top: C,
        counting: bool,
    ) -> tantivy::Result<(C::Fruit, Option<Counts>)> {
        if !counting {
            return Ok((searcher.search(query, &top)?, None));
        }
        Ok(match &self.facets {
            Some(facets) => {
                let (page, total, facets) = searcher.search(query, &(top, Count, *facets))?;
                (page, Some(Counts { total, facets }))
            }
            None => {
                let (page, total) = searcher.search(query, &(top, Count))?;
                (
                    page,
                    Some(Counts {
                        total,
                        facets: Vec::new(),
                    }),
                )
            }
        })
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
