//! What dockward knows about base images beyond the embedded snapshots: which registries and vendors are
//! trusted by default, which images start as a non-root user and how to add one, and how tags map to
//! versions, variants and release cycles.
//!
//! Everything here is pure knowledge over [`crate::model::ImageRef`] and the tables of [`crate::data`]:
//! no IO, no clock (callers pass the date).

pub mod tags;
pub mod trust;
pub mod users;
