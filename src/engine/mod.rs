//! How time advances, knowing nothing of prisons: the event calendar.

mod calendar;

pub use calendar::Calendar;
