//===- Progress.h - Progress bar on a terminal, plain lines elsewhere -----===//
#ifndef FANOUT_AUDIT_PROGRESS_H
#define FANOUT_AUDIT_PROGRESS_H

#include "Model.h"
#include "llvm/Support/raw_ostream.h"
#include <chrono>
#include <vector>

namespace fanout::audit {

enum class ProgressMode { None, Bar, Lines };

/// Reports TUs as they start and finish. Bar: one redrawn line of constant
/// width (done/total, findings and failures so far, elapsed and ETA as
/// clocks, the TU being analysed), problems printed above it. Lines: one
/// line per TU, for CI logs. Everything goes to stderr.
class Progress {
public:
  Progress(ProgressMode Mode, size_t Total, llvm::raw_ostream &OS);
  /// File is the display path.
  void unitStarted(llvm::StringRef File);
  /// R.File is the display path.
  void unitDone(const TUResult &R, size_t FindingsSoFar);
  /// Redraws the bar now and then (elapsed time and ETA move on their own).
  void tick(size_t FindingsSoFar);
  /// Clears the bar.
  void finish();

private:
  void draw(size_t FindingsSoFar);
  void clear();
  double elapsed() const;

  ProgressMode Mode;
  size_t Total;
  size_t Done = 0;
  size_t Failed = 0;
  size_t Findings = 0;
  /// The TUs being analysed, oldest first.
  std::vector<std::string> Running;
  llvm::raw_ostream &OS;
  std::chrono::steady_clock::time_point Start, LastDraw;
  bool BarShown = false;
};

/// "0.84s", "12.30s", "83.20s": per-TU and total times, always seconds.
std::string formatDuration(double Seconds);
/// "0:07", "1:05", "12:00:07": the bar's elapsed time and ETA.
std::string formatClock(double Seconds);

/// One line describing why a TU failed.
std::string describeFailure(const TUResult &R);

} // namespace fanout::audit

#endif
