//! `.dockerignore` parsing and Docker-exact matching.
