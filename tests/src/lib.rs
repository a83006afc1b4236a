//! End-to-end tests of veil live in `tests/tests/`; this library is empty.

// Every public item says why it exists (CI denies warnings).
#![warn(missing_docs)]
