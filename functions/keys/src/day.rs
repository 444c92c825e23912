//! Calendar days (proleptic Gregorian, UTC) without a date library: the
//! usage counters are per day, and both the host and the wasm functions
//! need the same notion of "today" and of a range of days.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

/// A day, stored as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(i64);

/// Why a text is not a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayError(pub String);

impl fmt::Display for DayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a date written YYYY-MM-DD", self.0)
    }
}

impl std::error::Error for DayError {}

impl Day {
    /// The current UTC day.
    pub fn today() -> Self {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Self(secs.div_euclid(86_400))
    }

    /// The day `n` days later (earlier for negative `n`).
    pub fn plus(self, n: i64) -> Self {
        Self(self.0 + n)
    }

    /// Days from `self` to `other` (positive when `other` is later).
    pub fn days_until(self, other: Day) -> i64 {
        other.0 - self.0
    }

    /// From a civil date; `None` when it does not exist.
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Option<Self> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        // Days since the epoch, counting years from March so the leap day is last.
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Self(era * 146_097 + doe - 719_468))
    }

    /// (year, month, day).
    pub fn ymd(self) -> (i64, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        (year, month, day)
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl FromStr for Day {
    type Err = DayError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || DayError(s.to_string());
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(err());
        }
        let num = |r: std::ops::Range<usize>| -> Result<i64, DayError> {
            let part = &s[r];
            if !part.bytes().all(|c| c.is_ascii_digit()) {
                return Err(err());
            }
            part.parse().map_err(|_| err())
        };
        let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        Day::from_ymd(y, m as u32, d as u32).ok_or_else(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_days_round_trip() {
        let cases = [
            ("1970-01-01", 0),
            ("1970-01-02", 1),
            ("1969-12-31", -1),
            ("2000-02-29", 11_016),
            ("2024-02-29", 19_782),
            ("2026-12-04", 20_791),
        ];
        for (text, n) in cases {
            let day: Day = text.parse().unwrap();
            assert_eq!(day, Day(n), "{text}");
            assert_eq!(day.to_string(), text);
        }
    }

    #[test]
    fn every_day_of_four_centuries_round_trips() {
        let start = Day::from_ymd(1900, 1, 1).unwrap();
        for n in 0..146_097 {
            let day = start.plus(n);
            let (y, m, d) = day.ymd();
            assert_eq!(Day::from_ymd(y, m, d), Some(day));
        }
    }

    #[test]
    fn impossible_dates_are_rejected() {
        for bad in [
            "2026-02-29",
            "2100-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "2026-1-01",
            "20261201",
            "abcd-ef-gh",
            "2026-12-04T00",
        ] {
            assert!(bad.parse::<Day>().is_err(), "{bad}");
        }
        assert!("2000-02-29".parse::<Day>().is_ok());
    }

    #[test]
    fn ranges_count_days() {
        let a: Day = "2026-02-27".parse().unwrap();
        let b: Day = "2026-03-01".parse().unwrap();
        assert_eq!(a.days_until(b), 2);
        assert_eq!(a.plus(2), b);
    }
}
