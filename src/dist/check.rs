//! The checks of a distribution's parameters, and the error that lists
//! every problem found, each at its key.

use std::fmt;

use super::Dist;
use super::sampler::Sampler;

/// One problem with a distribution's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct DistProblem {
    /// The key of the `dist` table at fault (`"sd"`), or `None` for the
    /// table as a whole.
    pub key: Option<&'static str>,
    /// What is wrong, a sentence with the value (`"must be greater than 0,
    /// got -1"`).
    pub message: String,
}

/// A distribution whose parameters cannot be used: every problem found,
/// in the order of the table's keys.
///
/// It displays as `key: message; key: message`.
#[derive(Debug, Clone, PartialEq)]
pub struct DistError {
    problems: Vec<DistProblem>,
}

impl DistError {
    /// The problems, at least one.
    pub fn problems(&self) -> &[DistProblem] {
        &self.problems
    }

    /// One problem of the table as a whole.
    pub(crate) fn whole(message: impl Into<String>) -> DistError {
        DistError {
            problems: vec![DistProblem {
                key: None,
                message: message.into(),
            }],
        }
    }
}

impl fmt::Display for DistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            match p.key {
                Some(k) => write!(f, "{k}: {}", p.message)?,
                None => f.write_str(&p.message)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for DistError {}

/// Which rules apply.
#[derive(Clone, Copy, PartialEq)]
enum Rules {
    /// A variable the model draws: non-negative, within the limits.
    Variable,
    /// Any proper distribution.
    Proper,
}

/// Collects the problems of one table.
struct Found(Vec<DistProblem>);

impl Found {
    fn push(&mut self, key: &'static str, message: String) {
        self.0.push(DistProblem {
            key: Some(key),
            message,
        });
    }
}

impl Dist {
    /// Checks the parameters of a variable the model draws (a duration
    /// \[days\] or a count \[persons\]): finite, within their ranges, a
    /// support that does not reach below 0, no parameter above
    /// [`Dist::MAX_VALUE`], a `lognormal` or `gamma` no more spread than
    /// [`Dist::MAX_CV`], a `poisson` mean at most
    /// [`Dist::MAX_POISSON_MEAN`]; when they pass, that a sampler can be
    /// built.
    ///
    /// # Errors
    ///
    /// [`DistError`] with every problem, each at its key.
    ///
    /// # Example: a negative bound
    ///
    /// ```
    /// use custody_sim::Dist;
    ///
    /// let e = Dist::uniform(-1.0, 2.0).check().unwrap_err();
    /// assert_eq!(e.to_string(), "low: must be at least 0, got -1");
    /// assert!(Dist::lognormal(150.0, 30.0).check().is_ok());
    /// ```
    pub fn check(&self) -> Result<(), DistError> {
        self.check_with(Rules::Variable)
    }

    /// Checks that the parameters make a proper distribution, on any real
    /// values: finite, `low <= high` (`low < high` for a `triangular`,
    /// the mode within), a positive mean and sd; when they pass, that it
    /// can be sampled and has a density and a quantile function. A
    /// `uniform` with `low == high` passes (a point mass, as `fixed`).
    ///
    /// # Errors
    ///
    /// [`DistError`] with every problem, each at its key.
    pub fn check_proper(&self) -> Result<(), DistError> {
        self.check_with(Rules::Proper)?;
        // statrs's constructors (density, quantile) refuse a few more, for
        // example a lognormal so narrow that σ rounds to 0.
        self.cdf(self.mean()).map(|_| ())
    }

    fn check_with(&self, rules: Rules) -> Result<(), DistError> {
        let mut found = Found(Vec::new());
        self.check_params(rules, &mut found);
        if found.0.is_empty()
            && let Err(e) = Sampler::new(self)
        {
            found.0.push(DistProblem {
                key: None,
                message: format!("these parameters cannot be sampled: {e}"),
            });
        }
        if found.0.is_empty() {
            Ok(())
        } else {
            Err(DistError { problems: found.0 })
        }
    }

    fn check_params(&self, rules: Rules, found: &mut Found) {
        let limits = rules == Rules::Variable;
        let finite = |found: &mut Found, key: &'static str, v: f64| {
            if !v.is_finite() {
                found.push(key, format!("must be a finite number, got {v}"));
                false
            } else if limits && v > Self::MAX_VALUE {
                found.push(
                    key,
                    format!("must be at most {:e}, got {v:e}", Self::MAX_VALUE),
                );
                false
            } else {
                true
            }
        };
        let nonneg = |found: &mut Found, key: &'static str, v: f64| {
            if finite(found, key, v) && limits && v < 0.0 {
                found.push(key, format!("must be at least 0, got {v}"));
            }
        };
        let positive = |found: &mut Found, key: &'static str, v: f64| {
            if finite(found, key, v) && v <= 0.0 {
                found.push(key, format!("must be greater than 0, got {v}"));
            }
        };
        match *self {
            Dist::Fixed { value } => nonneg(found, "value", value),
            Dist::Exponential { mean } => positive(found, "mean", mean),
            Dist::Uniform { low, high } => {
                nonneg(found, "low", low);
                if finite(found, "high", high) && low.is_finite() && high < low {
                    found.push("high", format!("must be at least low ({low}), got {high}"));
                }
            }
            Dist::UniformInt { low, high } => {
                if limits && high > Self::MAX_VALUE as i64 {
                    found.push(
                        "high",
                        format!("must be at most {:e}, got {high}", Self::MAX_VALUE),
                    );
                }
                if limits && low < 0 {
                    found.push("low", format!("must be at least 0, got {low}"));
                }
                if high < low {
                    found.push("high", format!("must be at least low ({low}), got {high}"));
                }
            }
            Dist::Triangular { low, mode, high } => {
                nonneg(found, "low", low);
                let ok = finite(found, "mode", mode) & finite(found, "high", high);
                if ok && low.is_finite() {
                    if high <= low {
                        found.push(
                            "high",
                            format!("must be greater than low ({low}), got {high}"),
                        );
                    } else if mode < low || mode > high {
                        found.push(
                            "mode",
                            format!("must lie between low ({low}) and high ({high}), got {mode}"),
                        );
                    }
                }
            }
            Dist::Lognormal { mean, sd } | Dist::Gamma { mean, sd } => {
                positive(found, "mean", mean);
                positive(found, "sd", sd);
                if limits && mean > 0.0 && sd > Self::MAX_CV * mean && sd <= Self::MAX_VALUE {
                    found.push(
                        "sd",
                        format!(
                            "must be at most {} times the mean ({mean:e}), got {sd:e}",
                            Self::MAX_CV
                        ),
                    );
                }
            }
            Dist::Poisson { mean } => {
                positive(found, "mean", mean);
                if limits && mean > Self::MAX_POISSON_MEAN && mean <= Self::MAX_VALUE {
                    found.push(
                        "mean",
                        format!("must be at most {:e}, got {mean}", Self::MAX_POISSON_MEAN),
                    );
                }
            }
        }
    }
}

impl Dist {
    /// [`Dist::check_proper`] without statrs's constructors (which the
    /// quantile and CDF call themselves).
    pub(super) fn check_with_sampler(&self) -> Result<(), DistError> {
        self.check_with(Rules::Proper)
    }
}
