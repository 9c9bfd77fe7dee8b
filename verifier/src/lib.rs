//! The verification engine (work in progress).
