//! Parameter groups: one index for a set of paths (all repatriation
//! shares, every convoy size), for [`super::sobol`] and [`super::morris`].
//!
//! A group is named on the command line as `NAME=PATH,PATH,…`
//! ([`parse_group`]); each path must be one of the analysis's parameters,
//! in at most one group. The analysis then has one **factor** per group
//! and one per parameter in no group, in the order of the parameters (a
//! group where its first path is). A design moves a group's paths
//! together: in Saltelli's design the matrix `AB_g` takes every column
//! of group `g` from `B`; in a Morris trajectory one step moves every
//! path of the group. The group's index is then the share of variance
//! (or the elementary effect) of the set: its first-order index is the
//! closed index of the set, `V[E(Y | X_g)] / V`, which for an additive
//! model is the sum of its members' first-order indices, and its total
//! the set's total (Jansen 1999; Saltelli et al. 2008, *Global
//! Sensitivity Analysis: The Primer*, §1.2.15 on groups).
//!
//! Grouping costs less than it reports: with `G` factors a Sobol design
//! runs `N (G + 2)` times instead of `N (k + 2)`.

use serde::{Deserialize, Serialize};

use super::DecideError;
use crate::error::Error;
use crate::scenario::ParamDist;

/// A named set of parameter paths that an analysis moves together and
/// gives one index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// The group's name, used as the index's `path`.
    pub name: String,
    /// The parameter paths it holds, each one of the analysis's.
    pub paths: Vec<String>,
}

impl Group {
    /// A group of `paths` named `name`.
    pub fn new<S: Into<String>>(
        name: impl Into<String>,
        paths: impl IntoIterator<Item = S>,
    ) -> Group {
        Group {
            name: name.into(),
            paths: paths.into_iter().map(Into::into).collect(),
        }
    }
}

/// Parses the command line's `NAME=PATH,PATH,…` form of a [`Group`]
/// (spaces around names and paths are dropped; a path cannot hold a
/// comma).
///
/// # Errors
///
/// [`Error::Decide`] of kind [`DecideError::Input`] naming the text when
/// there is no `=`, the name is empty or a path is empty.
///
/// # Example
///
/// ```
/// use custody_sim::decide::{Group, parse_group};
///
/// let g = parse_group("shares=group[Syrian].repatriation.probability, group[Other].repatriation.probability")?;
/// assert_eq!(g, Group::new("shares", ["group[Syrian].repatriation.probability", "group[Other].repatriation.probability"]));
/// assert!(parse_group("shares").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_group(text: &str) -> Result<Group, Error> {
    let Some((name, paths)) = text.split_once('=') else {
        return Err(DecideError::input(
            text,
            "expected NAME=PATH,PATH,… e.g. shares=group[Syrian].repatriation.probability,group[Other].repatriation.probability",
        ));
    };
    let name = name.trim();
    if name.is_empty() {
        return Err(DecideError::input(text, "the group has no name before `=`"));
    }
    let paths: Vec<&str> = paths.split(',').map(str::trim).collect();
    if paths.iter().any(|p| p.is_empty()) {
        return Err(DecideError::input(
            text,
            "an empty path: list the group's paths separated by single commas",
        ));
    }
    Ok(Group::new(name, paths))
}

/// The factors of an analysis: per factor its label (a group's name or a
/// parameter's path) and the positions of its parameters.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Factors {
    pub(crate) labels: Vec<String>,
    pub(crate) members: Vec<Vec<usize>>,
}

impl Factors {
    /// One factor per group and per parameter in no group, in the order of
    /// `params` (a group where its first path is).
    ///
    /// # Errors
    ///
    /// [`DecideError::Input`] at the group's name for an empty group, a
    /// name used twice or equal to a parameter's path in no group; at the
    /// path for a path that is not a parameter (listing them) or that is
    /// in two groups.
    pub(crate) fn new(params: &[ParamDist], groups: &[Group]) -> Result<Factors, Error> {
        let mut group_of: Vec<Option<usize>> = vec![None; params.len()];
        for (g, group) in groups.iter().enumerate() {
            if group.paths.is_empty() {
                return Err(DecideError::input(&group.name, "the group lists no path"));
            }
            if groups[..g].iter().any(|o| o.name == group.name) {
                return Err(DecideError::input(
                    &group.name,
                    "two groups have this name; give each group its own",
                ));
            }
            for path in &group.paths {
                let Some(i) = params.iter().position(|p| &p.path == path) else {
                    let listed: Vec<&str> = params.iter().map(|p| p.path.as_str()).collect();
                    return Err(DecideError::input(
                        path,
                        format!(
                            "group {:?} names a path that is not a parameter of the analysis (its parameters: {})",
                            group.name,
                            listed.join(", ")
                        ),
                    ));
                };
                if let Some(o) = group_of[i] {
                    let other = &groups[o].name;
                    return Err(DecideError::input(
                        path,
                        if *other == group.name {
                            format!("listed twice in group {other:?}")
                        } else {
                            format!(
                                "in two groups, {other:?} and {:?}; a path may be in one group only",
                                group.name
                            )
                        },
                    ));
                }
                group_of[i] = Some(g);
            }
        }
        let mut labels = Vec::new();
        let mut members: Vec<Vec<usize>> = Vec::new();
        let mut placed: Vec<Option<usize>> = vec![None; groups.len()];
        for (i, p) in params.iter().enumerate() {
            match group_of[i] {
                Some(g) => match placed[g] {
                    Some(f) => members[f].push(i),
                    None => {
                        placed[g] = Some(labels.len());
                        labels.push(groups[g].name.clone());
                        members.push(vec![i]);
                    }
                },
                None => {
                    if groups.iter().any(|g| g.name == p.path) {
                        return Err(DecideError::input(
                            &p.path,
                            "a group has the name of a parameter in no group; rename the group",
                        ));
                    }
                    labels.push(p.path.clone());
                    members.push(vec![i]);
                }
            }
        }
        Ok(Factors { labels, members })
    }

    /// The number of factors.
    pub(crate) fn len(&self) -> usize {
        self.labels.len()
    }

    /// The member paths of factor `f` when it is a group (empty for a
    /// parameter in no group).
    pub(crate) fn paths(&self, f: usize, params: &[ParamDist], groups: &[Group]) -> Vec<String> {
        if groups.iter().any(|g| g.name == self.labels[f]) {
            self.members[f]
                .iter()
                .map(|&i| params[i].path.clone())
                .collect()
        } else {
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;

    fn params(names: &[&str]) -> Vec<ParamDist> {
        names
            .iter()
            .map(|n| ParamDist::new(*n, Dist::uniform(0.0, 1.0)))
            .collect()
    }

    #[test]
    fn groups_take_the_place_of_their_first_path() {
        let p = params(&["a", "b", "c", "d"]);
        let f = Factors::new(&p, &[Group::new("bd", ["d", "b"])]).unwrap();
        assert_eq!(f.labels, ["a", "bd", "c"]);
        assert_eq!(f.members, [vec![0], vec![1, 3], vec![2]]);
        assert_eq!(f.paths(1, &p, &[Group::new("bd", ["d", "b"])]), ["b", "d"]);
        let none = Factors::new(&p, &[]).unwrap();
        assert_eq!(none.len(), 4);
    }

    #[test]
    fn bad_groups_are_named() {
        let p = params(&["a", "b", "c"]);
        let e = |g: &[Group]| Factors::new(&p, g).unwrap_err().to_string();
        let s = e(&[Group::new("g", ["a", "x"])]);
        assert!(
            s.starts_with("x: group \"g\" names a path that is not a parameter"),
            "{s}"
        );
        assert!(s.contains("(its parameters: a, b, c)"), "{s}");
        let s = e(&[Group::new("g", ["a"]), Group::new("h", ["a", "b"])]);
        assert!(s.starts_with("a: in two groups, \"g\" and \"h\""), "{s}");
        let s = e(&[Group::new("g", ["a"]), Group::new("g", ["b"])]);
        assert!(s.starts_with("g: two groups have this name"), "{s}");
        let s = e(&[Group::new("c", ["a"])]);
        assert!(
            s.starts_with("c: a group has the name of a parameter"),
            "{s}"
        );
        let s = e(&[Group::new("g", Vec::<String>::new())]);
        assert!(s.starts_with("g: the group lists no path"), "{s}");
        let s = parse_group("g=a,,b").unwrap_err().to_string();
        assert!(s.contains("an empty path"), "{s}");
        assert!(parse_group("=a").is_err());
    }
}
