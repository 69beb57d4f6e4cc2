"""Events agencies organise, with registration, a waiting list, reminders and calendars."""
