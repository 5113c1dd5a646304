//! Copy targeting (#17, after Evergreen's hold targeter and Koha's transport cost matrix):
//! which copy on the shelf each waiting hold asks for. Runs inside the caller's transaction.
//!
//! Per title, holds in queue order each take the best copy left: one the pull list already
//! asked for it (a standing target) if that copy is still on the shelf and may fill it, else
//! the copy that reaches its pickup branch soonest ([`copy_reach`]: same branch, then the
//! sending branch's `transit_costs`, then the delivery calendar), never one at a branch closed
//! today (nobody is there to pull it). Taking a matched pair out leaves every other pair as it
//! was, so confirming copies one by one routes each where the list said.

use std::collections::{HashMap, HashSet};

use super::HoldId;
use super::route::{Claim, Ctx};
use crate::catalog::{CopyId, calendar_in};
use crate::error::Result;
use crate::policy::{CopyReach, copy_reach};
use crate::store::{PullCandidate, PullHold, Tx};

/// A hold and the copy it asks for.
pub(crate) struct Target {
    pub hold: PullHold,
    pub copy: CopyId,
    pub barcode: String,
    /// Where the copy is on the shelf.
    pub branch: String,
    /// The pull list asked for it before (a standing target), rather than now.
    pub standing: bool,
}

/// What targeting reads more than once: open branches, calendars, reaches, fill decisions.
pub(crate) struct Targeter<'a, 'c> {
    ctx: &'a Ctx<'c>,
    open: HashMap<String, bool>,
    /// By sending branch, then pickup branch (looked up without allocating a key).
    reach: HashMap<String, HashMap<String, Option<CopyReach>>>,
    /// By hold and the copy's not-for-loan flag, then material kind.
    fills: HashMap<(HoldId, bool), Vec<(String, bool)>>,
}

impl<'a, 'c> Targeter<'a, 'c> {
    pub fn new(ctx: &'a Ctx<'c>) -> Self {
        Self { ctx, open: HashMap::new(), reach: HashMap::new(), fills: HashMap::new() }
    }

    fn open_today(&mut self, tx: &Tx<'_>, branch: &str) -> Result<bool> {
        if let Some(open) = self.open.get(branch) {
            return Ok(*open);
        }
        let open = calendar_in(tx, self.ctx.policy, branch, self.ctx.today)?.is_open(self.ctx.today);
        self.open.insert(branch.to_owned(), open);
        Ok(open)
    }

    fn reach(&mut self, tx: &Tx<'_>, from: &str, to: &str) -> Result<Option<CopyReach>> {
        if let Some(reach) = self.reach.get(from).and_then(|m| m.get(to)) {
            return Ok(*reach);
        }
        let calendar = calendar_in(tx, self.ctx.policy, to, self.ctx.today)?;
        let reach = copy_reach(self.ctx.policy, from, to, self.ctx.today, &calendar);
        self.reach.entry(from.to_owned()).or_default().insert(to.to_owned(), reach);
        Ok(reach)
    }

    fn may_fill(&mut self, tx: &Tx<'_>, hold: &PullHold, kind: &str, loanable: bool) -> Result<bool> {
        let known = self.fills.entry((hold.id, loanable)).or_default();
        if let Some((_, fills)) = known.iter().find(|(k, _)| k == kind) {
            return Ok(*fills);
        }
        let claim = Claim { title: hold.title, pickup: &hold.pickup, patron: hold.patron, category: &hold.category };
        let fills = self.ctx.may_fill_claim(tx, &claim, None, kind, loanable)?;
        known.push((kind.to_owned(), fills));
        Ok(fills)
    }

    /// Targets for every hold of `rows` (one or more titles, grouped by title, holds in
    /// queue order, as [`Tx::pull_candidates`] gives them); holds no copy may fill get none.
    pub fn targets(&mut self, tx: &Tx<'_>, rows: Vec<PullCandidate>) -> Result<Vec<Target>> {
        let mut out = Vec::new();
        let mut rows = rows.into_iter().peekable();
        while let Some(first) = rows.next() {
            let title = first.hold.title;
            let mut group = vec![first];
            while let Some(row) = rows.next_if(|r| r.hold.title == title) {
                group.push(row);
            }
            self.title_targets(tx, group, &mut out)?;
        }
        Ok(out)
    }

    fn title_targets(&mut self, tx: &Tx<'_>, rows: Vec<PullCandidate>, out: &mut Vec<Target>) -> Result<()> {
        // The title's copies on the shelf at open branches, and its holds in queue order.
        let mut copies: Vec<(CopyId, String, String, String, bool)> = Vec::new();
        let mut holds: Vec<(PullHold, Option<CopyId>)> = Vec::new();
        for row in rows {
            if !copies.iter().any(|c| c.0 == row.copy) && self.open_today(tx, &row.branch)? {
                copies.push((row.copy, row.barcode, row.branch, row.material_kind, row.loanable));
            }
            if holds.last().is_none_or(|(h, _)| h.id != row.hold.id) {
                holds.push((row.hold, row.target));
            }
        }
        let mut taken: HashSet<CopyId> = HashSet::new();
        let mut chosen: Vec<Option<(usize, bool)>> = vec![None; holds.len()];
        // Standing targets first: the list asked for those copies already.
        for (i, (hold, target)) in holds.iter().enumerate() {
            let Some(at) = target.and_then(|t| copies.iter().position(|c| c.0 == t)) else { continue };
            let (_, _, _, kind, loanable) = &copies[at];
            if self.may_fill(tx, hold, kind, *loanable)? {
                taken.insert(copies[at].0);
                chosen[i] = Some((at, true));
            }
        }
        for (i, (hold, _)) in holds.iter().enumerate() {
            if chosen[i].is_some() {
                continue;
            }
            let mut best: Option<(CopyReach, CopyId, usize)> = None;
            for (at, (copy, _, branch, kind, loanable)) in copies.iter().enumerate() {
                if taken.contains(copy) || !self.may_fill(tx, hold, kind, *loanable)? {
                    continue;
                }
                let Some(reach) = self.reach(tx, branch, &hold.pickup)? else { continue };
                if best.as_ref().is_none_or(|(r, c, _)| (reach, *copy) < (*r, *c)) {
                    best = Some((reach, *copy, at));
                }
            }
            if let Some((_, copy, at)) = best {
                taken.insert(copy);
                chosen[i] = Some((at, false));
            }
        }
        for ((hold, _), choice) in holds.into_iter().zip(chosen) {
            if let Some((at, standing)) = choice {
                let (copy, barcode, branch, _, _) = &copies[at];
                out.push(Target { hold, copy: *copy, barcode: barcode.clone(), branch: branch.clone(), standing });
            }
        }
        Ok(())
    }
}
