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
};

llvm::Expected<Baseline> readBaseline(llvm::StringRef Path);
/// Writes every finding of the report (atomically).
llvm::Error writeBaseline(llvm::StringRef Path, const Report &R);
/// Drops the report's findings that the baseline holds; returns how many.
unsigned applyBaseline(Report &R, const Baseline &B);

} // namespace fanout::audit

#endif
