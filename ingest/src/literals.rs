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

/// The literal a plain string spells, when its text is itself a serialised literal:
/// data.europa.eu's exports of 2020 wrote machine translations as
/// `"\"Kortos sluoksnio cinko įkrova …\n\"@lt-t-de-t0-mtec"` and keywords as
/// `"\"bodenbelastung\"^^http://www.w3.org/2001/XMLSchema#string"`: a title shown with its
/// quotes and language tag, in no language. Only a quoted text followed by a valid language
/// tag or datatype IRI is read so; a title that merely starts with a quote is left alone.
pub fn spelled(literal: &Literal) -> Option<Literal> {
    if literal.datatype() != xsd::STRING || literal.language().is_some() {
        return None;
    }
    let text = literal.value().strip_prefix('"')?;
    let close = text.rfind('"')?;
    let (inner, rest) = (text[..close].trim(), text[close + 1..].trim());
    if let Some(language) = rest.strip_prefix('@') {
        return Literal::new_language_tagged_literal(inner, language).ok();
    }
    let datatype = rest.strip_prefix("^^")?;
    let datatype = datatype
        .strip_prefix('<')
        .and_then(|d| d.strip_suffix('>'))
        .unwrap_or(datatype);
    let datatype = oxigraph::model::NamedNode::new(datatype).ok()?;
    Some(if datatype.as_ref() == xsd::STRING {
        Literal::new_simple_literal(inner)
    } else {
        Literal::new_typed_literal(inner, datatype)
    })
}

/// Reads every literal object of `triples` that spells another literal as that literal
/// ([`spelled`]); gives how many, and the first one's subject and predicate.
pub fn unwrap_spelled(triples: &mut [Triple]) -> (usize, Option<String>) {
    let (mut count, mut first) = (0, None);
    for triple in triples {
        if let Term::Literal(literal) = &triple.object
            && let Some(meant) = spelled(literal)
        {
            first.get_or_insert_with(|| format!("{} {}", triple.subject, triple.predicate));
            triple.object = meant.into();
            count += 1;
        }
    }
    (count, first)
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
    fn literals_spelled_inside_strings_are_read_as_what_they_spell() {
        let title = Literal::new_simple_literal("\"Kortos sluoksnio cinko įkrova\n\"@lt-t-de-t0-mtec");
        assert_eq!(
            spelled(&title),
            Some(
                Literal::new_language_tagged_literal("Kortos sluoksnio cinko įkrova", "lt-t-de-t0-mtec")
                    .unwrap()
            )
        );
        let keyword =
            Literal::new_simple_literal("\"bodenbelastung\"^^http://www.w3.org/2001/XMLSchema#string");
        assert_eq!(
            spelled(&keyword),
            Some(Literal::new_simple_literal("bodenbelastung"))
        );
        let count = Literal::new_simple_literal("\"12\"^^<http://www.w3.org/2001/XMLSchema#integer>");
        assert_eq!(
            spelled(&count),
            Some(Literal::new_typed_literal("12", xsd::INTEGER))
        );
        for plain in [
            "\"Quoted\" titles stay",
            "\"Quoted\"",
            "\"x\"@not a tag",
            "no quotes",
        ] {
            assert_eq!(spelled(&Literal::new_simple_literal(plain)), None, "{plain}");
        }
        let tagged = Literal::new_language_tagged_literal("\"x\"@en", "en").unwrap();
        assert_eq!(spelled(&tagged), None, "only plain strings are read again");
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
