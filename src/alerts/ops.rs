//! Saved searches, new arrivals and the digest sweep on [`Library`].

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};

use super::{AlertSweep, Matcher, NewArrival, Query, Record, SavedSearch, SearchId, latest_send_day};
use crate::Library;
use crate::catalog::clean_text;
use crate::error::{Entity, Error, Result};
use crate::library::Gate;
use crate::notify::{About, NoticeFacts, NoticeKind, Recipient, enqueue};
use crate::patrons::{PatronId, patron_in};
use crate::policy::{AlertRules, ContactMethod, MailRecipients, Reason, Refusal, Service};

/// Longest saved-search name, in characters.
pub const SEARCH_NAME_MAX_CHARS: usize = 50;

impl Library {
    /// Saves a named search condition (R-N1); refused past the policy's cap on searches, or with
    /// more terms than its `alerts.max_terms`.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `InvalidInput`: a malformed search.
    /// - `Refused`: the limit of saved searches is reached, or the patron may not use alerts now.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn save_search(&mut self, patron: PatronId, search: SavedSearch) -> Result<SearchId> {
        let rules = alert_rules(&self.policy)?;
        let search = self.validated_search(rules, search)?;
        let now = self.now();
        let gate = Gate { policy: &self.policy, today: self.today(), service: Service::Alerts };
        self.store.write(|tx| {
            gate.patron(tx, patron)?;
            if tx.count_searches(patron)? >= rules.max_searches {
                return Err(Refusal::one(Reason::ListLimitReached { limit: rules.max_searches }).into());
            }
            tx.insert_search(patron, &search, now)
        })
    }

    /// Changes a saved search's name, terms and filters (R-N1).
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such search, or it is another patron's.
    /// - `InvalidInput`: a malformed search.
    /// - `Refused`: the patron may not use this service now (R-A2, R-A6).
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn update_search(&mut self, patron: PatronId, id: SearchId, search: SavedSearch) -> Result<()> {
        let rules = alert_rules(&self.policy)?;
        let search = self.validated_search(rules, search)?;
        let gate = Gate { policy: &self.policy, today: self.today(), service: Service::Alerts };
        let found = self.store.write(|tx| {
            gate.patron(tx, patron)?;
            tx.update_search(patron, id, &search)
        })?;
        if found { Ok(()) } else { Err(Error::not_found(Entity::SavedSearch, id.0)) }
    }

    /// Deletes a saved search; `false` if the patron had none with that id.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn delete_search(&mut self, patron: PatronId, id: SearchId) -> Result<bool> {
        self.store.write(|tx| tx.delete_search(patron, id))
    }

    /// The patron's saved searches.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `Refused`: the patron may not use this service now (R-A2, R-A6).
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn saved_searches(&self, patron: PatronId) -> Result<Vec<(SearchId, SavedSearch)>> {
        let gate = Gate { policy: &self.policy, today: self.today(), service: Service::Alerts };
        let found = self.store.read(|tx| {
            gate.patron(tx, patron)?;
            tx.searches(Some(patron))
        })?;
        Ok(found.into_iter().map(|(id, _, s)| (id, s)).collect())
    }

    /// Today's new arrivals (R-N2): published within the policy's window, first available within
    /// its window, serials excluded if it says so; by category.
    ///
    /// # Errors
    ///
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn new_arrivals(&self) -> Result<Vec<NewArrival>> {
        let rules = alert_rules(&self.policy)?;
        let today = self.today();
        self.store.read(|tx| arrivals(tx, rules, today, None))
    }

    /// New arrivals grouped by the first digit of their NDC class, for the My Library page
    /// (R-O2); unclassified ones under `""`.
    ///
    /// # Errors
    ///
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn new_arrivals_by_category(&self) -> Result<BTreeMap<String, Vec<NewArrival>>> {
        let mut groups: BTreeMap<String, Vec<NewArrival>> = BTreeMap::new();
        for a in self.new_arrivals()? {
            groups.entry(a.category.chars().take(1).collect()).or_default().push(a);
        }
        Ok(groups)
    }

    /// The scheduled sweep (R-N3), run it daily: on the latest send day not yet handled (today,
    /// or a missed one — caught up once), matches the new arrivals since the previous send
    /// against every saved search and writes one digest per patron with matches, by mail. Nothing
    /// is written for a patron without matches; a day is never sent twice.
    ///
    /// # Errors
    ///
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn send_new_arrival_alerts(&mut self) -> Result<AlertSweep> {
        let Ok(rules) = alert_rules(&self.policy) else { return Ok(AlertSweep::default()) };
        let (today, now, policy) = (self.today(), self.now(), &self.policy);
        let Some(day) = latest_send_day(&rules.schedule, today) else { return Ok(AlertSweep::default()) };
        self.store.write(|tx| {
            if tx.alert_run_done(day)? {
                return Ok(AlertSweep::default());
            }
            let since = tx.last_alert_run()?;
            let arrivals = arrivals(tx, rules, today, since)?;
            let searches = tx.searches(None)?;
            // Keyed by position in `searches` (which come by id), so a match finds its search
            // without a lookup and digests list searches in id order.
            let matcher = Matcher::new(searches.iter().enumerate().map(|(i, (_, _, s))| (i, s.query())));
            let mut digests: BTreeMap<PatronId, BTreeMap<usize, Vec<String>>> = BTreeMap::new();
            let records: Vec<Record> = arrivals.iter().map(NewArrival::record).collect();
            for (a, matched) in arrivals.iter().zip(matcher.matches_all(&records)) {
                for i in matched {
                    let (_, patron, search) = &searches[i];
                    if search.material_kind.as_ref().is_some_and(|k| *k != a.material_kind) {
                        continue;
                    }
                    digests.entry(*patron).or_default().entry(i).or_default().push(a.title_text.clone());
                }
            }
            let mut sweep = AlertSweep { send_day: Some(day), arrivals: arrivals.len(), ..AlertSweep::default() };
            for (patron, by_search) in &digests {
                let who = patron_in(tx, *patron)?;
                let mut addresses = tx.confirmed_emails(*patron)?;
                if policy.contact.mail_recipients == MailRecipients::Chosen {
                    addresses.truncate(1);
                }
                let mut facts = NoticeFacts::new(&policy.library.name, &who.name, "");
                facts.digest =
                    by_search.iter().map(|(i, titles)| (searches[*i].2.name.clone(), titles.clone())).collect();
                for address in &addresses {
                    let to = Recipient { patron: *patron, channel: ContactMethod::Mail, address: Some(address) };
                    enqueue(tx, NoticeKind::NewArrivals, &facts, &to, About::Nothing, now)?;
                }
                sweep.patrons.push(*patron);
            }
            tx.record_alert_run(day, now, sweep.patrons.len() as u32)?;
            Ok(sweep)
        })
    }

    fn validated_search(&self, rules: &AlertRules, mut s: SavedSearch) -> Result<SavedSearch> {
        s.name = clean_text("name", &s.name, true)?;
        if s.name.chars().count() > SEARCH_NAME_MAX_CHARS {
            return Err(Error::InvalidInput {
                field: "name",
                reason: format!("at most {SEARCH_NAME_MAX_CHARS} characters"),
            });
        }
        if s.terms.len() > rules.max_terms as usize {
            return Err(Error::InvalidInput {
                field: "terms",
                reason: format!("{} terms, at most {} allowed", s.terms.len(), rules.max_terms),
            });
        }
        let mut terms = Vec::with_capacity(s.terms.len());
        for (i, (field, term)) in s.terms.iter().enumerate() {
            let t = clean_text("terms", term, false)?;
            if t.is_empty() || super::normalize(&t).is_empty() {
                return Err(Error::InvalidInput {
                    field: "terms",
                    reason: format!("term {} ({field:?}) is empty", i + 1),
                });
            }
            if t.chars().count() > rules.term_max_chars as usize {
                return Err(Error::InvalidInput {
                    field: "terms",
                    reason: format!("term {} ({field:?}) is over {} characters", i + 1, rules.term_max_chars),
                });
            }
            terms.push((*field, t));
        }
        if terms.is_empty() {
            return Err(Error::InvalidInput { field: "terms", reason: "give at least one term".into() });
        }
        s.terms = terms;
        if let Some(kind) = &s.material_kind
            && self.policy.material(kind).is_none()
        {
            return Err(Error::InvalidInput {
                field: "material_kind",
                reason: format!("`{kind}` is not in the policy"),
            });
        }
        s.category = s.category.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
        Ok(s)
    }
}

fn alert_rules(policy: &crate::Policy) -> Result<&AlertRules> {
    if policy.alerts.offered { Ok(&policy.alerts) } else { Err(Refusal::one(Reason::NotOffered).into()) }
}

/// New arrivals as of `today` (R-N2), only those that became available after `since` if given.
fn arrivals(
    tx: &crate::store::Tx<'_>,
    rules: &AlertRules,
    today: NaiveDate,
    since: Option<NaiveDate>,
) -> Result<Vec<NewArrival>> {
    let back = |days: u32| today.checked_sub_days(Days::new(u64::from(days))).unwrap_or(NaiveDate::MIN);
    let n = &rules.new_arrival;
    // "Within the last 14 days": on or after today − 14, like the publication window.
    let mut from = back(n.available_within_days);
    if let Some(last) = since.and_then(|d| d.succ_opt()) {
        from = from.max(last);
    }
    let mut found = tx.new_arrivals(back(n.published_within_days), from, today, !n.exclude_serials)?;
    if !n.material_kinds.is_empty() {
        found.retain(|a| n.material_kinds.contains(&a.material_kind));
    }
    Ok(found)
}

impl SavedSearch {
    /// The matcher's view of this search.
    #[must_use]
    pub fn query(&self) -> Query {
        Query { terms: self.terms.clone(), category: self.category.clone() }
    }
}

impl NewArrival {
    fn record(&self) -> Record {
        Record {
            title: self.title_text.clone(),
            author: self.author.clone(),
            publisher: self.publisher.clone(),
            subjects: self.subjects.clone(),
            category: self.category.clone(),
        }
    }
}
