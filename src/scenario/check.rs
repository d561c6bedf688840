//! The checks of a whole scenario: [`Scenario::validate`] calls each
//! process's checks in a fixed order, the order of the problems it
//! reports, and [`Scenario::check_within_horizon`].

use std::collections::HashSet;

use super::limits::MAX_HORIZON_DAYS;
use super::problems::{Problems, ScenarioErrors, check_name};
use super::whole::Scenario;
use super::{court, facility, population, release, transfer};

impl Scenario {
    /// The keys the transfer's checks read.
    fn transfer_keys(&self) -> transfer::Keys<'_> {
        transfer::Keys {
            start_date: self.start_date,
            horizon_days: self.horizon_days,
            transfer: &self.transfer,
        }
    }

    /// The keys the checks of groups read.
    fn population_keys(&self) -> population::Keys<'_> {
        population::Keys {
            start_date: self.start_date,
            groups: &self.groups,
            court: &self.court,
        }
    }

    /// The keys the checks of facilities, allocation, custody and
    /// relocations read.
    fn facility_keys(&self) -> facility::Keys<'_> {
        facility::Keys {
            start_date: self.start_date,
            horizon_days: self.horizon_days,
            facilities: &self.facilities,
            allocation: &self.allocation,
            custody: &self.custody,
            relocations: &self.relocations,
        }
    }

    /// The keys the court's checks read.
    fn court_keys(&self) -> court::Keys<'_> {
        court::Keys {
            start_date: self.start_date,
            horizon_days: self.horizon_days,
            court: &self.court,
            facilities: &self.facilities,
        }
    }

    /// The keys the release orders' checks read.
    fn release_keys(&self) -> release::Keys<'_> {
        release::Keys {
            start_date: self.start_date,
            releases: &self.releases,
            facilities: &self.facilities,
        }
    }
}

impl Scenario {
    /// Checks every rule of the reference model and returns all problems at
    /// once.
    ///
    /// Rules beyond the types: finite numbers; distribution parameters of at
    /// most [`Dist::MAX_VALUE`](super::Dist::MAX_VALUE); non-negative days;
    /// probabilities in \[0, 1\]; pauses that end after they start; phases in
    /// increasing `from` order; at least one phase, group, facility and
    /// stage; unique names without `.`, `[`, `]`, `=` or `,`; capacities and
    /// initial servers of at least 1; a `delay_days` wherever a group has a
    /// repatriation probability above 0; `weights` with `proportional` only,
    /// one non-negative weight per facility, not all zero, adding up to at most 1e300; a
    /// `convicted_facility` that names a facility; a `weekly_cap` that fits a
    /// TOML integer; and the sizes of
    /// [`limits`](super::limits).
    ///
    /// Names (the scenario's, and those of groups, facilities, stages and
    /// sentences) refuse control characters and invisible or
    /// direction-changing ones (zero-width, bidi marks and overrides).
    /// Days (a number or a date) must not lie before `start_date`.
    ///
    /// Version 2: `transfer.end.until_day` a valid day; facilities named in
    /// `allocation.facilities`, `[[relocation]]` `from`/`to` and a
    /// sentence's `facility` exist (and are listed once; `from` differs
    /// from `to`); `weights` has one entry per listed facility; sentence
    /// probabilities in \[0, 1\] summing to 1 (within 1e-9), their exits
    /// valid; `eligible_after` is `"arrival"`, `"verdict"` or a stage name,
    /// and `"verdict"` needs `after_conviction = true`; `mortality_per_year`,
    /// background rates and costs finite and at least 0, mean stays above
    /// 0; a stage may start with 0 servers only if a schedule entry later
    /// raises it.
    ///
    /// Capacity over time: an `overflow`'s `above` finite and at least 0,
    /// its `to` a non-empty list of other facilities, each listed once;
    /// `opens` a valid day, and then `initial_occupancy` 0; at least one
    /// receiving facility open on day 0 (with a weight above 0 under
    /// `proportional`); `background.schedule` days valid and rates finite
    /// and at least 0; a `[[release]]`'s day valid and facility a
    /// facility's name.
    ///
    /// Variants (`[variant.NAME]`), once the rest is valid: each name
    /// follows the rules of names, and each variant applied
    /// ([`Scenario::with_variant`]) is valid; problems are named
    /// `variant.NAME.<path>`.
    ///
    /// # Errors
    ///
    /// [`ScenarioErrors`], each naming the key path and the value.
    ///
    /// # Example: every problem at once
    ///
    /// ```
    /// use custody_sim::{presets, Error};
    ///
    /// let mut s = presets::baseline();
    /// s.court.stages[2].servers = 0; // the trial court
    /// s.groups[0].repatriation.probability = 1.5;
    /// let errors = s.validate().unwrap_err();
    /// let text = errors.to_string();
    /// assert!(text.contains("court.stage[2].servers: must be at least 1, got 0"));
    /// assert!(text.contains("group[0].repatriation.probability"));
    /// ```
    pub fn validate(&self) -> Result<(), ScenarioErrors> {
        let mut p = Problems::default();

        check_name(&mut p, "name".into(), &self.name, &mut HashSet::new());
        if self.horizon_days == 0 {
            p.push("horizon_days", "must be at least 1, got 0");
        }
        p.at_most(
            "horizon_days",
            u64::from(self.horizon_days),
            u64::from(MAX_HORIZON_DAYS),
            "horizon",
        );

        // Each process checks its own keys, in this order (the order of
        // the problems `check` prints): the transfer, the groups, the
        // facilities and the allocation's weights, the courts; then the
        // end of the transfer, the receiving facilities, custody, the
        // facilities' turnover and costs, relocations, sentences and when
        // repatriation may come.
        let (t, g, f, c) = (
            self.transfer_keys(),
            self.population_keys(),
            self.facility_keys(),
            self.court_keys(),
        );
        transfer::check(t, &mut p);
        population::check(g, &mut p);
        facility::check(f, &mut p);
        facility::check_weights(f, &mut p);
        court::check(c, &mut p);
        transfer::check_end(t, &mut p);
        facility::check_receiving(f, &mut p);
        facility::check_custody(f, &mut p);
        facility::check_turnover_and_costs(f, &mut p);
        facility::check_relocations(f, &mut p);
        court::check_sentences(c, &mut p);
        court::check_appeal(c, &mut p);
        population::check_eligibility(g, &mut p);
        // Capacity over time (rules 18, 19 and 25).
        facility::check_capacity_rules(f, &mut p);
        release::check(self.release_keys(), &mut p);
        population::check_routes(g, &mut p);

        if p.is_empty() {
            self.check_uncertainty(&mut p);
        }
        if p.is_empty() {
            self.check_variants(&mut p);
        }

        p.into_result()
    }
}

impl Scenario {
    /// What `custody-sim check` refuses beyond [`Scenario::validate`]: a
    /// court stage with 0 servers whose schedule opens it only on or after
    /// the horizon (`horizon_days`), so that within the simulated days it
    /// has 0 servers for ever (MODEL rule 15). Not part of `validate`,
    /// because a backtest or calibration runs a scenario cut to its last
    /// observed day, before a court that opens later.
    ///
    /// The appeal (rule 22) likewise.
    ///
    /// # Errors
    ///
    /// [`ScenarioErrors`] at `court.stage[i].servers` for each such stage
    /// (and `court.appeal.servers`), with the day the schedule first opens
    /// it.
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::presets;
    ///
    /// let s = presets::baseline(); // investigations open on 28 January
    /// assert!(s.check_within_horizon().is_ok());
    /// let short = s.with_param("horizon_days", "3")?; // starts 21 January
    /// assert!(short.check_within_horizon().is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_within_horizon(&self) -> Result<(), ScenarioErrors> {
        let mut p = Problems::default();
        let horizon = f64::from(self.horizon_days);
        let stages = self.court.stages.iter().enumerate().map(|(i, st)| {
            (
                format!("court.stage[{i}].servers"),
                st.servers,
                &st.schedule,
            )
        });
        let appeal = self
            .court
            .appeal
            .iter()
            .map(|a| ("court.appeal.servers".to_string(), a.servers, &a.schedule));
        for (path, servers, schedule) in stages.chain(appeal) {
            if servers > 0 {
                continue;
            }
            let opens = schedule
                .iter()
                .filter(|c| c.servers > 0)
                .map(|c| self.day(c.day))
                .fold(f64::INFINITY, f64::min);
            if opens.is_finite() && opens >= horizon {
                p.push(
                    path,
                    format!(
                        "is 0 and the schedule first raises it on day {opens}, not within the horizon of {horizon} days: the stage never opens in the simulated days"
                    ),
                );
            }
        }
        p.into_result()
    }
}
