//! Proves that the Turtle files parse and define every civicgraph term constant.

use civicgraph_vocab::{TURTLE_FILES, cg, cga, cgact, cgb, cgben, cgc, cge, cgp};
use oxrdf::vocab::rdf;
use oxrdf::{NamedNodeRef, Triple};
use oxttl::TurtleParser;
use std::collections::HashSet;

fn all_triples() -> Vec<Triple> {
    let mut triples = Vec::new();
    for (name, text) in TURTLE_FILES {
        for triple in TurtleParser::new().for_slice(text.as_bytes()) {
            triples.push(triple.unwrap_or_else(|e| panic!("{name} does not parse: {e}")));
        }
    }
    triples
}

#[test]
fn every_constant_is_defined_with_a_type_label_and_definition() {
    let triples = all_triples();
    let typed: HashSet<String> = triples
        .iter()
        .filter(|t| t.predicate == rdf::TYPE)
        .map(|t| t.subject.to_string())
        .collect();
    let labelled: HashSet<String> = triples
        .iter()
        .filter(|t| {
            matches!(
                t.predicate.as_str(),
                "http://www.w3.org/2000/01/rdf-schema#label"
                    | "http://www.w3.org/2004/02/skos/core#prefLabel"
            )
        })
        .map(|t| t.subject.to_string())
        .collect();
    let defined: HashSet<String> = triples
        .iter()
        .filter(|t| t.predicate.as_str() == "http://www.w3.org/2004/02/skos/core#definition")
        .map(|t| t.subject.to_string())
        .collect();
    let constants: Vec<NamedNodeRef<'static>> = [
        cg::ALL,
        cgp::ALL,
        cgb::ALL,
        cge::ALL,
        cga::ALL,
        cgc::ALL,
        cgben::ALL,
        cgact::ALL,
    ]
    .concat();
    assert!(constants.len() > 40);
    for term in constants {
        let key = term.to_string();
        assert!(typed.contains(&key), "{term} has no rdf:type in the Turtle");
        assert!(labelled.contains(&key), "{term} has no English label");
        assert!(defined.contains(&key), "{term} has no skos:definition");
    }
}

#[test]
fn the_schemes_have_the_sizes_the_design_names() {
    assert_eq!(civicgraph_vocab::ODI_PATTERNS.len(), 3, "three ODI patterns");
    assert_eq!(cgp::ALL.len(), 4, "three ODI patterns and NONE");
    assert_eq!(cge::ALL.len(), 8, "eight ODI enablers");
    assert_eq!(cga::ALL.len(), 4, "quadruple helix");
    assert_eq!(cgc::ALL.len(), 4, "four channels");
    assert_eq!(
        cgben::ALL.len(),
        5,
        "Jalonen and Helo's four benefits and their warning"
    );
    assert_eq!(cgact::ALL.len(), 4, "the BIS/CLG report's four areas for action");
    let triples = all_triples();
    for pattern in civicgraph_vocab::ODI_PATTERNS {
        let beneficiaries = triples
            .iter()
            .filter(|t| t.subject.to_string() == pattern.to_string() && t.predicate == cg::BENEFICIARY)
            .count();
        assert!(beneficiaries >= 2, "{pattern} names its direct beneficiaries");
    }
}

#[test]
fn every_label_is_english() {
    for triple in all_triples() {
        if let oxrdf::Term::Literal(literal) = &triple.object
            && matches!(
                triple.predicate.as_str(),
                "http://www.w3.org/2000/01/rdf-schema#label"
                    | "http://www.w3.org/2004/02/skos/core#prefLabel"
                    | "http://www.w3.org/2004/02/skos/core#definition"
            )
        {
            assert_eq!(literal.language(), Some("en"), "{triple} lacks @en");
        }
    }
}

#[test]
fn the_pattern_texts_agree_with_patterns_ttl() {
    let triples = all_triples();
    let literal = |subject: NamedNodeRef<'_>, predicate: &str| -> Vec<String> {
        triples
            .iter()
            .filter(|t| t.subject == subject.into() && t.predicate.as_str() == predicate)
            .filter_map(|t| match &t.object {
                oxrdf::Term::Literal(l) => Some(l.value().to_owned()),
                _ => None,
            })
            .collect()
    };
    let skos = "http://www.w3.org/2004/02/skos/core#";
    for (pattern, text) in civicgraph_vocab::ODI_PATTERNS
        .iter()
        .zip(civicgraph_vocab::PATTERNS)
    {
        assert_eq!(pattern.as_str(), format!("{}{}", cgp::NAMESPACE, text.name));
        assert_eq!(literal(*pattern, &format!("{skos}notation")), [text.notation]);
        assert_eq!(literal(*pattern, &format!("{skos}prefLabel")), [text.label]);
        assert_eq!(literal(*pattern, &format!("{skos}definition")), [text.definition]);
    }
}

/// A property's `rdfs:domain` types everything it is said of, so the vocabulary must not
/// use a property on a subject of another type: `cg:beneficiary` on a pattern concept
/// would make the concept a case study.
#[test]
fn the_vocabulary_uses_no_property_outside_its_domain() {
    let triples = all_triples();
    let domain = "http://www.w3.org/2000/01/rdf-schema#domain";
    let domains: Vec<(String, String)> = triples
        .iter()
        .filter(|t| t.predicate.as_str() == domain)
        .map(|t| (t.subject.to_string(), t.object.to_string()))
        .collect();
    let types: HashSet<(String, String)> = triples
        .iter()
        .filter(|t| t.predicate == rdf::TYPE)
        .map(|t| (t.subject.to_string(), t.object.to_string()))
        .collect();
    assert!(domains.len() > 20, "{} domains", domains.len());
    for t in &triples {
        let property = t.predicate.to_string();
        for (_, class) in domains.iter().filter(|(p, _)| *p == property) {
            assert!(
                types.contains(&(t.subject.to_string(), class.clone())),
                "{} uses {property}, whose domain is {class}, but is not one",
                t.subject
            );
        }
    }
}

/// The concepts of the founding documents cite their document, and the document is a record
/// of the vocabulary that a case study or a person can follow.
#[test]
fn every_founding_document_concept_cites_a_described_document() {
    let triples = all_triples();
    let documents: HashSet<String> = triples
        .iter()
        .filter(|t| {
            t.predicate == rdf::TYPE
                && t.object.to_string() == "<http://purl.org/dc/terms/BibliographicResource>"
        })
        .map(|t| t.subject.to_string())
        .collect();
    assert!(documents.len() >= 5, "{documents:?}");
    let concepts: Vec<String> = triples
        .iter()
        .filter(|t| {
            t.predicate == rdf::TYPE
                && t.object.to_string() == "<http://www.w3.org/2004/02/skos/core#Concept>"
        })
        .map(|t| t.subject.to_string())
        .filter(|s| {
            ["benefit/", "action/", "jrc/", "model/"]
                .iter()
                .any(|scheme| s.starts_with(&format!("<https://w3id.org/civicgraph/{scheme}")))
        })
        .collect();
    assert!(concepts.len() >= 5 + 4 + 10 + 2, "{concepts:?}");
    for concept in concepts {
        let sources: Vec<String> = triples
            .iter()
            .filter(|t| {
                t.subject.to_string() == concept && t.predicate.as_str() == "http://purl.org/dc/terms/source"
            })
            .map(|t| t.object.to_string())
            .collect();
        assert!(!sources.is_empty(), "{concept} cites no document");
        for source in sources {
            assert!(
                documents.contains(&source),
                "{concept} cites {source}, which the vocabulary does not describe"
            );
        }
    }
}
