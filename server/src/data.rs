//! Facts embedded at build time: Docker Official Images and their tags, release cycles and end-of-life dates.
