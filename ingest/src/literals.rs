//! Typed literals in the lexical form the store keeps. Oxigraph stores the values of the
//! XSD types it knows (`xsd:dateTime`, `xsd:integer`, ...) and gives them back in their
//! canonical form: `"2015-07-16T13:26:52+00:00"^^xsd:dateTime` comes back as
//! `"2015-07-16T13:26:52Z"`. A harvest compares what it read with what the store holds, so
//! it writes those values in that form too: otherwise every record with such a value reads
//! as changed at every harvest, and is written again.

use oxigraph::model::vocab::xsd;
use oxigraph::model::{Literal, Term, Triple};
use oxsdatatypes as xs;
use std::str::FromStr;

/// The canonical form of `literal`, when its datatype is one the store keeps as a value,
/// its text is valid for it and differs from that form.
pub fn canonical(literal: &Literal) -> Option<Literal> {
    fn form<T: FromStr + std::fmt::Display>(text: &str) -> Option<String> {
        text.parse::<T>().ok().map(|value| value.to_string())
    }
    let datatype = literal.datatype();
    let text = literal.value();
    let canonical = if datatype == xsd::DATE_TIME {
        form::<xs::DateTime>(text)
    } else if datatype == xsd::DATE {
        form::<xs::Date>(text)
    } else if datatype == xsd::TIME {
        form::<xs::Time>(text)
    } else if datatype == xsd::G_YEAR {
        form::<xs::GYear>(text)
    } else if datatype == xsd::G_YEAR_MONTH {
        form::<xs::GYearMonth>(text)
    } else if datatype == xsd::INTEGER {
        form::<xs::Integer>(text)
    } else if datatype == xsd::DECIMAL {
        form::<xs::Decimal>(text)
    } else if datatype == xsd::BOOLEAN {
        form::<xs::Boolean>(text)
    } else if datatype == xsd::DOUBLE {
        form::<xs::Double>(text)
    } else if datatype == xsd::FLOAT {
        form::<xs::Float>(text)
    } else {
        None
    }?;
    (canonical != text).then(|| Literal::new_typed_literal(canonical, datatype))
}

/// Rewrites every typed literal object of `triples` in the form the store keeps.
pub fn make_canonical(triples: &mut [Triple]) {
    for triple in triples {
        if let Term::Literal(literal) = &triple.object
            && let Some(canonical) = canonical(literal)
        {
            triple.object = canonical.into();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::NamedNodeRef;
    use oxigraph::store::Store;

    /// What the store gives back for `text` typed `datatype`.
    fn stored(text: &str, datatype: NamedNodeRef<'_>) -> Literal {
        let store = Store::new().unwrap();
        let s = oxigraph::model::NamedNode::new("http://ex/s").unwrap();
        let quad = oxigraph::model::Quad::new(
            s.clone(),
            s.clone(),
            Literal::new_typed_literal(text, datatype),
            oxigraph::model::GraphName::DefaultGraph,
        );
        store.insert(&quad).unwrap();
        match store.iter().next().unwrap().unwrap().object {
            Term::Literal(l) => l,
            other => panic!("{other}"),
        }
    }

    #[test]
    fn values_take_the_form_the_store_gives_back() {
        for (text, datatype) in [
            ("2015-07-16T13:26:52+00:00", xsd::DATE_TIME),
            ("2015-07-16T13:26:52.500+02:00", xsd::DATE_TIME),
            ("2015-07-16+00:00", xsd::DATE),
            ("007", xsd::INTEGER),
            ("1.50", xsd::DECIMAL),
            ("1", xsd::BOOLEAN),
            ("1e3", xsd::DOUBLE),
            ("2015-07-16T13:26:52Z", xsd::DATE_TIME),
        ] {
            let literal = Literal::new_typed_literal(text, datatype);
            let ours = canonical(&literal).unwrap_or(literal);
            assert_eq!(ours, stored(text, datatype), "{text}");
        }
    }

    #[test]
    fn invalid_and_plain_text_is_left_alone() {
        assert_eq!(
            canonical(&Literal::new_typed_literal("yesterday", xsd::DATE_TIME)),
            None
        );
        assert_eq!(canonical(&Literal::new_simple_literal("007")), None);
        assert_eq!(
            canonical(&Literal::new_typed_literal(
                "2015-07-16T13:26:52Z",
                xsd::DATE_TIME
            )),
            None
        );
    }
}
