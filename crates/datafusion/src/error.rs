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
    /// An error located in the input: a row that is not a valid segment, which row (0-based,
    /// in the batch the engine handed over) and why. The workspace's located error
    /// (`At { place, source }`) with the place kept as a number, so that a caller reading
    /// several batches can add the batch's offset; [`Error::kind`] and [`Error::as_core`]
    /// look through it, [`Error::row`] reads the row back.
    #[error("row {row}: {source}")]
    At {
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
    /// The kind, for branching: a located error ([`Error::At`]) has the kind of the error
    /// inside.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Invalid { .. } => ErrorKind::Invalid,
            Error::At { source, .. } => source.kind(),
            Error::Usage(_) => ErrorKind::Usage,
            Error::Core(_) => ErrorKind::Core,
            Error::Engine(_) => ErrorKind::Engine,
        }
    }

    /// The core error inside, if this is one: directly, in a row ([`Error::At`]) or inside a
    /// usage error.
    #[must_use]
    pub fn as_core(&self) -> Option<&mediameter_core::Error> {
        match self {
            Error::Core(e) => Some(e),
            Error::At { source, .. } => source.as_core(),
            Error::Usage(e) => e.as_core(),
            _ => None,
        }
    }

    /// The row of the batch a located error ([`Error::At`]) names, if it is one.
    #[must_use]
    pub fn row(&self) -> Option<usize> {
        match self {
            Error::At { row, .. } => Some(*row),
            _ => None,
        }
    }

    /// An [`Error::Invalid`], the value cut to [`mediameter_core::error::ECHO_LIMIT`]
    /// characters: the same helper as in every crate of the workspace.
    ///
    /// ```
    /// use mediameter_datafusion::{Error, ErrorKind};
    /// let e = Error::invalid("zone", "Mars", "an offset such as GMT+8");
    /// assert_eq!(e.kind(), ErrorKind::Invalid);
    /// assert_eq!(e.to_string(), "invalid zone \"Mars\": expected an offset such as GMT+8");
    /// ```
    #[must_use]
    pub fn invalid(field: &'static str, value: &str, expected: impl std::fmt::Display) -> Self {
        Error::Invalid {
            field,
            value: mediameter_core::error::truncate(value),
            expected: expected.to_string(),
        }
    }

    /// This error located at row `row` of its batch ([`Error::At`]).
    #[must_use]
    pub fn at_row(self, row: usize) -> Self {
        Error::At {
            row,
            source: Box::new(self),
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
