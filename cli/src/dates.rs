//! The command line's date arguments: `YYYY-MM-DD` or a plain day number,
//! read with the statement's one calendar ([`veil_circuits::day::Day`]).

use anyhow::Result;
use veil_circuits::day::Day;

/// `YYYY-MM-DD` or a plain day number, as days since 1970-01-01.
pub fn parse_day(s: &str) -> Result<u32> {
    if let Ok(n) = s.parse::<u32>() {
        return Ok(n);
    }
    Ok(Day::parse_iso(s)?.into())
}

/// `days` as `YYYY-MM-DD`.
pub fn iso(days: u32) -> String {
    Day(days).iso()
}

/// Today (UTC) in days.
pub fn today() -> u32 {
    Day::today().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_day_numbers() {
        assert_eq!(parse_day("2024-10-04").unwrap(), 20_000);
        assert_eq!(parse_day("123").unwrap(), 123);
        assert_eq!(iso(20_000), "2024-10-04");
        for bad in ["2023-02-29", "1969-12-31", "x", "-1"] {
            assert!(parse_day(bad).is_err(), "{bad}");
        }
    }
}
