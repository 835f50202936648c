//! The W3C SPARQL 1.1 test suite's manifests (`../shared/data/w3c-sparql11-tests`), read
//! once for every test that runs part of it: the protocol, the graph store protocol and
//! query evaluation.

use civicgraph_graph::Graph;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::vocab::rdf;
use oxigraph::model::{
    Graph as RdfGraph, GraphName, NamedNode, NamedOrBlankNode, NamedOrBlankNodeRef, Term, TermRef,
};
use std::path::{Path, PathBuf};

/// The W3C SPARQL 1.1 test suite in `../shared/data`, when it is there.
pub fn suite() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/w3c-sparql11-tests/sparql11");
    dir.is_dir().then_some(dir)
}

/// `ns` followed by `local`.
pub fn iri(local: &str, ns: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{ns}{local}"))
}
/// The test-manifest vocabulary.
pub const MF: &str = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#";

/// A test manifest, read as a graph.
#[derive(Debug)]
pub struct Manifest {
    graph: RdfGraph,
}

impl Manifest {
    /// Reads the manifest at `path`, relative IRIs resolved against it.
    pub fn load(path: &Path) -> Self {
        let base = format!("file://{}", path.display());
        let graph = RdfParser::from_format(RdfFormat::Turtle)
            .with_base_iri(&base)
            .unwrap()
            .for_reader(std::fs::File::open(path).unwrap())
            .map(|q| oxigraph::model::Triple::from(q.unwrap()))
            .collect();
        Self { graph }
    }

    /// The one object of `subject predicate`, if any.
    pub fn object(&self, subject: NamedOrBlankNodeRef<'_>, predicate: &NamedNode) -> Option<Term> {
        self.graph
            .object_for_subject_predicate(subject, predicate)
            .map(TermRef::into_owned)
    }

    /// Every object of `subject predicate`.
    pub fn objects(&self, subject: NamedOrBlankNodeRef<'_>, predicate: &NamedNode) -> Vec<Term> {
        self.graph
            .objects_for_subject_predicate(subject, predicate)
            .map(TermRef::into_owned)
            .collect()
    }

    /// The lexical form of the literal object of `subject predicate`.
    pub fn text(&self, subject: NamedOrBlankNodeRef<'_>, predicate: &NamedNode) -> Option<String> {
        match self.object(subject, predicate)? {
            Term::Literal(l) => Some(l.value().to_owned()),
            _ => None,
        }
    }

    /// The members of the RDF list starting at `head`.
    pub fn list(&self, head: Term) -> Vec<Term> {
        let mut out = Vec::new();
        let mut node = head;
        while let Some(subject) = subject_of(&node) {
            if node == Term::from(rdf::NIL.into_owned()) {
                break;
            }
            let Some(first) = self.object(subject.as_ref(), &rdf::FIRST.into_owned()) else {
                break;
            };
            out.push(first);
            node = self.object(subject.as_ref(), &rdf::REST.into_owned()).unwrap();
        }
        out
    }

    /// The tests the manifest lists, in order.
    pub fn entries(&self) -> Vec<NamedNode> {
        let manifest = self
            .graph
            .subjects_for_predicate_object(rdf::TYPE, &iri("Manifest", MF))
            .next()
            .unwrap()
            .into_owned();
        let head = self.object(manifest.as_ref(), &iri("entries", MF)).unwrap();
        self.list(head)
            .into_iter()
            .filter_map(|t| match t {
                Term::NamedNode(n) => Some(n),
                _ => None,
            })
            .collect()
    }
}

/// `term` as a subject, unless it is a literal.
pub fn subject_of(term: &Term) -> Option<NamedOrBlankNode> {
    match term {
        Term::NamedNode(n) => Some(n.clone().into()),
        Term::BlankNode(b) => Some(b.clone().into()),
        Term::Literal(_) => None,
    }
}

/// The local file a manifest names (`<pp01.rq>`, resolved against the manifest).
pub fn path_of(file: &Term) -> PathBuf {
    let Term::NamedNode(file) = file else {
        panic!("not a file: {file}")
    };
    PathBuf::from(file.as_str().strip_prefix("file://").expect("a file IRI"))
}

/// Runs `run` on every test listed by the manifest of each of `folders` (in the suite),
/// and fails naming each test that failed and each folder whose count of passes is not the
/// one given: a manifest that lists fewer tests than it did fails too, so a test cannot
/// stop running unseen. `run` answers `None` for a test it does not run (of another kind,
/// or an exception it has said why it skips), else its outcome. Without `../shared/data`
/// nothing runs.
pub fn run_folders(
    folders: &[(&str, usize)],
    mut run: impl FnMut(&Manifest, &NamedNode, &str) -> Option<Result<(), String>>,
) {
    let Some(suite) = suite() else {
        eprintln!("../shared/data is absent; skipped");
        return;
    };
    let mut failures = Vec::new();
    for (folder, passes) in folders {
        let manifest = Manifest::load(&suite.join(folder).join("manifest.ttl"));
        let mut passed = 0;
        for test in manifest.entries() {
            let local = test.as_str().rsplit(['#', '/']).next().unwrap_or_default();
            match run(&manifest, &test, local) {
                None => {}
                Some(Ok(())) => passed += 1,
                Some(Err(e)) => failures.push(format!("{folder}/{local}: {e}")),
            }
        }
        eprintln!("{folder}: {passed} passed");
        if passed != *passes {
            failures.push(format!("{folder}: {passed} passed, not {passes}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The RDF format of a suite file, by its extension.
pub fn rdf_format(path: &Path) -> RdfFormat {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
    RdfFormat::from_extension(extension).unwrap_or_else(|| panic!("no RDF format for {}", path.display()))
}

/// Loads the suite's `file` into `graph_name` of `graph`, its relative IRIs resolved
/// against the file: a test's data, written straight into the store.
pub fn load(graph: &Graph, file: &Term, graph_name: GraphName) {
    let path = path_of(file);
    let parser = RdfParser::from_format(rdf_format(&path))
        .with_base_iri(format!("file://{}", path.display()))
        .unwrap()
        .with_default_graph(graph_name);
    graph
        .store()
        .load_from_reader(parser, std::fs::File::open(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Runs `run` on every test of type `mf:{kind}` (`QueryEvaluationTest`,
/// `UpdateEvaluationTest`) of `folders`, as [`run_folders`] does, but those in
/// `exceptions`, whose reasons are printed: the folders' tests of other kinds (syntax, result
/// formats) are other suites'.
pub fn run_evaluation_tests(
    folders: &[(&str, usize)],
    kind: &str,
    exceptions: &[(&str, &str)],
    mut run: impl FnMut(&Manifest, &NamedNode) -> Result<(), String>,
) {
    let kind = Term::from(iri(kind, MF));
    run_folders(folders, |manifest, test, local| {
        let kinds = manifest.objects(test.as_ref().into(), &rdf::TYPE.into_owned());
        if !kinds.contains(&kind) {
            return None;
        }
        if let Some((_, why)) = exceptions.iter().find(|(name, _)| *name == local) {
            eprintln!("skipped {local}: {why}");
            return None;
        }
        Some(run(manifest, test))
    });
}
