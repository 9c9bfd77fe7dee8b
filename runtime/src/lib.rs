//! The embedding library (work in progress).
