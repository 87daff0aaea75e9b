//! When a recurring list starts its next round, in the home's time zone.
//!
//! The earlier server computed resets in the server's local time, let days 29–31 roll into the
//! following month and ignored `homes.timezone`. Here every reset falls on local midnight of the
//! home's IANA zone, day-of-month is clamped to the month's last day, and a midnight that does
//! not exist (a daylight-saving gap) becomes the first instant that does.

use chrono::{DateTime, Datelike, Days, LocalResult, Months, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// How often a list starts a new round (all its entries un-ticked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ListSchedule {
    /// Every week on `scheduleDayOfWeek`.
    Weekly,
    /// Every other week: the weekly date one week later.
    Biweekly,
    /// Every month on `scheduleDayOfMonth`.
    Monthly,
}

impl ListSchedule {
    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ListSchedule::Weekly => "weekly",
            ListSchedule::Biweekly => "biweekly",
            ListSchedule::Monthly => "monthly",
        }
    }

    /// Parses the wire spelling, ignoring case and surrounding spaces.
    ///
    /// ```
    /// use pantry_core::lists::schedule::ListSchedule;
    /// assert_eq!(ListSchedule::parse(" Weekly"), Some(ListSchedule::Weekly));
    /// assert_eq!(ListSchedule::parse("daily"), None);
    /// ```
    pub fn parse(text: &str) -> Option<ListSchedule> {
        let text = text.trim();
        [
            ListSchedule::Weekly,
            ListSchedule::Biweekly,
            ListSchedule::Monthly,
        ]
        .into_iter()
        .find(|s| s.as_str().eq_ignore_ascii_case(text))
    }
}

/// The weekday a weekly or biweekly list resets on when none is set: Sunday.
pub const DEFAULT_DAY_OF_WEEK: u8 = 0;
/// The day a monthly list resets on when none is set: the first.
pub const DEFAULT_DAY_OF_MONTH: u8 = 1;

/// A list's reset rule: the schedule and the days it names (0 = Sunday … 6 = Saturday;
/// 1 … 31, clamped to the month's length).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// How often.
    pub every: ListSchedule,
    /// Weekday of weekly and biweekly resets; `None` means Sunday.
    pub day_of_week: Option<u8>,
    /// Day of monthly resets; `None` means the first.
    pub day_of_month: Option<u8>,
}

impl Schedule {
    /// The next reset strictly after `now`, at local midnight in `zone`:
    ///
    /// - weekly: the next `day_of_week` after today (today's weekday means a week from today);
    /// - biweekly: that date plus seven days;
    /// - monthly: `day_of_month` of this month if its midnight is still ahead, else of next
    ///   month; days past the month's end mean its last day.
    ///
    /// `None` only beyond the calendar chrono supports (the year 262143).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use pantry_core::lists::schedule::{ListSchedule, Schedule};
    /// let weekly_sunday = Schedule { every: ListSchedule::Weekly, day_of_week: Some(0), day_of_month: None };
    /// // Friday 20:00 UTC is already Saturday 03:00 in Bangkok (UTC+7): the next Sunday
    /// // midnight there is Saturday 17:00 UTC.
    /// let now = Utc.with_ymd_and_hms(2026, 12, 4, 20, 0, 0).unwrap();
    /// let next = weekly_sunday.next_reset(now, chrono_tz::Asia::Bangkok).unwrap();
    /// assert_eq!(next, Utc.with_ymd_and_hms(2026, 12, 5, 17, 0, 0).unwrap());
    /// ```
    pub fn next_reset(&self, now: DateTime<Utc>, zone: Tz) -> Option<DateTime<Utc>> {
        let today = now.with_timezone(&zone).date_naive();
        match self.every {
            ListSchedule::Weekly => local_midnight(self.next_weekday(today)?, zone),
            ListSchedule::Biweekly => local_midnight(
                self.next_weekday(today)?.checked_add_days(Days::new(7))?,
                zone,
            ),
            ListSchedule::Monthly => {
                let day = self.day_of_month.unwrap_or(DEFAULT_DAY_OF_MONTH);
                let first = today.with_day(1)?;
                let this_month = local_midnight(day_in_month(first, day)?, zone)?;
                if this_month > now {
                    return Some(this_month);
                }
                let next_first = first.checked_add_months(Months::new(1))?;
                local_midnight(day_in_month(next_first, day)?, zone)
            }
        }
    }

    /// The first date after `today` that falls on the schedule's weekday.
    fn next_weekday(&self, today: NaiveDate) -> Option<NaiveDate> {
        let target = u64::from(self.day_of_week.unwrap_or(DEFAULT_DAY_OF_WEEK).min(6));
        let current = u64::from(today.weekday().num_days_from_sunday());
        let ahead = match (7 + target - current) % 7 {
            0 => 7,
            n => n,
        };
        today.checked_add_days(Days::new(ahead))
    }
}

/// The zone named by a home's `timezone`; UTC for a name the time-zone database does not know
/// (homes store only validated names, so this is a safety net, not a rule).
///
/// ```
/// use pantry_core::lists::schedule::zone;
/// assert_eq!(zone("Asia/Bangkok"), chrono_tz::Asia::Bangkok);
/// assert_eq!(zone("Mars/Olympus"), chrono_tz::UTC);
/// ```
pub fn zone(name: &str) -> Tz {
    name.trim().parse().unwrap_or(chrono_tz::UTC)
}

/// `day` of the month that starts on `first`, clamped to the month's last day.
fn day_in_month(first: NaiveDate, day: u8) -> Option<NaiveDate> {
    let last = first.checked_add_months(Months::new(1))?.pred_opt()?.day();
    first.with_day(u32::from(day.max(1)).min(last))
}

/// The instant `date` begins in `zone`: its local midnight, the earlier one when the clock is
/// turned back over midnight, or the first valid instant after when midnight is skipped.
pub(crate) fn local_midnight(date: NaiveDate, zone: Tz) -> Option<DateTime<Utc>> {
    let midnight = date.and_time(NaiveTime::MIN);
    match zone.from_local_datetime(&midnight) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => Some(at.with_timezone(&Utc)),
        // A daylight-saving gap: local times from midnight to the end of the gap do not exist.
        // Gaps start and end on whole minutes (and last at most a few hours), so the first
        // local minute that exists is where the day really begins.
        LocalResult::None => (1..=24 * 60).find_map(|minute| {
            let local = midnight + chrono::Duration::minutes(minute);
            zone.from_local_datetime(&local)
                .earliest()
                .map(|at| at.with_timezone(&Utc))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{Clock, FixedClock};
    use chrono::Duration;
    use chrono_tz::{America, Asia, UTC};

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn weekly(day: Option<u8>) -> Schedule {
        Schedule {
            every: ListSchedule::Weekly,
            day_of_week: day,
            day_of_month: None,
        }
    }

    fn monthly(day: Option<u8>) -> Schedule {
        Schedule {
            every: ListSchedule::Monthly,
            day_of_week: None,
            day_of_month: day,
        }
    }

    #[test]
    fn weekly_is_the_next_weekday_strictly_after_today() {
        // 2026-12-02 is a Wednesday.
        let clock = FixedClock::new(utc(2026, 12, 2, 10, 0));
        let on = |day| weekly(Some(day)).next_reset(clock.now(), UTC).unwrap();
        assert_eq!(on(0), utc(2026, 12, 6, 0, 0), "Sunday");
        assert_eq!(on(4), utc(2026, 12, 3, 0, 0), "Thursday is tomorrow");
        assert_eq!(on(3), utc(2026, 12, 9, 0, 0), "Wednesday means next week");
        assert_eq!(on(2), utc(2026, 12, 8, 0, 0), "Tuesday has passed");
        assert_eq!(
            weekly(None).next_reset(clock.now(), UTC),
            Some(utc(2026, 12, 6, 0, 0)),
            "Sunday by default"
        );
        // Just after the reset, the next one is a week later.
        clock.advance(Duration::days(4) - Duration::hours(10));
        assert_eq!(clock.now(), utc(2026, 12, 6, 0, 0));
        assert_eq!(on(0), utc(2026, 12, 13, 0, 0));
    }

    #[test]
    fn biweekly_is_the_weekly_date_plus_a_week() {
        let now = utc(2026, 12, 2, 10, 0);
        let biweekly = Schedule {
            every: ListSchedule::Biweekly,
            day_of_week: Some(0),
            day_of_month: None,
        };
        assert_eq!(biweekly.next_reset(now, UTC), Some(utc(2026, 12, 13, 0, 0)));
    }

    #[test]
    fn bangkok_resets_at_its_own_midnight_and_uses_its_own_today() {
        let clock = FixedClock::new(utc(2026, 12, 4, 20, 0)); // Sat 03:00 in Bangkok
        let sunday = weekly(Some(0));
        assert_eq!(
            sunday.next_reset(clock.now(), Asia::Bangkok),
            Some(utc(2026, 12, 5, 17, 0)),
            "Sunday 00:00 +07"
        );
        // Saturday in Bangkok: Saturday means a week later, although it is Friday in UTC.
        assert_eq!(
            weekly(Some(6)).next_reset(clock.now(), Asia::Bangkok),
            Some(utc(2026, 12, 11, 17, 0))
        );
        // One hour after Bangkok's Sunday midnight the next Sunday is a week away.
        clock.advance(Duration::hours(22)); // Sat 18:00 UTC = Sun 01:00 +07
        assert_eq!(
            sunday.next_reset(clock.now(), Asia::Bangkok),
            Some(utc(2026, 12, 12, 17, 0))
        );
        assert_eq!(
            monthly(Some(1)).next_reset(clock.now(), Asia::Bangkok),
            Some(utc(2026, 12, 31, 17, 0)),
            "1 January 00:00 +07"
        );
    }

    #[test]
    fn new_york_midnight_follows_daylight_saving_time() {
        // DST starts on Sunday 2026-03-08 at 02:00 and ends on Sunday 2026-11-01 at 02:00.
        let clock = FixedClock::new(utc(2026, 3, 4, 17, 0)); // Wednesday noon EST
        let sunday = weekly(Some(0));
        let first = sunday.next_reset(clock.now(), America::New_York).unwrap();
        assert_eq!(first, utc(2026, 3, 8, 5, 0), "midnight EST (-5)");
        clock.advance(first - clock.now() + Duration::minutes(1));
        let second = sunday.next_reset(clock.now(), America::New_York).unwrap();
        assert_eq!(second, utc(2026, 3, 15, 4, 0), "midnight EDT (-4)");
        assert_eq!(
            second - first,
            Duration::hours(167),
            "a 23-hour day in between"
        );

        let autumn = sunday
            .next_reset(utc(2026, 10, 28, 16, 0), America::New_York)
            .unwrap();
        assert_eq!(autumn, utc(2026, 11, 1, 4, 0), "still EDT at midnight");
        let after = sunday
            .next_reset(autumn + Duration::minutes(1), America::New_York)
            .unwrap();
        assert_eq!(after, utc(2026, 11, 8, 5, 0), "EST again");
    }

    #[test]
    fn a_skipped_midnight_becomes_the_first_instant_that_exists() {
        // Havana moved its clocks from 00:00 to 01:00 on Sunday 2024-03-10 (CST -5 to CDT -4).
        let now = utc(2024, 3, 6, 17, 0);
        let next = weekly(Some(0)).next_reset(now, America::Havana).unwrap();
        assert_eq!(
            next,
            utc(2024, 3, 10, 5, 0),
            "01:00 CDT, the day's first instant"
        );
        assert_eq!(
            next.with_timezone(&America::Havana).time(),
            NaiveTime::from_hms_opt(1, 0, 0).unwrap()
        );
        // Turning the clock back over midnight (Havana, 2024-11-03 01:00 CDT -> 00:00 CST)
        // makes midnight happen twice: the first one counts.
        let autumn = weekly(Some(0))
            .next_reset(utc(2024, 10, 30, 17, 0), America::Havana)
            .unwrap();
        assert_eq!(autumn, utc(2024, 11, 3, 4, 0));
    }

    #[test]
    fn monthly_is_this_month_if_ahead_else_next_month() {
        let now = utc(2026, 12, 4, 9, 0);
        assert_eq!(
            monthly(Some(10)).next_reset(now, UTC),
            Some(utc(2026, 12, 10, 0, 0))
        );
        assert_eq!(
            monthly(Some(4)).next_reset(now, UTC),
            Some(utc(2027, 1, 4, 0, 0)),
            "today's midnight has passed"
        );
        assert_eq!(
            monthly(None).next_reset(now, UTC),
            Some(utc(2027, 1, 1, 0, 0)),
            "the first by default, across the year end"
        );
        // Exactly at the reset instant it is no longer ahead.
        assert_eq!(
            monthly(Some(10)).next_reset(utc(2026, 12, 10, 0, 0), UTC),
            Some(utc(2027, 1, 10, 0, 0))
        );
    }

    #[test]
    fn days_past_the_month_end_clamp_and_never_roll_over() {
        let clock = FixedClock::new(utc(2026, 1, 31, 12, 0));
        let day_31 = monthly(Some(31));
        let feb = day_31.next_reset(clock.now(), UTC).unwrap();
        assert_eq!(feb, utc(2026, 2, 28, 0, 0), "not 3 March");
        clock.advance(feb - clock.now() + Duration::hours(1));
        assert_eq!(
            day_31.next_reset(clock.now(), UTC),
            Some(utc(2026, 3, 31, 0, 0)),
            "back to the 31st when the month has one"
        );
        assert_eq!(
            monthly(Some(30)).next_reset(utc(2028, 2, 1, 0, 0), UTC),
            Some(utc(2028, 2, 29, 0, 0)),
            "leap year"
        );
        assert_eq!(
            monthly(Some(31)).next_reset(utc(2026, 4, 2, 0, 0), UTC),
            Some(utc(2026, 4, 30, 0, 0))
        );
        // In Bangkok, 31 January 00:30 local is still 30 January in UTC: the local month counts.
        assert_eq!(
            day_31.next_reset(utc(2026, 1, 30, 17, 30), Asia::Bangkok),
            Some(utc(2026, 2, 27, 17, 0))
        );
    }

    #[test]
    fn unknown_zone_names_fall_back_to_utc() {
        assert_eq!(zone("Europe/Paris"), chrono_tz::Europe::Paris);
        assert_eq!(zone(""), UTC);
    }
}
