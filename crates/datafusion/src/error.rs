//! The one error type of `mediameter-datafusion`.

use datafusion::error::DataFusionError;

/// Everything that can go wrong in this crate.
///
/// Errors of the usage kernel and of core are carried whole ([`Error::Usage`], [`Error::Core`]);
/// errors of the engine ([`Error::Engine`]) carry DataFusion's (or Ballista's) own error.
/// Inside a running plan, an error of this crate travels as
/// [`DataFusionError::External`] and comes back out of [`Error::from`] unwrapped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument of a function or a column of a table is not acceptable.
    #[error("invalid {field} {value:?}: expected {expected}")]
    Invalid {
        /// The argument or column (`"zone"`, `"column start"`...).
        field: &'static str,
        /// The value given, cut to [`mediameter_core::error::ECHO_LIMIT`] characters.
        value: String,
        /// What would have been accepted.
        expected: String,
    },
    /// A row of the input is not a valid segment: which row (0-based, in the batch the
    /// engine handed over) and why.
    #[error("row {row}: {source}")]
    Row {
        /// The row's position in its batch.
        row: usize,
        /// Why the row was refused.
        #[source]
        source: Box<Error>,
    },
    /// An error of the usage kernel, carried as it is.
    #[error(transparent)]
    Usage(#[from] mediameter_usage::Error),
    /// An error of `mediameter-core` (ids, ranges, zones, specs), carried as it is.
    #[error(transparent)]
    Core(#[from] mediameter_core::Error),
    /// An error of the engine (planning, reading a source, a Ballista cluster).
    #[error("engine: {0}")]
    Engine(Box<DataFusionError>),
}

/// What kind of [`Error`] happened, for callers that branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// [`Error::Invalid`].
    Invalid,
    /// [`Error::Row`].
    Row,
    /// [`Error::Usage`].
    Usage,
    /// [`Error::Core`].
    Core,
    /// [`Error::Engine`].
    Engine,
}

/// This crate's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The kind, for branching.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Invalid { .. } => ErrorKind::Invalid,
            Error::Row { .. } => ErrorKind::Row,
            Error::Usage(_) => ErrorKind::Usage,
            Error::Core(_) => ErrorKind::Core,
            Error::Engine(_) => ErrorKind::Engine,
        }
    }

    /// The core error inside, if this is one (directly or in a row).
    #[must_use]
    pub fn as_core(&self) -> Option<&mediameter_core::Error> {
        match self {
            Error::Core(e) => Some(e),
            Error::Row { source, .. } => source.as_core(),
            _ => None,
        }
    }

    /// An [`Error::Invalid`], the value truncated.
    pub(crate) fn invalid(field: &'static str, value: &str, expected: impl Into<String>) -> Self {
        Error::Invalid {
            field,
            value: mediameter_core::error::truncate(value),
            expected: expected.into(),
        }
    }

    /// Wraps this error for the engine.
    pub(crate) fn into_df(self) -> DataFusionError {
        DataFusionError::External(Box::new(self))
    }
}

impl From<DataFusionError> for Error {
    fn from(e: DataFusionError) -> Self {
        // An error of ours that crossed the engine comes back as it was.
        match e {
            DataFusionError::External(inner) => match inner.downcast::<Error>() {
                Ok(ours) => *ours,
                Err(other) => Error::Engine(Box::new(DataFusionError::External(other))),
            },
            DataFusionError::Context(ctx, inner) => match Error::from(*inner) {
                Error::Engine(e) => Error::Engine(Box::new(DataFusionError::Context(ctx, e))),
                ours => ours,
            },
            other => Error::Engine(Box::new(other)),
        }
    }
}
