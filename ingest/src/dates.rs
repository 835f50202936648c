//! Normalising the dates catalogues write into typed XSD literals.
//!
//! Catalogues write `2019`, `2019-05`, `2019-05-03`, `2019-05-03 10:00`,
//! `2019-05-03T10:00:00.000000` (CKAN) or `03/05/2019`, as plain strings or with the wrong
//! datatype. DCAT-AP wants `xsd:gYear`, `xsd:gYearMonth`, `xsd:date` or `xsd:dateTime`, so
//! a date the normaliser understands is rewritten to one of those; one it does not is kept
//! as it was (nothing harvested is thrown away) and reported.

use civicgraph_vocab::ext::{dcat, dct};
use oxigraph::model::vocab::xsd;
use oxigraph::model::{Literal, NamedNodeRef};

/// The properties whose values are dates in DCAT-AP.
pub const DATE_PROPERTIES: &[NamedNodeRef<'static>] = &[
    dct::ISSUED,
    dct::MODIFIED,
    dct::CREATED,
    dcat::START_DATE,
    dcat::END_DATE,
    NamedNodeRef::new_unchecked("http://www.w3.org/ns/prov#generatedAtTime"),
    NamedNodeRef::new_unchecked("http://schema.org/startDate"),
    NamedNodeRef::new_unchecked("http://schema.org/endDate"),
];

/// What became of one date value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateOutcome {
    /// Already a well-formed typed date: left alone.
    Unchanged,
    /// Rewritten into this literal.
    Normalised(Literal),
    /// Not understood; kept as it was.
    NotADate,
}

/// Normalises one literal found as the value of a date property.
pub fn normalise(value: &Literal) -> DateOutcome {
    let Some((lexical, target)) = parse(value.value()) else {
        return DateOutcome::NotADate;
    };
    if lexical == value.value() && target == value.datatype() {
        DateOutcome::Unchanged
    } else {
        DateOutcome::Normalised(Literal::new_typed_literal(lexical, target))
    }
}

/// Parses a date in one of the shapes catalogues use into `(lexical form, datatype)`.
fn parse(text: &str) -> Option<(String, NamedNodeRef<'static>)> {
    let text = text.trim();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let valid_month = |m: &str| matches!(m.parse::<u8>(), Ok(1..=12));
    let valid_day = |y: &str, m: &str, d: &str| match (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) {
        (Ok(y), Ok(m), Ok(d)) => d >= 1 && d <= days_in_month(y, m),
        _ => false,
    };
    // YYYY
    if digits(text, 4) {
        return Some((text.to_owned(), xsd::G_YEAR));
    }
    // YYYY-MM
    if let Some((y, m)) = text.split_once('-')
        && digits(y, 4)
        && digits(m, 2)
        && valid_month(m)
    {
        return Some((text.to_owned(), xsd::G_YEAR_MONTH));
    }
    // DD/MM/YYYY and DD.MM.YYYY (the European order; US month-first dates are not guessed)
    for separator in ['/', '.'] {
        let parts: Vec<&str> = text.split(separator).collect();
        if parts.len() == 3
            && (digits(parts[0], 2) || digits(parts[0], 1))
            && (digits(parts[1], 2) || digits(parts[1], 1))
            && digits(parts[2], 4)
            && valid_month(parts[1])
            && valid_day(parts[2], parts[1], parts[0])
        {
            return Some((
                format!("{}-{:0>2}-{:0>2}", parts[2], parts[1], parts[0]),
                xsd::DATE,
            ));
        }
    }
    if let Some(drupal) = parse_drupal(text) {
        return Some(drupal);
    }
    // YYYY-MM-DD, optionally followed by a time
    if text.len() < 10 || !text.is_char_boundary(10) {
        return None;
    }
    let (date, rest) = text.split_at(10);
    if !date.is_ascii() {
        return None;
    }
    let bytes = date.as_bytes();
    if !(digits(&date[0..4], 4)
        && bytes[4] == b'-'
        && digits(&date[5..7], 2)
        && bytes[7] == b'-'
        && digits(&date[8..10], 2)
        && valid_month(&date[5..7])
        && valid_day(&date[0..4], &date[5..7], &date[8..10]))
    {
        return None;
    }
    if rest.is_empty() {
        return Some((date.to_owned(), xsd::DATE));
    }
    let rest = rest.strip_prefix(['T', ' '])?;
    // Split off a zone: Z, +hh:mm or -hh:mm.
    let (time, zone) = if let Some(time) = rest.strip_suffix('Z') {
        (time, "Z".to_owned())
    } else if rest.len() > 6 && matches!(rest.as_bytes()[rest.len() - 6], b'+' | b'-') {
        let (time, zone) = rest.split_at(rest.len() - 6);
        // ±hh:mm, at most 14:00 either way (XSD's bound).
        let (hours, minutes) = zone[1..].split_once(':')?;
        let (hours, minutes) = (hours.parse::<u8>().ok()?, minutes.parse::<u8>().ok()?);
        if !digits_only(&zone[1..3]) || minutes > 59 || hours > 14 || (hours == 14 && minutes > 0) {
            return None;
        }
        (time, zone.to_owned())
    } else {
        (rest, String::new())
    };
    let (clock, fraction) = match time.split_once('.') {
        Some((clock, fraction)) if !fraction.is_empty() && fraction.bytes().all(|b| b.is_ascii_digit()) => {
            (clock, Some(fraction))
        }
        Some(_) => return None,
        None => (time, None),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    if !(2..=3).contains(&parts.len()) || !parts.iter().all(|p| digits(p, 2)) {
        return None;
    }
    let (h, m) = (parts[0].parse::<u8>().ok()?, parts[1].parse::<u8>().ok()?);
    let s = parts.get(2).map_or(Some(0), |s| s.parse::<u8>().ok())?;
    // 24:00:00 is the end of the day (XSD allows it, exactly); no leap seconds.
    if h > 24
        || m > 59
        || s > 59
        || (h == 24 && (m > 0 || s > 0 || fraction.is_some_and(|f| f.bytes().any(|b| b != b'0'))))
    {
        return None;
    }
    let fraction = fraction
        .map(|f| f.trim_end_matches('0'))
        .filter(|f| !f.is_empty())
        .map(|f| format!(".{f}"))
        .unwrap_or_default();
    Some((
        format!("{date}T{h:02}:{m:02}:{s:02}{fraction}{zone}"),
        xsd::DATE_TIME,
    ))
}

/// Days in month `m` of year `y` (Gregorian: a year divisible by 4 is a leap year unless
/// it is a century not divisible by 400).
/// Weekday abbreviations, Monday first, in the languages of the catalogues civicgraph
/// harvests (English, French, Spanish, Italian, German).
const WEEKDAYS: [&[&str]; 7] = [
    &["mon", "lun", "mo"],
    &["tue", "mar", "di"],
    &["wed", "mer", "mie", "mié", "mi"],
    &["thu", "jeu", "jue", "gio", "do"],
    &["fri", "ven", "vie", "fr"],
    &["sat", "sam", "sab", "sáb", "sa"],
    &["sun", "dim", "dom", "so"],
];

/// `Tue, 12/10/2019 - 09:23`: Drupal's default date format (DKAN portals publish it as
/// their dates), with the weekday in the site's language. Drupal writes the month first,
/// but sites set to French or Spanish write the day first ("mar, 10/12/2019 - 09:23" is
/// Tuesday 10 December): the weekday says which of the two numbers is the day, and a date
/// it fits neither way is not guessed.
fn parse_drupal(text: &str) -> Option<(String, NamedNodeRef<'static>)> {
    let (weekday, rest) = text.split_once(", ")?;
    let weekday = weekday.trim_end_matches('.').to_lowercase();
    let named = WEEKDAYS
        .iter()
        .position(|names| names.contains(&weekday.as_str()))? as u32;
    let (date, time) = rest.split_once(" - ")?;
    let numbers: Vec<u32> = date.split('/').map(|n| n.parse().ok()).collect::<Option<_>>()?;
    let [a, b, year] = numbers[..] else {
        return None;
    };
    let (hours, minutes) = time.split_once(':')?;
    let (hours, minutes): (u32, u32) = (hours.parse().ok()?, minutes.parse().ok()?);
    if !(1000..=9999).contains(&year) || hours > 23 || minutes > 59 {
        return None;
    }
    let fits = |month: u32, day: u32| {
        (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && weekday_of(year, month, day) == named
    };
    let (month, day) = match (fits(a, b), fits(b, a)) {
        (true, false) => (a, b),
        (false, true) => (b, a),
        // The same either way (`05/05`), else not a date whose weekday fits.
        (true, true) if a == b => (a, b),
        _ => return None,
    };
    Some((
        format!("{year:04}-{month:02}-{day:02}T{hours:02}:{minutes:02}:00"),
        xsd::DATE_TIME,
    ))
}

/// The day of the week of a date of the Gregorian calendar, Monday 0.
fn weekday_of(year: u32, month: u32, day: u32) -> u32 {
    // Days since 1 March of year 0 (the leap day last in each year), then 1 March 0000 was
    // a Wednesday.
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let days = 365 * y + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + day - 1;
    (days + 2) % 7
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400)) => 29,
        2 => 28,
        _ => 0,
    }
}

fn digits_only(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(text: &str) -> DateOutcome {
        normalise(&Literal::new_simple_literal(text))
    }

    fn typed(text: &str, datatype: NamedNodeRef<'_>) -> DateOutcome {
        DateOutcome::Normalised(Literal::new_typed_literal(text, datatype))
    }

    #[test]
    fn the_shapes_catalogues_write_become_xsd_dates() {
        assert_eq!(norm("2019"), typed("2019", xsd::G_YEAR));
        assert_eq!(norm("2019-05"), typed("2019-05", xsd::G_YEAR_MONTH));
        assert_eq!(norm("2019-05-03"), typed("2019-05-03", xsd::DATE));
        assert_eq!(norm(" 03/05/2019 "), typed("2019-05-03", xsd::DATE));
        assert_eq!(norm("3.5.2019"), typed("2019-05-03", xsd::DATE));
        assert_eq!(
            norm("2019-05-03 10:00"),
            typed("2019-05-03T10:00:00", xsd::DATE_TIME)
        );
        assert_eq!(
            norm("2021-01-15T10:25:28.638659"),
            typed("2021-01-15T10:25:28.638659", xsd::DATE_TIME)
        );
        assert_eq!(
            norm("2018-03-18T09:03:05.000Z"),
            typed("2018-03-18T09:03:05Z", xsd::DATE_TIME)
        );
        assert_eq!(
            norm("2018-03-18T09:03:05+02:00"),
            typed("2018-03-18T09:03:05+02:00", xsd::DATE_TIME)
        );
    }

    #[test]
    fn drupal_dates_are_read_with_their_weekday_deciding_the_day() {
        // A French DKAN (udata's harvest fixtures): Tuesday 10 December, Thursday 19 December.
        assert_eq!(
            norm("mar, 10/12/2019 - 09:23"),
            typed("2019-12-10T09:23:00", xsd::DATE_TIME)
        );
        assert_eq!(
            norm("jeu, 19/12/2019 - 03:00"),
            typed("2019-12-19T03:00:00", xsd::DATE_TIME)
        );
        // Drupal's own order, month first: Saturday 12 October.
        assert_eq!(
            norm("Sat, 10/12/2019 - 09:23"),
            typed("2019-10-12T09:23:00", xsd::DATE_TIME)
        );
        assert_eq!(
            norm("Mo., 29/02/2016 - 23:59"),
            typed("2016-02-29T23:59:00", xsd::DATE_TIME)
        );
        // A weekday that fits neither reading is not guessed.
        assert_eq!(norm("lun, 10/12/2019 - 09:23"), DateOutcome::NotADate);
        assert_eq!(norm("mar, 10/12/2019 - 25:00"), DateOutcome::NotADate);
        assert_eq!(norm("xyz, 10/12/2019 - 09:23"), DateOutcome::NotADate);
    }

    #[test]
    fn leap_days_and_the_end_of_the_day_are_dates() {
        assert_eq!(norm("29/02/2020"), typed("2020-02-29", xsd::DATE));
        assert_eq!(norm("2000-02-29"), typed("2000-02-29", xsd::DATE));
        assert_eq!(
            norm("2019-05-03T24:00:00"),
            typed("2019-05-03T24:00:00", xsd::DATE_TIME)
        );
        assert_eq!(
            norm("2019-05-03T10:00:00-14:00"),
            typed("2019-05-03T10:00:00-14:00", xsd::DATE_TIME)
        );
    }

    #[test]
    fn well_typed_dates_are_left_alone_and_nonsense_is_kept_as_it_was() {
        assert_eq!(
            normalise(&Literal::new_typed_literal("2019-05-03", xsd::DATE)),
            DateOutcome::Unchanged
        );
        for text in [
            "last tuesday",
            "2019-13-01",
            "32/01/2019",
            "2019-05-03T25:00",
            "31/02/2019",
            "2019-02-29",
            "1900-02-29",
            "2019-04-31",
            "2019-05-03T24:30",
            "2019-05-03T23:59:60",
            "2019-05-03T10:00:00+15:00",
            "2019-05-03T10:00:00+01:75",
            "",
            "2019-05-03Tabc",
        ] {
            assert_eq!(norm(text), DateOutcome::NotADate, "{text}");
        }
    }

    #[test]
    fn multibyte_text_never_panics() {
        // Found by the property tests: a multi-byte character inside the first ten bytes.
        for text in ["2019-05-0é", "éééééééééééé", "2019-05-03Té", "é \u{202e}<script>"] {
            let _ = norm(text);
        }
    }
}
