//! Runtime tests.
