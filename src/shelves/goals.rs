//! Reading-goal progress (R-R2): books per week or month and the cumulative count against the
//! target line, plus a small self-contained SVG chart. Pure functions.

use std::fmt::Write as _;

use chrono::{Datelike, Days, Months, NaiveDate};

use super::ReadingGoal;

/// How progress is bucketed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Granularity {
    /// Seven-day steps from the goal's first day.
    Week,
    /// Calendar months, clipped to the goal's period.
    Month,
}

/// One step of the graph.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GoalStep {
    /// First day of the step.
    pub starts_on: NaiveDate,
    /// Last day of the step.
    pub ends_on: NaiveDate,
    /// Books borrowed in the step.
    pub books: u32,
    /// Books borrowed from the goal's start to the step's end.
    pub cumulative: u32,
    /// Where an even pace toward the target would be at the step's end.
    pub target_line: f64,
}

/// Progress toward a goal.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GoalProgress {
    /// The goal.
    pub goal: ReadingGoal,
    /// The steps, in order.
    pub steps: Vec<GoalStep>,
    /// Books so far.
    pub total: u32,
    /// The target is reached.
    pub achieved: bool,
}

/// Buckets `borrowed` (one day per book) into steps of the goal's period.
#[must_use]
pub fn goal_progress(goal: &ReadingGoal, borrowed: &[NaiveDate], by: Granularity) -> GoalProgress {
    let span = (goal.ends_on - goal.starts_on).num_days() as f64 + 1.0;
    let mut steps = Vec::new();
    let mut start = goal.starts_on;
    let mut cumulative = 0;
    while start <= goal.ends_on {
        let natural_end = match by {
            Granularity::Week => start.checked_add_days(Days::new(6)),
            Granularity::Month => start
                .with_day(1)
                .and_then(|first| first.checked_add_months(Months::new(1)))
                .and_then(|next| next.pred_opt()),
        };
        let end = natural_end.unwrap_or(goal.ends_on).min(goal.ends_on);
        let books = borrowed.iter().filter(|d| **d >= start && **d <= end).count() as u32;
        cumulative += books;
        let elapsed = (end - goal.starts_on).num_days() as f64 + 1.0;
        steps.push(GoalStep {
            starts_on: start,
            ends_on: end,
            books,
            cumulative,
            target_line: f64::from(goal.target) * elapsed / span,
        });
        match end.succ_opt() {
            Some(next) => start = next,
            None => break,
        }
    }
    GoalProgress { goal: *goal, steps, total: cumulative, achieved: cumulative >= goal.target }
}

/// A bar per step (books), a polyline for the cumulative count and a dashed target line.
#[must_use]
pub fn goal_chart_svg(p: &GoalProgress) -> String {
    let (w, h, pad) = (40 * p.steps.len().max(1) + 40, 160, 20);
    let top = p.goal.target.max(p.total).max(1) as f64;
    let y = |v: f64| h as f64 - pad as f64 - v / top * (h - 2 * pad) as f64;
    let x = |i: usize| pad + 40 * i + 20;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{} / {}\">\n",
        p.total, p.goal.target
    );
    for (i, s) in p.steps.iter().enumerate() {
        let top_y = y(f64::from(s.books));
        let _ = writeln!(
            svg,
            "<rect x=\"{}\" y=\"{top_y:.1}\" width=\"24\" height=\"{:.1}\" fill=\"#9cc\"/>",
            x(i) - 12,
            y(0.0) - top_y
        );
    }
    let line = |values: Vec<f64>| {
        values.iter().enumerate().map(|(i, v)| format!("{},{:.1}", x(i), y(*v))).collect::<Vec<_>>().join(" ")
    };
    let cumulative = line(p.steps.iter().map(|s| f64::from(s.cumulative)).collect());
    let target = line(p.steps.iter().map(|s| s.target_line).collect());
    let _ = writeln!(svg, "<polyline points=\"{target}\" fill=\"none\" stroke=\"#c66\" stroke-dasharray=\"4 3\"/>");
    let _ = writeln!(svg, "<polyline points=\"{cumulative}\" fill=\"none\" stroke=\"#036\" stroke-width=\"2\"/>");
    let _ = writeln!(svg, "<text x=\"{pad}\" y=\"14\" font-size=\"12\">{} / {}</text>\n</svg>", p.total, p.goal.target);
    svg
}
