//! The legal calendar: the Vietnamese lunar calendar, holidays and make-up days, office hours,
//! and the deadline calculator built on them. Pure: callers pass the holiday tables in force.

pub mod day;
pub mod deadline;
pub mod holiday;
pub mod lunar;
pub mod notice;
pub mod office_hours;
pub mod working_calendar;

pub use deadline::{Counting, DueState, Pause, PauseReason, ProcessingTime, TimeUnit, Timeliness};
pub use holiday::{CalendarEntry, DayKind, TableOrigin, YearTable};
pub use lunar::LunarDate;
pub use office_hours::{ClockTime, OfficeHours, WorkSchedule};
pub use working_calendar::{HolidayTables, WorkingCalendar, WorkingDays};
