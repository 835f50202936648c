//! A new graph's first refresh reads each record once, for the tagger, the linker and the
//! index together: what it leaves is what linking, tagging and rebuilding the index apart
//! leave.

use civicgraph_graph::{Graph, Layout};
use civicgraph_ingest::Pipeline;
use civicgraph_ingest::enrich::link::{LinkSettings, link_graph};
use civicgraph_ingest::enrich::tag::{TagSettings, tag_graph};
use civicgraph_sparql_api::demo;
use civicgraph_tests::search::everything;
use civicgraph_tests::sparql::ask;
use std::sync::Arc;

#[test]
fn a_first_refresh_leaves_what_linking_tagging_and_reindexing_apart_leave() {
    // As `serve` refreshes (the index following each write) and as `civicgraph harvest`
    // does (the index deferred to the end).
    for deferred in [false, true] {
        let graph = Arc::new(Graph::in_memory(Layout::default()).unwrap());
        graph.ensure_vocabulary().unwrap();
        demo::load_demo(&graph).unwrap();
        if deferred {
            graph.defer_index();
        }
        let report = Pipeline::new(
            graph.clone(),
            Default::default(),
            TagSettings::default(),
            LinkSettings::default(),
        )
        .refresh()
        .unwrap();
        let refreshed = report.refreshed.unwrap();
        let tags = &refreshed.tags;
        assert!(tags.curated > 0 && tags.inferred > 0 && tags.none > 0, "{tags:?}");
        assert!(refreshed.links.links > 0, "{:?}", refreshed.links);
        let records = graph.record_subjects().unwrap().len();
        assert!(
            report.indexed < records / 4,
            "the index was rebuilt beside the tags' write; only what clusters changed is read \
             again ({} of {records})",
            report.indexed
        );
        let index = everything(&graph);
        assert_eq!(index.total, records);
        assert!(
            index.hits.iter().any(|h| h
                .assignments
                .iter()
                .any(|a| a.evidence.iter().any(|e| e.starts_with("used by: ")))),
            "a dataset took a case study's patterns"
        );
        assert!(
            ask(
                &graph,
                "PREFIX cg: <https://w3id.org/civicgraph/ns#> \
                 ASK { ?d cg:cluster ?c . ?used cg:cluster ?c . ?case cg:usesDataset ?used . \
                       FILTER NOT EXISTS { ?other cg:usesDataset ?d } \
                       ?d cg:patternAssignment ?t . ?t cg:evidence ?e \
                       FILTER(STRSTARTS(?e, \"used by: \")) }"
            ),
            "a dataset no case study used took the patterns of one that used another member \
             of its cluster, found in the same refresh"
        );

        let links = link_graph(&graph, &LinkSettings::default()).unwrap();
        assert_eq!((links.added, links.removed), (0, 0), "{links:?}");
        let again = tag_graph(&graph, &TagSettings::default(), &mut |_| {}).unwrap();
        assert_eq!((again.added, again.removed), (0, 0), "{again:?}");
        assert_eq!(
            (again.records, again.curated, again.inferred, again.none),
            (tags.records, tags.curated, tags.inferred, tags.none),
            "the first refresh counted its records as a full tagging does"
        );
        graph.reindex(&mut |_| {}).unwrap();
        let rebuilt = everything(&graph);
        for (a, b) in index.hits.iter().zip(&rebuilt.hits) {
            assert_eq!(
                a, b,
                "a record's document differs from a rebuild's (deferred: {deferred})"
            );
        }
        assert_eq!(index.facets, rebuilt.facets, "deferred: {deferred}");
        assert_eq!(index, rebuilt, "deferred: {deferred}");
    }
}
