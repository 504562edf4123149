//===- Baseline.h - Fingerprints and baseline files -----------------------===//
//
// A baseline records the findings a code base already has, so CI can fail on
// new ones only. Findings are matched by fingerprint, not by line number: the
// hash of the check, the file, the whitespace-normalized text of the
// warning's line, and the set of (file, normalized line text) of its notes.
// Inserting or deleting lines elsewhere, or reindenting, keeps a finding's
// fingerprint, and so does a newer fanout-tidy that rewords its messages or
// adds a note on a line already involved; editing one of the lines involved
// gives a new one. Identical hashes in one report are told apart by their
// rank ("hash:1", "hash:2"), so a baseline is a multiset.
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_AUDIT_BASELINE_H
#define FANOUT_AUDIT_BASELINE_H

#include "Model.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringSet.h"

namespace fanout::audit {

/// The content hash of a finding; LineText gives the text of a location's
/// line (empty when unknown).
std::string
fingerprintHash(const Finding &F,
                llvm::function_ref<std::string(const Location &)> LineText);

/// Sets each finding's Fingerprint to "hash:rank", ranks counted in the
/// (sorted) order of Findings.
void numberFingerprints(std::vector<Finding> &Findings);

struct Baseline {
  llvm::StringSet<> Fingerprints;
  /// The entries as written, with any field a reviewer added.
  std::vector<llvm::json::Object> Entries;
};

llvm::Expected<Baseline> readBaseline(llvm::StringRef Path);

struct BaselineWriteStats {
  unsigned Written = 0; ///< Entries in the new file.
  unsigned Kept = 0;    ///< Of those, previous entries the run did not cover.
  std::vector<ResolvedEntry> Removed; ///< Previous entries resolved.
};

/// Writes every finding of the report (atomically). With a Previous
/// baseline (the file being rewritten), an entry for a finding keeps every
/// field of its previous entry (a reviewer's "comment", ...) with check,
/// file, line and message brought up to date, and previous entries of files
/// the report does not cover (a filtered or sharded run, a TU that failed)
/// are kept as they are.
llvm::Error writeBaseline(llvm::StringRef Path, const Report &R,
                          const Baseline *Previous, BaselineWriteStats &Stats);
/// Drops the report's findings that the baseline holds, counts them, and
/// lists the baseline's entries that the report covers but no longer has.
unsigned applyBaseline(Report &R, const Baseline &B);

} // namespace fanout::audit

#endif
