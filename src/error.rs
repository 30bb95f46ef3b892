//! The planner's errors. Each message names the file or package involved and,
//! where there is one, the command that fixes it.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
}

impl Error {
    pub fn msg(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<crate::fs::FsError> for Error {
    fn from(e: crate::fs::FsError) -> Self {
        Error::msg(e.to_string())
    }
}
