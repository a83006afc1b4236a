//! Days since 1970-01-01 (the statement's date unit) and ISO dates.

use anyhow::{bail, Context, Result};

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` after 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `YYYY-MM-DD` or a plain day number, as days since 1970-01-01.
pub fn parse_day(s: &str) -> Result<u32> {
    if let Ok(n) = s.parse::<u32>() {
        return Ok(n);
    }
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() != 3 {
        bail!("{s:?} is not a date (YYYY-MM-DD) or a day number");
    }
    let y: i64 = parts[0].parse().with_context(|| format!("year in {s:?}"))?;
    let m: u32 = parts[1]
        .parse()
        .with_context(|| format!("month in {s:?}"))?;
    let d: u32 = parts[2].parse().with_context(|| format!("day in {s:?}"))?;
    let days = days_from_civil(y, m, d);
    if !(1..=12).contains(&m) || civil_from_days(days) != (y, m, d) {
        bail!("{s:?} is not a calendar date");
    }
    u32::try_from(days).with_context(|| format!("{s:?} is before 1970-01-01"))
}

/// `days` as `YYYY-MM-DD`.
pub fn iso(days: u32) -> String {
    let (y, m, d) = civil_from_days(i64::from(days));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Today (UTC) in days.
pub fn today() -> u32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    (secs / 86_400) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(parse_day("1970-01-01").unwrap(), 0);
        assert_eq!(parse_day("2024-10-04").unwrap(), 20_000);
        assert_eq!(parse_day("2000-02-29").unwrap(), 11_016);
        assert_eq!(iso(20_000), "2024-10-04");
        assert_eq!(parse_day("123").unwrap(), 123);
    }

    #[test]
    fn invalid_dates_are_refused() {
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "1969-12-31",
            "x",
            "2024-1",
            "2024-00-10",
        ] {
            assert!(parse_day(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn round_trip() {
        for d in (0..80_000).step_by(97) {
            assert_eq!(parse_day(&iso(d)).unwrap(), d);
        }
    }
}
