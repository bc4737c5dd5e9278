//! Normalised values for amounts and dates, so "$2.4 million" reads `2400000 USD` and "Friday"
//! in an e-mail sent on Wednesday 24 October 2001 reads `2001-10-19`.
//!
//! Relative dates ("Friday", "last week", "three days ago") are resolved only against a
//! document's own date (an e-mail's Date header): a file's modification time says nothing about
//! when its text was written.

use time::{Date, Duration, Month, Weekday};

use crate::model::EntityKind;

/// The normalised value of a mention, if its kind has one and the text can be read.
pub fn normalize(kind: EntityKind, text: &str, doc_date: Option<Date>) -> Option<String> {
    match kind {
        EntityKind::Money => money(text),
        EntityKind::Date => date(text, doc_date),
        _ => None,
    }
}

/// The date of a document whose text starts with e-mail headers (`Date: Wed, 24 Oct 2001 …`).
pub fn document_date(text: &str) -> Option<Date> {
    let line = text.lines().take(12).find_map(|l| l.strip_prefix("Date: "))?;
    let words: Vec<&str> = line.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    // Optional weekday, then day, month, year.
    let start = usize::from(weekday(words.first()?).is_some());
    let day: u8 = words.get(start)?.parse().ok()?;
    let month = month(words.get(start + 1)?)?;
    let year: i32 = words.get(start + 2)?.parse().ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// Days since 1970-01-01 of `d` (negative before), the unit of the index's date values.
pub fn day_number(d: Date) -> i64 {
    i64::from(d.to_julian_day()) - UNIX_EPOCH_JULIAN_DAY
}

/// The date `day_number` counts to.
pub fn day_date(day: i64) -> Option<Date> {
    i32::try_from(day + UNIX_EPOCH_JULIAN_DAY).ok().and_then(|j| Date::from_julian_day(j).ok())
}

/// The Julian day number of 1970-01-01.
const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;

/// The day a DATE mention puts on a calendar (see [`day_number`]): the day it names, the first
/// day of a month it names, or the first day of a span of at most a month ("last week").
/// `None` for a year or decade alone (too coarse to plot by month) and for text with no
/// calendar value ("recently", or "Friday" in a document without a date of its own).
pub fn calendar_day(text: &str, doc: Option<Date>) -> Option<i64> {
    let value = date(text, doc)?;
    match value.split_once('/') {
        Some((from, to)) => {
            let (from, to) = (iso_day(from)?, iso_day(to)?);
            (to - from <= 31).then_some(from)
        }
        None => iso_day(&value).or_else(|| iso_month(&value).map(|(start, _)| start)),
    }
}

/// The inclusive range of days (see [`day_number`]) a `date:` filter names: `2022`,
/// `2022-07`, `2022-07-15`, or a range of those, `[2022-01 TO 2022-06]` (or `2022-01..2022-06`),
/// whose end is the last day of what it names.
pub fn day_range(spec: &str) -> Option<(i64, i64)> {
    let inner = spec.trim().trim_start_matches('[').trim_end_matches(']').trim();
    let (from, to) = inner
        .split_once("..")
        .or_else(|| inner.split_once(" TO "))
        .or_else(|| inner.split_once(" to "))
        .unwrap_or((inner, inner));
    let (start, _) = span_of(from.trim())?;
    let (_, end) = span_of(to.trim())?;
    (start <= end).then_some((start, end))
}

/// The first and last day a year, month or day names.
fn span_of(text: &str) -> Option<(i64, i64)> {
    if let Some(day) = iso_day(text) {
        return Some((day, day));
    }
    if let Some(span) = iso_month(text) {
        return Some(span);
    }
    let year: i32 = text.parse().ok().filter(|y| (1..=9999).contains(y))?;
    let first = Date::from_calendar_date(year, Month::January, 1).ok()?;
    let last = Date::from_calendar_date(year, Month::December, 31).ok()?;
    Some((day_number(first), day_number(last)))
}

/// `YYYY-MM-DD` as a day number.
fn iso_day(text: &str) -> Option<i64> {
    let mut parts = text.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok().map(day_number)
}

/// `YYYY-MM` as its first and last day numbers.
fn iso_month(text: &str) -> Option<(i64, i64)> {
    let (y, m) = text.split_once('-')?;
    let (year, month) = (y.parse::<i32>().ok()?, Month::try_from(m.parse::<u8>().ok()?).ok()?);
    let first = Date::from_calendar_date(year, month, 1).ok()?;
    let last = Date::from_calendar_date(year, month, time::util::days_in_month(month, year)).ok()?;
    Some((day_number(first), day_number(last)))
}

fn money(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let currency = [
        ("us$", "USD"),
        ("c$", "CAD"),
        ("a$", "AUD"),
        ("hk$", "HKD"),
        ("$", "USD"),
        ("€", "EUR"),
        ("£", "GBP"),
        ("¥", "JPY"),
        ("dollar", "USD"),
        ("euro", "EUR"),
        ("pound", "GBP"),
        ("sterling", "GBP"),
        ("yen", "JPY"),
        ("yuan", "CNY"),
        ("ruble", "RUB"),
        ("rouble", "RUB"),
        ("franc", "CHF"),
        ("usd", "USD"),
        ("eur", "EUR"),
        ("gbp", "GBP"),
        ("cent", "USD"),
    ]
    .iter()
    .find(|(k, _)| lower.contains(k))
    .map(|(_, c)| *c)?;
    let number: String = lower
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        .filter(|c| *c != ',')
        .collect();
    let mut amount: f64 = number.trim_end_matches('.').parse().ok()?;
    // Scale words, also glued to the number ("3bn", "5m").
    let mut words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).collect();
    let glued: Vec<&str> = words.iter().map(|w| w.trim_start_matches(|c: char| c.is_ascii_digit())).collect();
    words.extend(glued);
    let has = |w: &str| words.contains(&w);
    if has("trillion") || has("tn") {
        amount *= 1e12;
    } else if has("billion") || has("bn") || has("b") {
        amount *= 1e9;
    } else if has("million") || has("mln") || has("m") {
        amount *= 1e6;
    } else if has("thousand") || has("k") {
        amount *= 1e3;
    }
    if lower.contains("cent") && !lower.contains('$') {
        amount /= 100.0;
    }
    let amount = (amount * 100.0).round() / 100.0;
    Some(if amount.fract() == 0.0 { format!("{amount:.0} {currency}") } else { format!("{amount:.2} {currency}") })
}

fn month(word: &str) -> Option<Month> {
    let w = word.trim_end_matches('.').to_lowercase();
    let months = [
        Month::January,
        Month::February,
        Month::March,
        Month::April,
        Month::May,
        Month::June,
        Month::July,
        Month::August,
        Month::September,
        Month::October,
        Month::November,
        Month::December,
    ];
    if w.len() < 3 {
        return None;
    }
    months.into_iter().find(|m| {
        let name = m.to_string().to_lowercase();
        name == w || (name.starts_with(&w) && (w.len() == 3 || w == "sept"))
    })
}

fn weekday(word: &str) -> Option<Weekday> {
    let w = word.trim_end_matches([',', '.']).to_lowercase();
    let days = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];
    days.into_iter().find(|d| {
        let name = d.to_string().to_lowercase();
        name == w || (w.len() == 3 && name.starts_with(&w))
    })
}

fn number_word(w: &str) -> Option<i64> {
    let n = match w {
        "a" | "an" | "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        _ => return w.parse().ok(),
    };
    Some(n)
}

fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn range(a: Date, b: Date) -> String {
    format!("{}/{}", iso(a), iso(b))
}

/// A DATE mention's value: written out in full, or relative to the document's date.
fn date(text: &str, doc: Option<Date>) -> Option<String> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric() && c != '-').filter(|w| !w.is_empty()).collect();
    let parts = DateParts::of(&words);
    absolute(&words, &parts).or_else(|| {
        let doc = doc?;
        relative_day(&words, &parts, doc).or_else(|| relative_period(&words, doc)).or_else(|| ago(&words, doc))
    })
}

/// The year, month and day a mention names, each if it does.
struct DateParts {
    year: Option<i32>,
    month: Option<Month>,
    day: Option<u8>,
}

impl DateParts {
    fn of(words: &[&str]) -> DateParts {
        let year = words.iter().filter_map(|w| w.parse::<i32>().ok()).find(|y| (1000..=2999).contains(y));
        let day =
            words.iter().filter_map(|w| w.trim_end_matches(|c: char| c.is_alphabetic()).parse::<u8>().ok()).find(|d| {
                (1..=31).contains(d)
                    && !words
                        .iter()
                        .any(|w| w.parse::<i32>().ok() == Some(i32::from(*d)) && year == Some(i32::from(*d)))
            });
        DateParts { year, month: words.iter().find_map(|w| month(w)), day }
    }
}

/// A date that needs no document date: ISO, a decade, a day, month or year with its year.
fn absolute(words: &[&str], parts: &DateParts) -> Option<String> {
    if let Some(w) = words.iter().find(|w| w.len() == 10 && w.chars().filter(|c| *c == '-').count() == 2) {
        let mut p = w.split('-').map(str::parse::<i32>);
        if let (Some(Ok(y)), Some(Ok(m)), Some(Ok(d))) = (p.next(), p.next(), p.next()) {
            let month = Month::try_from(u8::try_from(m).ok()?).ok()?;
            return Date::from_calendar_date(y, month, u8::try_from(d).ok()?).ok().map(iso);
        }
    }
    let decade = words
        .iter()
        .filter_map(|w| w.strip_suffix('s')?.parse::<i32>().ok())
        .find(|y| (1000..=2999).contains(y) && y % 10 == 0);
    if let Some(y) = decade {
        return Some(format!("{y:04}/{:04}", y + 9));
    }
    match (parts.year, parts.month, parts.day) {
        (Some(y), Some(m), Some(d)) => Date::from_calendar_date(y, m, d).ok().map(iso),
        (Some(y), Some(m), None) => Some(format!("{y:04}-{:02}", u8::from(m))),
        (Some(y), None, None) if words.len() <= 2 => Some(format!("{y:04}")),
        _ => None,
    }
}

/// A day or month without a year, today, yesterday, tomorrow, or a weekday: in the document's
/// year or next to its date.
fn relative_day(words: &[&str], parts: &DateParts, doc: Date) -> Option<String> {
    match (parts.year, parts.month, parts.day) {
        (None, Some(m), Some(d)) => return Date::from_calendar_date(doc.year(), m, d).ok().map(iso),
        (None, Some(m), None) => return Some(format!("{:04}-{:02}", doc.year(), u8::from(m))),
        _ => {}
    }
    let has = |w: &str| words.contains(&w);
    if has("today") {
        return Some(iso(doc));
    }
    if has("yesterday") {
        return Some(iso(doc - Duration::days(1)));
    }
    if has("tomorrow") {
        return Some(iso(doc + Duration::days(1)));
    }
    let wd = words.iter().find_map(|w| weekday(w))?;
    // The nearest such day before the document (news and mail report the past), or after it
    // when the text says "next".
    let back =
        (i64::from(doc.weekday().number_days_from_monday()) - i64::from(wd.number_days_from_monday())).rem_euclid(7);
    let d = if has("next") {
        doc + Duration::days((7 - back) % 7 + if back == 0 { 7 } else { 0 })
    } else {
        doc - Duration::days(back)
    };
    Some(iso(d))
}

/// Last, this or next week, month or year.
fn relative_period(words: &[&str], doc: Date) -> Option<String> {
    let has = |w: &str| words.contains(&w);
    let shift: i64 = if has("last") || has("previous") {
        -1
    } else if has("next") {
        1
    } else if has("this") {
        0
    } else {
        return None;
    };
    if has("week") {
        let week_start = doc - Duration::days(i64::from(doc.weekday().number_days_from_monday()));
        let s = week_start + Duration::weeks(shift);
        return Some(range(s, s + Duration::days(6)));
    }
    if has("month") {
        let (mut y, mut m) = (doc.year(), i32::from(u8::from(doc.month())) + shift as i32);
        if m < 1 {
            m += 12;
            y -= 1;
        } else if m > 12 {
            m -= 12;
            y += 1;
        }
        return Some(format!("{y:04}-{m:02}"));
    }
    has("year").then(|| format!("{:04}", doc.year() + shift as i32))
}

/// "Three weeks ago" and the like: the day, week, month or year that far before the document.
fn ago(words: &[&str], doc: Date) -> Option<String> {
    if !words.contains(&"ago") {
        return None;
    }
    let n = words.iter().find_map(|w| number_word(w)).unwrap_or(1);
    let unit = words
        .iter()
        .find(|w| w.starts_with("day") || w.starts_with("week") || w.starts_with("month") || w.starts_with("year"))?;
    let days = match &unit[..3] {
        "day" => n,
        "wee" => 7 * n,
        "mon" => 30 * n,
        _ => 365 * n,
    };
    let d = doc - Duration::days(days);
    Some(if unit.starts_with("day") {
        iso(d)
    } else if unit.starts_with("week") {
        let monday = d - Duration::days(d.weekday().number_days_from_monday().into());
        range(monday, monday + Duration::days(6))
    } else if unit.starts_with("month") {
        format!("{:04}-{:02}", d.year(), u8::from(d.month()))
    } else {
        format!("{:04}", d.year())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::from_calendar_date(y, Month::try_from(m).unwrap(), day).unwrap()
    }

    #[test]
    fn money_amounts_and_currencies() {
        let m = |t| normalize(EntityKind::Money, t, None);
        assert_eq!(m("$2.4 million").as_deref(), Some("2400000 USD"));
        assert_eq!(m("€1.2 million").as_deref(), Some("1200000 EUR"));
        assert_eq!(m("US$1,250,000").as_deref(), Some("1250000 USD"));
        assert_eq!(m("£3bn").as_deref(), Some("3000000000 GBP"));
        assert_eq!(m("5.50 euros").as_deref(), Some("5.50 EUR"));
        assert_eq!(m("25 cents").as_deref(), Some("0.25 USD"));
        assert_eq!(m("about 40 million rubles").as_deref(), Some("40000000 RUB"));
        assert_eq!(m("a lot of money"), None);
    }

    #[test]
    fn absolute_dates_need_no_document_date() {
        let n = |t| normalize(EntityKind::Date, t, None);
        assert_eq!(n("March 14, 2024").as_deref(), Some("2024-03-14"));
        assert_eq!(n("12 April 2024").as_deref(), Some("2024-04-12"));
        assert_eq!(n("Friday, 12 April 2024").as_deref(), Some("2024-04-12"));
        assert_eq!(n("2020-10-12").as_deref(), Some("2020-10-12"));
        assert_eq!(n("June 2021").as_deref(), Some("2021-06"));
        assert_eq!(n("2019").as_deref(), Some("2019"));
        assert_eq!(n("the 1990s").as_deref(), Some("1990/1999"));
        assert_eq!(n("Friday"), None, "relative dates need the document's date");
    }

    #[test]
    fn relative_dates_resolve_against_the_document_date() {
        // Wednesday 24 October 2001.
        let doc = Some(d(2001, 10, 24));
        let n = |t| normalize(EntityKind::Date, t, doc);
        assert_eq!(n("Friday").as_deref(), Some("2001-10-19"));
        assert_eq!(n("Wednesday").as_deref(), Some("2001-10-24"));
        assert_eq!(n("next Monday").as_deref(), Some("2001-10-29"));
        assert_eq!(n("yesterday").as_deref(), Some("2001-10-23"));
        assert_eq!(n("this week").as_deref(), Some("2001-10-22/2001-10-28"));
        assert_eq!(n("last month").as_deref(), Some("2001-09"));
        assert_eq!(n("three days ago").as_deref(), Some("2001-10-21"));
        assert_eq!(n("June").as_deref(), Some("2001-06"));
        assert_eq!(n("May 3").as_deref(), Some("2001-05-03"));
    }

    #[test]
    fn mentions_fall_on_calendar_days_when_they_name_a_day_or_a_month() {
        let doc = Some(d(2001, 10, 24));
        let day = |t| calendar_day(t, doc).and_then(day_date);
        assert_eq!(day("March 14, 2024"), Some(d(2024, 3, 14)));
        assert_eq!(day("June 2021"), Some(d(2021, 6, 1)));
        assert_eq!(day("Friday"), Some(d(2001, 10, 19)));
        assert_eq!(day("last week"), Some(d(2001, 10, 15)));
        assert_eq!(day("2019"), None, "a year alone is too coarse for a month's bar");
        assert_eq!(day("the 1990s"), None);
        assert_eq!(day("recently"), None);
        assert_eq!(calendar_day("Friday", None), None, "no document date to count from");
        assert_eq!(day_number(d(1970, 1, 1)), 0);
        assert_eq!(day_date(-1), Some(d(1969, 12, 31)));
    }

    #[test]
    fn date_filters_name_inclusive_ranges_of_days() {
        let range = |t| day_range(t).map(|(a, b)| (day_date(a).unwrap(), day_date(b).unwrap()));
        assert_eq!(range("2022"), Some((d(2022, 1, 1), d(2022, 12, 31))));
        assert_eq!(range("2024-02"), Some((d(2024, 2, 1), d(2024, 2, 29))));
        assert_eq!(range("2022-07-15"), Some((d(2022, 7, 15), d(2022, 7, 15))));
        assert_eq!(range("[2022-01 TO 2022-06]"), Some((d(2022, 1, 1), d(2022, 6, 30))));
        assert_eq!(range("2021..2022-03"), Some((d(2021, 1, 1), d(2022, 3, 31))));
        for bad in ["", "July", "2022-13", "[2023 TO 2022]", "2022-02-30", "[2022 TO"] {
            assert_eq!(day_range(bad), None, "{bad}");
        }
    }

    #[test]
    fn e_mail_date_header() {
        let text = "From: a@b.org\nDate: Wed, 24 Oct 2001 17:50:58 -0700\nSubject: x\n\nbody";
        assert_eq!(document_date(text), Some(d(2001, 10, 24)));
        assert_eq!(document_date("no headers here"), None);
    }
}
