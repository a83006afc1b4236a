//! The statement's date unit — whole days since 1970-01-01 (UTC) — with the
//! one calendar veil reads and writes ISO dates with, and the one rule that
//! turns a minimum age in years into days. The CLI, the credentials of
//! `veil-did`, the demo and the sample all go through here, so a date means
//! the same day everywhere and an age threshold is never computed twice.

use std::fmt;
use std::str::FromStr;

/// A day: days since 1970-01-01 in the proleptic Gregorian calendar, as the
/// statement's dates (`birth_date`, `issued_at`, `expires_at`, `today`) are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Day(pub u32);

/// A text that is not a canonical `YYYY-MM-DD` date from 1970 on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DayError {
    /// Not of the form `YYYY-MM-DD` (four, two and two digits).
    #[error("{0:?} is not a YYYY-MM-DD date")]
    Form(String),
    /// Of the form, but no such day (month 13, February 30, …).
    #[error("{0:?} is not a calendar date")]
    NoSuchDay(String),
    /// Before 1970-01-01, or after the last day a `u32` holds.
    #[error("{0:?} is before 1970-01-01 or out of range")]
    OutOfRange(String),
    /// Not midnight UTC (`YYYY-MM-DDT00:00:00Z`), where whole days are meant.
    #[error("{0:?} is not midnight UTC (YYYY-MM-DDT00:00:00Z)")]
    NotMidnight(String),
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` after 1970-01-01 (`civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
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

/// The most days any `years` consecutive calendar years hold: 365 each and
/// a leap day for every started four years. A policy's minimum age is this
/// many days, so nobody younger than `years` ever passes (someone who turned
/// `years` may wait a day, never the other way round).
/// (Saturating: an absurd age is a policy nobody passes, not an overflow.)
pub const fn min_age_days(years: u32) -> u32 {
    years.saturating_mul(365).saturating_add(years.div_ceil(4))
}

impl Day {
    /// Today, UTC, from the system clock.
    pub fn today() -> Day {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Day(u32::try_from(secs / 86_400).unwrap_or(u32::MAX))
    }

    /// The day of a canonical `YYYY-MM-DD` date.
    pub fn parse_iso(s: &str) -> Result<Day, DayError> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        let form = b.len() == 10 && b[4] == b'-' && b[7] == b'-';
        if !form || !digits(0..4) || !digits(5..7) || !digits(8..10) {
            return Err(DayError::Form(s.into()));
        }
        // Ten ASCII bytes checked above: the slices are digits.
        let (y, m, d) = (
            s[0..4].parse::<i64>().unwrap_or_default(),
            s[5..7].parse::<u32>().unwrap_or_default(),
            s[8..10].parse::<u32>().unwrap_or_default(),
        );
        let days = days_from_civil(y, m, d);
        if !(1..=12).contains(&m) || civil_from_days(days) != (y, m, d) {
            return Err(DayError::NoSuchDay(s.into()));
        }
        u32::try_from(days)
            .map(Day)
            .map_err(|_| DayError::OutOfRange(s.into()))
    }

    /// The day of a `YYYY-MM-DDT00:00:00Z` timestamp (credentials' validity
    /// bounds are whole days).
    pub fn parse_midnight(s: &str) -> Result<Day, DayError> {
        let date = s
            .strip_suffix("T00:00:00Z")
            .ok_or_else(|| DayError::NotMidnight(s.into()))?;
        Day::parse_iso(date)
    }

    /// `YYYY-MM-DD`.
    pub fn iso(self) -> String {
        let (y, m, d) = civil_from_days(i64::from(self.0));
        format!("{y:04}-{m:02}-{d:02}")
    }

    /// `YYYY-MM-DDT00:00:00Z`.
    pub fn midnight(self) -> String {
        format!("{}T00:00:00Z", self.iso())
    }

    /// The day `days` before this one (1970-01-01 at the earliest).
    pub fn minus(self, days: u32) -> Day {
        Day(self.0.saturating_sub(days))
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.iso())
    }
}

impl FromStr for Day {
    type Err = DayError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Day::parse_iso(s)
    }
}

impl From<Day> for u32 {
    fn from(d: Day) -> u32 {
        d.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(Day::parse_iso("1970-01-01"), Ok(Day(0)));
        assert_eq!(Day::parse_iso("2024-10-04"), Ok(Day(20_000)));
        assert_eq!(Day::parse_iso("2000-02-29"), Ok(Day(11_016)));
        assert_eq!(Day(20_000).iso(), "2024-10-04");
        assert_eq!(Day(1).midnight(), "1970-01-02T00:00:00Z");
        assert_eq!(Day::parse_midnight("1970-01-02T00:00:00Z"), Ok(Day(1)));
    }

    #[test]
    fn malformed_and_impossible_dates_are_refused() {
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "1969-12-31",
            "x",
            "2024-1",
            "2024-01-1",
            "+024-01-01",
            "2024-01-01 ",
            "２０２４-01-01",
            "99999-01-01",
        ] {
            assert!(Day::parse_iso(bad).is_err(), "{bad}");
        }
        assert!(Day::parse_midnight("2026-01-01T00:00:01Z").is_err());
    }

    #[test]
    fn every_day_round_trips() {
        for d in (0..2_932_897).step_by(97) {
            assert_eq!(Day::parse_iso(&Day(d).iso()), Ok(Day(d)), "{d}");
        }
    }

    /// No one younger than the threshold passes, in any window of years.
    #[test]
    fn min_age_days_is_never_less_than_the_calendar_years() {
        for years in [1, 4, 16, 18, 21, 25, 100] {
            for birth in (0..40_000).step_by(37) {
                let (y, m, d) = civil_from_days(birth);
                // The birthday `years` later (29 February → 1 March).
                let mut later = days_from_civil(y + i64::from(years), m, d);
                if civil_from_days(later) != (y + i64::from(years), m, d) {
                    later = days_from_civil(y + i64::from(years), 3, 1);
                }
                assert!(
                    i64::from(min_age_days(years)) >= later - birth,
                    "{years} years from {}",
                    Day(birth as u32)
                );
            }
        }
        assert_eq!(min_age_days(18), 6575);
    }
}
