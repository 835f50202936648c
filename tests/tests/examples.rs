//! The SPARQL examples of `docs/examples` (which the web page offers and `docs/TAGGING.md`
//! quotes) run on the tagged and linked demo data and answer something.

use civicgraph_graph::QueryOptions;
use civicgraph_tests::tagged_demo_state;
use oxigraph::sparql::QueryResults;
use std::path::Path;

#[test]
fn every_documented_example_runs_and_answers() {
    let state = tagged_demo_state();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples");
    let guide =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/TAGGING.md")).unwrap();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 5);
    for file in files {
        let query = std::fs::read_to_string(&file).unwrap();
        let QueryResults::Solutions(solutions) = state.graph.query(&query, &QueryOptions::default()).unwrap()
        else {
            panic!("{}: not a SELECT", file.display())
        };
        let rows = solutions.map(Result::unwrap).count();
        assert!(rows > 0, "{} answers nothing", file.display());
        let name = file.file_name().unwrap().to_str().unwrap();
        if [
            "datasets-by-pattern-and-theme.rq",
            "case-studies-by-pattern.rq",
            "copies-of-a-dataset.rq",
        ]
        .contains(&name)
        {
            assert!(
                guide.contains(query.trim()),
                "docs/TAGGING.md does not quote {name} as it is"
            );
        }
    }
}
