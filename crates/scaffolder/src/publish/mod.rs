//! Publishing a task's workspace as the first commit of a new repository.

pub mod git;
