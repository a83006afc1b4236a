//! The audit report as files: CSV (one row per entry, for spreadsheets) and
//! JSON (the whole report, failures included).

use crate::audit::{AuditReport, AuditRow};
use std::io::Write;

/// Writes the rows as CSV with a header line.
pub fn write_csv<W: Write>(report: &AuditReport, out: W) -> Result<(), csv::Error> {
    let mut rows = CsvRows::new(out);
    for row in &report.rows {
        rows.push(row)?;
    }
    rows.finish()
}

/// Rows written as CSV as an audit streams them ([`crate::audit_streaming`]),
/// so a report of any size takes no memory.
pub struct CsvRows<W: Write> {
    writer: csv::Writer<W>,
    rows: u64,
}

impl<W: Write> CsvRows<W> {
    /// A writer onto `out`.
    pub fn new(out: W) -> Self {
        CsvRows {
            writer: csv::Writer::from_writer(out),
            rows: 0,
        }
    }

    /// Writes one row (the header goes before the first).
    pub fn push(&mut self, row: &AuditRow) -> Result<(), csv::Error> {
        self.rows += 1;
        self.writer.serialize(row)
    }

    /// Writes the header if no row came, and flushes.
    pub fn finish(mut self) -> Result<(), csv::Error> {
        if self.rows == 0 {
            self.writer.write_record([
                "index",
                "time_unix_ms",
                "kind",
                "valid",
                "reason",
                "caller",
                "policy_hash",
                "nullifier",
                "payment_hash",
                "note",
            ])?;
        }
        self.writer.flush()?;
        Ok(())
    }
}

/// Writes the whole report as pretty JSON.
pub fn write_json<W: Write>(report: &AuditReport, out: W) -> Result<(), serde_json::Error> {
    serde_json::to_writer_pretty(out, report)
}

/// A short human summary (the terminal's table).
pub fn summary(report: &AuditReport) -> String {
    let head = report
        .head
        .as_ref()
        .map(|h| format!("{} entries, root {}", h.tree_size, &h.root_hash[..16]))
        .unwrap_or_else(|| "none".into());
    let mut lines = vec![
        format!("{:<22} {}", "log", report.log_id),
        format!("{:<22} {}", "signed head", head),
        format!(
            "{:<22} {}",
            "previous head",
            report
                .previous_tree_size
                .map(|s| format!("{s} entries (consistency checked)"))
                .unwrap_or_else(|| "none (first audit)".into())
        ),
        format!("{:<22} {}", "entries read", report.entries),
        format!(
            "{:<22} {} ({} valid, {} invalid)",
            "verifications",
            report.verifications,
            report.valid,
            report.verifications - report.valid
        ),
        format!("{:<22} {}", "disclosures", report.disclosures),
        format!(
            "{:<22} {}",
            "result",
            if report.passed() {
                "PASS: log whole and consistent".to_string()
            } else {
                format!("FAIL: {} problem(s)", report.failures.len())
            }
        ),
    ];
    for f in &report.failures {
        lines.push(format!("  - {f}"));
    }
    lines.join("\n")
}
