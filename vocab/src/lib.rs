#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod authority;
mod terms;

pub use terms::{ODI_PATTERNS, PATTERNS, PatternText, cg, cga, cgact, cgb, cgben, cgc, cge, cgp, cgs, ext};

/// The vocabulary's Turtle files, by file name, as they are loaded into the `vocab` graph.
///
/// They are compiled in so that the binary can serve and load the vocabulary without any
/// file next to it.
pub const TURTLE_FILES: &[(&str, &str)] = &[
    ("civicgraph.ttl", include_str!("../ontology/civicgraph.ttl")),
    ("patterns.ttl", include_str!("../ontology/patterns.ttl")),
    ("beneficiaries.ttl", include_str!("../ontology/beneficiaries.ttl")),
    ("enablers.ttl", include_str!("../ontology/enablers.ttl")),
    ("actors.ttl", include_str!("../ontology/actors.ttl")),
    ("channels.ttl", include_str!("../ontology/channels.ttl")),
    ("benefits.ttl", include_str!("../ontology/benefits.ttl")),
    ("actions.ttl", include_str!("../ontology/actions.ttl")),
    ("jrc.ttl", include_str!("../ontology/jrc.ttl")),
    ("models.ttl", include_str!("../ontology/models.ttl")),
    ("sources.ttl", include_str!("../ontology/sources.ttl")),
];

/// The namespaces a civicgraph document uses, as (prefix, IRI) pairs, for serializers that
/// write prefixed names.
pub const PREFIXES: &[(&str, &str)] = &[
    ("cg", cg::NAMESPACE),
    ("cgp", cgp::NAMESPACE),
    ("cgb", cgb::NAMESPACE),
    ("cge", cge::NAMESPACE),
    ("cga", cga::NAMESPACE),
    ("cgc", cgc::NAMESPACE),
    ("cgben", cgben::NAMESPACE),
    ("cgact", cgact::NAMESPACE),
    ("cgj", "https://w3id.org/civicgraph/jrc/"),
    ("cgm", "https://w3id.org/civicgraph/model/"),
    ("cgsrc", "https://w3id.org/civicgraph/source/"),
    ("dcat", ext::dcat::NAMESPACE),
    ("dct", ext::dct::NAMESPACE),
    ("foaf", ext::foaf::NAMESPACE),
    ("skos", ext::skos::NAMESPACE),
    ("prov", ext::prov::NAMESPACE),
    ("schema", ext::schema::NAMESPACE),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
];
