//! Dates as document formats write them: ISO 8601 (office documents) and PDF's `D:` strings.

use time::{Date, Month, PrimitiveDateTime, Time, UtcOffset};

/// `2024-03-12T09:30:00Z`, `2024-03-12T09:30:00.5+01:00`, `2024-03-12` → nanoseconds since the
/// Unix epoch. A missing zone is taken as UTC.
pub fn iso8601_ns(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, rest) = s.split_at(s.find('T').unwrap_or(s.len()));
    let mut parts = date.splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    let rest = rest.strip_prefix('T').unwrap_or(rest);
    let zone_at = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
    let (clock, zone) = rest.split_at(zone_at);
    let clock = clock.split('.').next().unwrap_or("");
    let mut hms = clock.split(':').map(|p| p.parse::<u8>());
    let hour = hms.next().and_then(Result::ok).unwrap_or(0);
    let minute = hms.next().and_then(Result::ok).unwrap_or(0);
    let second = hms.next().and_then(Result::ok).unwrap_or(0);
    let offset = offset(zone)?;
    to_ns(year, month, day, hour, minute, second, offset)
}

/// PDF dates: `D:20240312093000+01'00'`, `D:2024`, `20240312` → nanoseconds since the epoch.
pub fn pdf_date_ns(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits_end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, zone) = s.split_at(digits_end);
    if digits.len() < 4 {
        return None;
    }
    let field = |at: usize, len: usize, default: u32| -> Option<u32> {
        digits.get(at..at + len).map_or(Some(default), |d| d.parse().ok())
    };
    let year = field(0, 4, 0)? as i32;
    let month = field(4, 2, 1)? as u8;
    let day = field(6, 2, 1)? as u8;
    let hour = field(8, 2, 0)? as u8;
    let minute = field(10, 2, 0)? as u8;
    let second = field(12, 2, 0)? as u8;
    let offset = offset(zone)?;
    to_ns(year, month, day, hour, minute, second, offset)
}

/// `+01:00`, `-05'00`, `Z` or nothing (UTC); `None` when a sign is followed by no hours.
fn offset(zone: &str) -> Option<UtcOffset> {
    let sign = match zone.chars().next() {
        Some(sign @ ('+' | '-')) => sign,
        _ => return Some(UtcOffset::UTC),
    };
    let digits: String = zone[1..].chars().filter(char::is_ascii_digit).collect();
    let hours: i8 = digits.get(0..2)?.parse().ok()?;
    let minutes: i8 = digits.get(2..4).map_or(Some(0), |m| m.parse().ok())?;
    let (hours, minutes) = if sign == '-' { (-hours, -minutes) } else { (hours, minutes) };
    UtcOffset::from_hms(hours, minutes, 0).ok()
}

fn to_ns(year: i32, month: u8, day: u8, hour: u8, minute: u8, second: u8, offset: UtcOffset) -> Option<i64> {
    if !(1000..=9999).contains(&year) {
        return None;
    }
    let date = Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()?;
    let time = Time::from_hms(hour, minute, second.min(59)).ok()?;
    let at = PrimitiveDateTime::new(date, time).assume_offset(offset);
    i64::try_from(at.unix_timestamp_nanos()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARCH_12_0930_UTC: i64 = 1_710_235_800_000_000_000;

    #[test]
    fn iso_dates_with_and_without_zones() {
        assert_eq!(iso8601_ns("2024-03-12T09:30:00Z"), Some(MARCH_12_0930_UTC));
        assert_eq!(iso8601_ns("2024-03-12T10:30:00.25+01:00"), Some(MARCH_12_0930_UTC));
        assert_eq!(iso8601_ns("2024-03-12T09:30:00"), Some(MARCH_12_0930_UTC));
        assert_eq!(iso8601_ns("2024-03-12"), Some(MARCH_12_0930_UTC - (9 * 3600 + 1800) * 1_000_000_000));
        for bad in ["", "yesterday", "2024-13-01", "2024-02-30T00:00:00Z", "0000-01-01"] {
            assert_eq!(iso8601_ns(bad), None, "{bad}");
        }
    }

    #[test]
    fn pdf_dates() {
        assert_eq!(pdf_date_ns("D:20240312103000+01'00'"), Some(MARCH_12_0930_UTC));
        assert_eq!(pdf_date_ns("D:20240312093000Z"), Some(MARCH_12_0930_UTC));
        assert_eq!(pdf_date_ns("D:20240312043000-05'00"), Some(MARCH_12_0930_UTC));
        assert!(pdf_date_ns("D:2024").is_some());
        for bad in ["", "D:", "D:20", "D:20241340", "garbage"] {
            assert_eq!(pdf_date_ns(bad), None, "{bad}");
        }
    }
}
