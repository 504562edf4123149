//===- Model.h - Findings, translation units and reports as plain data ----===//
//
// What fanout-audit knows about a run: the findings of every translation unit
// (TU), deduplicated across TUs, and the status of each TU. The same data is
// produced by an audit, read back from a JSON report (to merge shards) and
// handed to every writer.
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_AUDIT_MODEL_H
#define FANOUT_AUDIT_MODEL_H

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"
#include <map>
#include <set>
#include <string>
#include <vector>

namespace fanout::audit {

class SourceCache;

enum class Level { Note, Warning, Error };
llvm::StringRef levelName(Level L);

/// 1-based line and columns; 0 when unknown. Column counts bytes (as clang
/// does); CharColumn counts Unicode code points (as SARIF wants).
struct Position {
  unsigned Line = 0;
  unsigned Column = 0;
  unsigned CharColumn = 0;
};

/// A place in a file. File is relative to the report's root ('/'-separated)
/// when it is under the root, absolute otherwise.
struct Location {
  std::string File;
  unsigned Offset = 0;
  Position Pos;
};

/// One edit of a fix: replace Length bytes at Offset by Text.
struct Replacement {
  std::string File;
  unsigned Offset = 0;
  unsigned Length = 0;
  std::string Text;
  Position Begin, End;
};

struct Note {
  Location Loc;
  std::string Message;
  std::vector<Replacement> Fixes;
};

struct Finding {
  std::string Check;
  Level Severity = Level::Warning;
  std::string Message;
  Location Loc;
  std::vector<Note> Notes;
  std::vector<Replacement> Fixes;
  /// Line-shift-proof identity (see Baseline.h): the hash of the finding's
  /// content, and "hash:occurrence" once the report is sorted.
  std::string FingerprintHash;
  std::string Fingerprint;
  /// The TUs the finding was reported from (sorted, unique).
  std::vector<std::string> TranslationUnits;

  /// Two diagnostics with the same key are one finding: same check, level,
  /// message, location, notes and fixes.
  std::string key() const;
};

enum class TUStatus { Ok, Failed, TimedOut, Crashed };
llvm::StringRef statusName(TUStatus S);

/// The outcome of one TU. Straight out of a worker, paths are absolute and
/// positions unresolved; the ReportBuilder makes them relative and resolves
/// them.
struct TUResult {
  std::string File;
  TUStatus Status = TUStatus::Ok;
  double Seconds = 0;
  /// Compiler errors (the TU did not parse) or the reason it failed.
  std::vector<Finding> Errors;
  std::vector<Finding> Findings;
  std::vector<std::string> EnabledChecks;
  /// What the worker wrote to stderr (kept for failed TUs).
  std::string Log;
  /// Arguments of the compile command that clang does not know (GCC-only
  /// flags), dropped before parsing.
  std::vector<std::string> DroppedArguments;
  /// Findings counted for this TU once deduplicated (for the report).
  unsigned FindingCount = 0;
};

/// A baseline entry that no current finding matches although the run
/// covered its file: fixed, or one of its lines edited.
struct ResolvedEntry {
  std::string Fingerprint, Check, File, Message;
  unsigned Line = 0;
};

struct Report {
  std::string Root;
  /// Only some TUs of the database were analysed (file or directory
  /// arguments), so a finding missing from the report may still be there.
  bool Filtered = false;
  unsigned ShardIndex = 0; ///< 1-based; 0 when not sharded.
  unsigned ShardCount = 0;
  unsigned Jobs = 0;
  double Seconds = 0;
  std::vector<TUResult> Units;   ///< Sorted by file; findings moved out.
  std::vector<Finding> Findings; ///< Deduplicated and sorted.
  std::set<std::string> EnabledChecks;
  /// Set when a baseline was applied: findings it suppressed.
  bool BaselineApplied = false;
  unsigned BaselineSuppressed = 0;
  std::vector<ResolvedEntry> BaselineResolved;

  unsigned countUnits(TUStatus S) const;
  /// Whether the report speaks for File: every TU of the database was
  /// analysed, or File is one of the TUs analysed without failure. A finding
  /// of a file the report does not cover is neither confirmed nor resolved.
  bool covers(llvm::StringRef File) const;
  std::map<std::string, unsigned> findingsPerCheck() const;
};

/// Accumulates TU results into a Report: relativizes paths, resolves
/// positions, deduplicates findings across TUs.
class ReportBuilder {
public:
  ReportBuilder(std::string Root, SourceCache &Sources);

  /// A TU result straight from a worker (absolute paths, offsets only).
  /// Returns the stored unit (display path, findings counted and moved out).
  const TUResult &addRaw(TUResult R);
  /// A TU result read back from a report (already relative and resolved).
  void addResolved(TUResult R);
  /// Adds an already resolved finding (merge mode).
  void addFinding(Finding F);

  size_t uniqueFindings() const { return Findings.size(); }
  bool hasUnit(llvm::StringRef File) const { return UnitFiles.count(File); }

  /// Sorts, numbers fingerprints, and hands the report over.
  Report take();

  Report &header() { return Out; }

private:
  void resolve(Location &L);
  void resolve(Replacement &R);
  void resolveFinding(Finding &F);

  std::string Root;
  SourceCache &Sources;
  Report Out;
  std::vector<Finding> Findings;
  llvm::StringMap<size_t> Index;
  llvm::StringMap<bool> UnitFiles;
};

/// Sorts findings stably: file, line, column, check, message, then content.
void sortFindings(std::vector<Finding> &Findings);

// JSON: the report format (also the input of merge) and the worker protocol.
llvm::json::Value toJSON(const Finding &F);
llvm::json::Value toJSON(const TUResult &R, bool WithFindings);
llvm::json::Value toJSON(const Report &R);
llvm::Expected<Finding> findingFromJSON(const llvm::json::Value &V);
llvm::Expected<TUResult> unitFromJSON(const llvm::json::Value &V);
llvm::Expected<Report> reportFromJSON(const llvm::json::Value &V);
llvm::Expected<Report> readReport(llvm::StringRef Path);

} // namespace fanout::audit

#endif
