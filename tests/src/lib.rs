//! End-to-end tests of veil live in `tests/tests/`; this library is empty.
