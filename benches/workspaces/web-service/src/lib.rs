//! Only the dependency graph matters: see docs/performance.md.
